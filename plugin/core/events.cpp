// SPDX-License-Identifier: GPL-3.0-or-later
#include "events.h"

namespace onair {

Event::Event(const char* name) : data_(json_object()) {
    if (name != nullptr) {
        json_object_set_new(data_.get(), "event", json_string(name));
    }
}

Event& Event::text(const char* key, const std::string& value) {
    json_object_set_new(data_.get(), key, json_stringn(value.data(), value.size()));
    return *this;
}

Event& Event::number(const char* key, std::int64_t value) {
    json_object_set_new(data_.get(), key, json_integer(static_cast<json_int_t>(value)));
    return *this;
}

Event& Event::flag(const char* key, bool value) {
    json_object_set_new(data_.get(), key, json_boolean(value));
    return *this;
}

Event& Event::object(const char* key, JsonPtr value) {
    json_object_set_new(data_.get(), key, value.release());
    return *this;
}

JsonPtr bye_event(const std::string& peer) {
    return Event("signal").text("peer", peer).flag("bye", true).take();
}

JsonPtr person_json(const std::string& user, const std::string& name) {
    JsonPtr person(json_object());
    json_object_set_new(person.get(), "user", json_stringn(user.data(), user.size()));
    json_object_set_new(person.get(), "name", json_stringn(name.data(), name.size()));
    return person;
}

}  // namespace onair
