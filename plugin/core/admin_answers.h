// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "base/json.h"
#include "base/result.h"

namespace onair {

// The Admin API's answers (docs/protocol.md, "Admin API"): {"onair":"error","error_code","error"}
// and {"onair":"success"}, to which a request adds its members.
JsonPtr admin_error(const Error& error);
JsonPtr admin_success();

}  // namespace onair
