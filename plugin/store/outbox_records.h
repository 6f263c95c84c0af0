// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/json.h"

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

}  // namespace onair
