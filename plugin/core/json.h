// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <jansson.h>

#include <memory>

namespace onair {

struct JsonDecref {
    void operator()(json_t* value) const { json_decref(value); }
};

// Owns one Jansson reference.
using JsonPtr = std::unique_ptr<json_t, JsonDecref>;

inline JsonPtr json_take(json_t* value) { return JsonPtr(value); }
inline JsonPtr json_share(json_t* value) { return JsonPtr(json_incref(value)); }

}  // namespace onair
