// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace onair {

// What an airtime session measures: a broadcaster's broadcast or one viewer session.
enum class AirtimeKind { Broadcast, Watch };
inline const char* to_string(AirtimeKind kind) {
    return kind == AirtimeKind::Broadcast ? "broadcast" : "watch";
}

// One stretch of continuous evidence of a session: [started_at, last_evidence], in steady time
// (base/clock.h). A session has a new segment after each gap of evidence_timeout; its seconds are the
// sum of its segments'.
struct AirtimeSegment {
    std::string session_id;  // the broadcast id, or the watch id of a viewer session
    int index = 0;           // 0, 1, ... within the session
    AirtimeKind kind = AirtimeKind::Broadcast;
    std::string site;
    std::string user;  // the broadcaster, or the viewer
    std::string broadcast_id;
    std::int64_t started_at = 0;
    std::int64_t last_evidence = 0;
    bool closed = false;
    // The wall clock minus the steady clock when the segment opened. Only usage days use it: the
    // segment is on the wall clock [started_at + wall_offset, last_evidence + wall_offset).
    std::int64_t wall_offset = 0;

    [[nodiscard]] std::int64_t seconds() const { return last_evidence - started_at; }
};

}  // namespace onair
