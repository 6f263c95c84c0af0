// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "base/json.h"
#include "base/result.h"

namespace onair::janus {

// Plugin event payloads as docs/protocol.md defines them.
JsonPtr event_result(JsonPtr result);     // {"onair":"event","result":result}
JsonPtr event_error(const Error& error);  // {"onair":"event","error_code":…,"error":…}
JsonPtr make_jsep(const char* type, const std::string& sdp);  // {"type":type,"sdp":sdp}

}  // namespace onair::janus
