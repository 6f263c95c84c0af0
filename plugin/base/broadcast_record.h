// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace onair {

// One row of the broadcasts table: a broadcast from its registration to its end.
struct BroadcastRecord {
    std::string broadcast_id;
    std::string site;
    std::string user;
    std::string name;
    std::int64_t registered_at = 0;
    std::int64_t started_at = 0;  // 0 until media first flowed
    std::int64_t ended_at = 0;    // 0 while not ended
    std::string end_reason;
    bool relay = false;  // an `auto` broadcast that moved to the relay stays there
};

}  // namespace onair
