// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <jansson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace onair {

struct JsonDecref {
    void operator()(json_t* value) const { json_decref(value); }
};

// Owns one Jansson reference.
using JsonPtr = std::unique_ptr<json_t, JsonDecref>;

inline JsonPtr json_take(json_t* value) { return JsonPtr(value); }
inline JsonPtr json_share(json_t* value) { return JsonPtr(json_incref(value)); }

// object[key] = the string `value`, NUL bytes and all.
inline void set_text(json_t* object, const char* key, const std::string& value) {
    json_object_set_new(object, key, json_stringn(value.data(), value.size()));
}

// The one way to set the members of a JSON object that is built member by member, shared by the
// builders (JsonObject, the core's Event). Each setter returns the builder itself (`Built`), so a
// chain of them keeps its type and ends in that builder's take().
template <typename Built>
class JsonMembers {
public:
    Built& text(const char* key, const std::string& value) {
        set_text(members_.get(), key, value);
        return built();
    }
    Built& number(const char* key, std::int64_t value) {
        json_object_set_new(members_.get(), key, json_integer(static_cast<json_int_t>(value)));
        return built();
    }
    Built& flag(const char* key, bool value) {
        json_object_set_new(members_.get(), key, json_boolean(value));
        return built();
    }
    Built& object(const char* key, JsonPtr value) {
        json_object_set_new(members_.get(), key, value.release());
        return built();
    }

private:
    friend Built;
    JsonMembers() : members_(json_object()) {}
    Built& built() { return static_cast<Built&>(*this); }

    JsonPtr members_;
};

// Builds a JSON object member by member (the `data` of a billing event, a list entry).
class JsonObject : public JsonMembers<JsonObject> {
public:
    JsonPtr take() { return std::move(members_); }
};

}  // namespace onair
