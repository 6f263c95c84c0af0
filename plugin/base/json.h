// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <jansson.h>

#include <memory>
#include <string>

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

}  // namespace onair
