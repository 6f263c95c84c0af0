// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"

namespace onair {

// Delivery states of a billing event (docs/billing.md, "Delivery").
enum class OutboxState { Pending, Delivered, Parked };
const char* to_string(OutboxState state);
std::optional<OutboxState> outbox_state_from(const std::string& text);

// One billing event as the Hub emits it; the Store gives it its id and per-broadcast seq.
struct OutboxEvent {
    std::string site;
    std::string broadcast_id;
    std::string type;            // broadcast.started, viewer.joined, airtime.report, ...
    std::int64_t timestamp = 0;  // when it happened
    JsonPtr data;
};

// One stored event with its delivery state.
struct OutboxEntry {
    std::string id;  // evt_<32 hex>
    std::string type;
    std::string site;
    std::string broadcast_id;
    std::int64_t seq = 0;
    std::int64_t timestamp = 0;
    std::string data;  // the `data` object as JSON text
    OutboxState state = OutboxState::Pending;
    int attempts = 0;
    std::int64_t next_attempt_at = 0;
    std::string last_error;
    std::int64_t delivered_at = 0;
};

// A site's callback health, for list_sites.
struct CallbackStatus {
    std::int64_t pending = 0;
    std::int64_t parked = 0;
    std::string last_error;
    std::int64_t last_success_at = 0;
};

// Where a site's events go and the key they are signed with.
struct CallbackTarget {
    std::string url;
    std::string secret;
};

// The webhook body: {"id","type","site","broadcast_id","seq","timestamp","data"} as compact JSON,
// the same bytes for every attempt of the event.
std::string event_body(const OutboxEntry& entry);
// The Admin API's view of an entry (list_outbox).
JsonPtr outbox_json(const OutboxEntry& entry);

// Seconds to wait after failed attempt number `attempt` (1, 2, ...): min(base * 2^(attempt-1),
// max), scaled by `jitter` in [-1, 1] times 20%, at least 1 s.
std::int64_t backoff_delay(int attempt, int base, int max, double jitter);

}  // namespace onair
