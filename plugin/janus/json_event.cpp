// SPDX-License-Identifier: GPL-3.0-or-later
#include "janus/json_event.h"

namespace onair::janus {

JsonPtr event_result(JsonPtr result) {
    JsonPtr event = json_take(json_object());
    json_object_set_new(event.get(), "onair", json_string("event"));
    json_object_set_new(event.get(), "result", result ? result.release() : json_object());
    return event;
}

JsonPtr event_error(const Error& error) {
    JsonPtr event = json_take(json_object());
    json_object_set_new(event.get(), "onair", json_string("event"));
    json_object_set_new(event.get(), "error_code", json_integer(static_cast<int>(error.code)));
    json_object_set_new(event.get(), "error", json_string(error.message.c_str()));
    return event;
}

JsonPtr make_jsep(const char* type, const std::string& sdp) {
    JsonPtr jsep = json_take(json_object());
    json_object_set_new(jsep.get(), "type", json_string(type));
    json_object_set_new(jsep.get(), "sdp", json_string(sdp.c_str()));
    return jsep;
}

}  // namespace onair::janus
