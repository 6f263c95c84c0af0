// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <jansson.h>

#include <memory>
#include <string>

namespace loadgen {

// Owning reference to a Jansson value.
struct JsonRelease {
    void operator()(json_t* value) const { json_decref(value); }
};
using Json = std::unique_ptr<json_t, JsonRelease>;

inline Json json_take(json_t* value) { return Json(value); }
inline Json json_keep(json_t* value) { return Json(json_incref(value)); }

// Small readers that tolerate missing keys (Janus answers vary by plugin).
inline std::string json_text(const json_t* object, const char* key) {
    const char* text = json_string_value(json_object_get(object, key));
    return text ? text : "";
}
inline json_t* json_path(json_t* object, std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
        if (!object)
            return nullptr;
        object = json_object_get(object, key);
    }
    return object;
}

inline std::string json_dump(const json_t* value) {
    std::unique_ptr<char, decltype(&free)> text(json_dumps(value, JSON_COMPACT), &free);
    return text ? text.get() : "null";
}

}  // namespace loadgen
