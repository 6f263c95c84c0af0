// SPDX-License-Identifier: GPL-3.0-or-later
// Admin API requests through the Hub, on a real SQLite store in a temporary directory: every body
// gets a success or a Janus-style error object, whatever it holds. The Hub lives for the whole run,
// so sites added by one input are there for the next (as on a real server).
#include <jansson.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "base/json.h"
#include "core/hub.h"
#include "support/hub_fixture.h"

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

std::unique_ptr<onair::Hub> start_hub() {
    onair::Site demo;
    demo.key = "demo";
    demo.secret = "fuzz-secret-0123456789";
    return onair::fuzz::start_hub("admin", demo, kNow);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::unique_ptr<onair::Hub> hub = start_hub();
    json_error_t error;
    onair::JsonPtr body =
        onair::json_take(json_loadb(reinterpret_cast<const char*>(data), size, JSON_DECODE_ANY, &error));
    if (!body) {
        return 0;  // Janus answers unparsable admin messages itself
    }
    onair::Effects effects;
    onair::JsonPtr answer = hub->admin(body.get(), kNow, effects);
    const char* outcome = answer ? json_string_value(json_object_get(answer.get(), "onair")) : nullptr;
    if (outcome == nullptr || (std::strcmp(outcome, "success") != 0 && std::strcmp(outcome, "error") != 0)) {
        __builtin_trap();  // every admin request gets an answer that says how it went
    }
    return 0;
}
