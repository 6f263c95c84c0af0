// SPDX-License-Identifier: GPL-3.0-or-later
#include "events.h"

namespace onair {

JsonObject::JsonObject() : data_(json_object()) {}

JsonObject& JsonObject::text(const char* key, const std::string& value) {
    json_object_set_new(data_.get(), key, json_stringn(value.data(), value.size()));
    return *this;
}

JsonObject& JsonObject::number(const char* key, std::int64_t value) {
    json_object_set_new(data_.get(), key, json_integer(static_cast<json_int_t>(value)));
    return *this;
}

JsonObject& JsonObject::flag(const char* key, bool value) {
    json_object_set_new(data_.get(), key, json_boolean(value));
    return *this;
}

JsonObject& JsonObject::object(const char* key, JsonPtr value) {
    json_object_set_new(data_.get(), key, value.release());
    return *this;
}

Event::Event(EventName name) : name_(name) { fields_.text("event", to_string(name)); }

Event& Event::text(const char* key, const std::string& value) {
    fields_.text(key, value);
    return *this;
}

Event& Event::number(const char* key, std::int64_t value) {
    fields_.number(key, value);
    return *this;
}

Event& Event::flag(const char* key, bool value) {
    fields_.flag(key, value);
    return *this;
}

Event& Event::object(const char* key, JsonPtr value) {
    fields_.object(key, std::move(value));
    return *this;
}

Event& Event::with_offer(ViewerOffer offer) {
    offer_ = offer;
    return *this;
}

PluginEvent bye_event(const std::string& peer) {
    return Event(EventName::Signal).text("peer", peer).flag("bye", true).take();
}

JsonPtr person_json(const std::string& user, const std::string& name) {
    return JsonObject().text("user", user).text("name", name).take();
}

}  // namespace onair
