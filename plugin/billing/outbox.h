// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "store/outbox_records.h"

namespace onair {

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
