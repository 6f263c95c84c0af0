// SPDX-License-Identifier: GPL-3.0-or-later
// Plugin message bodies: any bytes that parse as JSON go through parse_request, which must answer
// every one with a typed request or a Janus-style error, never crash or leak.
#include <jansson.h>

#include <cstddef>
#include <cstdint>
#include <variant>

#include "base/json.h"
#include "core/request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    json_error_t error;
    onair::JsonPtr body =
        onair::json_take(json_loadb(reinterpret_cast<const char*>(data), size, JSON_DECODE_ANY, &error));
    // A body Janus could not parse never reaches the plugin; the plugin's null answer is 540.
    onair::Result<onair::Request> request = onair::parse_request(body.get());
    if (request.ok()) {
        (void)onair::request_name(request.value());
    } else {
        (void)request.error().message.size();
    }
    return 0;
}
