// SPDX-License-Identifier: GPL-3.0-or-later
#include "billing/outbox.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace onair {

namespace {
struct FreeText {
    void operator()(char* text) const { std::free(text); }  // NOLINT(cppcoreguidelines-no-malloc): jansson's
};
}  // namespace

std::string event_body(const OutboxEntry& entry) {
    JsonPtr body(json_object());
    set_text(body.get(), "id", entry.id);
    set_text(body.get(), "type", entry.type);
    set_text(body.get(), "site", entry.site);
    set_text(body.get(), "broadcast_id", entry.broadcast_id);
    json_object_set_new(body.get(), "seq", json_integer(entry.seq));
    json_object_set_new(body.get(), "timestamp", json_integer(entry.timestamp));
    JsonPtr data(json_loadb(entry.data.data(), entry.data.size(), 0, nullptr));
    json_object_set_new(body.get(), "data", data ? data.release() : json_object());
    std::unique_ptr<char, FreeText> text(json_dumps(body.get(), JSON_COMPACT | JSON_PRESERVE_ORDER));
    return text ? std::string(text.get()) : std::string();
}

JsonPtr outbox_json(const OutboxEntry& entry) {
    JsonPtr object(json_object());
    set_text(object.get(), "id", entry.id);
    set_text(object.get(), "type", entry.type);
    set_text(object.get(), "site", entry.site);
    set_text(object.get(), "broadcast_id", entry.broadcast_id);
    json_object_set_new(object.get(), "seq", json_integer(entry.seq));
    json_object_set_new(object.get(), "state", json_string(to_string(entry.state)));
    json_object_set_new(object.get(), "attempts", json_integer(entry.attempts));
    json_object_set_new(object.get(), "next_attempt_at", json_integer(entry.next_attempt_at));
    set_text(object.get(), "last_error", entry.last_error);
    return object;
}

std::int64_t backoff_delay(int attempt, int base, int max, double jitter) {
    const int doublings = std::clamp(attempt - 1, 0, 40);
    const double plain =
        std::min(static_cast<double>(base) * std::ldexp(1.0, doublings), static_cast<double>(max));
    const double scaled = plain * (1.0 + 0.2 * std::clamp(jitter, -1.0, 1.0));
    return std::max<std::int64_t>(1, std::llround(scaled));
}

}  // namespace onair
