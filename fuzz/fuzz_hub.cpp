// SPDX-License-Identifier: GPL-3.0-or-later
// The broadcast/viewer/consent state machine: a JSON array of [handle, body] messages from up to
// four handles of an open-mode site, each body through parse_request and Hub::handle_request as the
// Janus layer passes them, with media going up and down and time passing in between. The Hub (on
// a real SQLite store) lives for the whole run; every handle is destroyed at the end of an input,
// so each input starts from a quiet site. Request ids are random, so a body whose request_id is
// "last" gets the one the latest waiting viewer was given: answers can then accept and decline.
#include <jansson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/json.h"
#include "core/hub.h"
#include "core/request.h"
#include "support/hub_fixture.h"

namespace {

constexpr onair::HandleId kHandles = 4;

std::unique_ptr<onair::Hub> start_hub() {
    onair::Site open;
    open.key = "open";
    open.secret = "fuzz-secret-0123456789";
    open.identity = onair::IdentityMode::Open;
    open.media = onair::MediaMode::Auto;
    return onair::fuzz::start_hub("hub", open, 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::unique_ptr<onair::Hub> hub = start_hub();
    static std::int64_t now = 1'800'000'000;  // never goes back, across inputs too
    json_error_t error;
    onair::JsonPtr messages =
        onair::json_take(json_loadb(reinterpret_cast<const char*>(data), size, 0, &error));
    if (!json_is_array(messages.get())) {
        return 0;
    }
    for (onair::HandleId handle = 1; handle <= kHandles; ++handle) {
        hub->handle_created(handle);
    }
    std::string last_request_id;
    std::size_t index = 0;
    json_t* message = nullptr;
    json_array_foreach(messages.get(), index, message) {
        const onair::HandleId handle = (json_integer_value(json_array_get(message, 0)) & 3) + 1;
        const json_int_t step = json_integer_value(json_array_get(message, 2));
        now += step & 63;  // seconds, so prompts, grace and publish timeouts can expire
        json_t* body = json_array_get(message, 1);
        const char* wanted = json_string_value(json_object_get(body, "request_id"));
        if (wanted != nullptr && std::string(wanted) == "last") {
            json_object_set_new(body, "request_id", json_string(last_request_id.c_str()));
        }
        onair::Result<onair::Request> request = onair::parse_request(body);
        if (request.ok()) {
            onair::Result<onair::Reply> reply = hub->handle_request(handle, request.value(), now);
            const char* given =
                reply.ok()
                    ? json_string_value(json_object_get(reply.value().event.result.get(), "request_id"))
                    : nullptr;
            if (given != nullptr) {
                last_request_id = given;
            }
        }
        if ((step & 64) != 0) {
            (void)hub->media_up(handle, now);
        }
        if ((step & 128) != 0) {
            (void)hub->media_down(handle, now);
        }
        (void)hub->tick(now);
    }
    for (onair::HandleId handle = 1; handle <= kHandles; ++handle) {
        (void)hub->handle_destroyed(handle, now);
    }
    (void)hub->tick(now);
    return 0;
}
