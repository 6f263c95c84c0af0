// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include "json.h"
#include "result.h"

namespace onair {

// The Admin API's answers (docs/protocol.md, "Admin API"): {"onair":"error","error_code","error"}
// and {"onair":"success"}, to which a request adds its members.
JsonPtr admin_error(const Error& error);
JsonPtr admin_success();

// The Admin API's request members. A string member: absent gives nullopt when optional, 543 when
// mandatory; a wrong type gives 544.
Result<std::optional<std::string>> text_member(const json_t* request, const char* key, bool mandatory);
// A mandatory member that must be a site key, or a user id (text.h).
Result<std::string> site_member(const json_t* request, const char* key);
Result<std::string> user_member(const json_t* request, const char* key);

}  // namespace onair
