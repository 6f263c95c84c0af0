// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/airtime_segment.h"

namespace onair {

// Airtime of the sessions in progress, from evidence (RTP the plugin receives or relays,
// heartbeats). Janus-free and clock-free: every call takes `now` (steady time) and, where a
// segment may open, `wall_offset` (the wall clock minus the steady clock at that moment). Not
// thread-safe: the Hub's lock guards it. It never writes anything itself: dirty() lists the
// segments the Store must save, written() acknowledges them, so the Hub writes them in the same
// transaction as its events.
class Ledger {
public:
    explicit Ledger(std::int64_t evidence_timeout) : evidence_timeout_(evidence_timeout) {}

    // A new session, with its first segment starting (and evidenced) at `now`.
    void open(const std::string& session_id, AirtimeKind kind, const std::string& site,
              const std::string& user, const std::string& broadcast_id, std::int64_t now,
              std::int64_t wall_offset);
    // A session a previous run counted, whose latest stored segment is `last` (closed at start-up,
    // with the wall_offset it was stored with) after `earlier_seconds` in earlier segments: new
    // evidence continues it with a new segment.
    void restore(const AirtimeSegment& last, std::int64_t earlier_seconds);
    [[nodiscard]] bool has(const std::string& session_id) const { return sessions_.count(session_id) > 0; }

    // Evidence that the session is alive at `when`: extends its open segment, or starts a new
    // segment with `wall_offset` when the last one was closed for lack of evidence. Unknown
    // sessions are ignored.
    void evidence(const std::string& session_id, std::int64_t when, std::int64_t wall_offset);

    // Closes segments whose last evidence is evidence_timeout or more before `now`, at their last
    // evidence (not at `now`: the time nobody can prove is not billed).
    void expire(std::int64_t now);

    // The session's seconds so far (closed segments plus the open one up to its last evidence).
    [[nodiscard]] std::int64_t seconds(const std::string& session_id) const;
    // Its last evidence so far (0 for an unknown session).
    [[nodiscard]] std::int64_t last_evidence(const std::string& session_id) const;

    // Ends the session at its last evidence and forgets it; returns its total seconds (0 when unknown).
    std::int64_t close(const std::string& session_id);

    // Segments to save now: every segment opened or closed since the last written(), and open ones
    // whose evidence moved and were last saved kPersistEvery seconds ago or more (the timer commits
    // once a second, so a crash loses at most that much). `all` lists every changed one regardless
    // of age (an airtime.report, which may only announce stored seconds; usage queries; shutdown).
    [[nodiscard]] std::vector<AirtimeSegment> dirty(std::int64_t now, bool all = false) const;
    // The Store saved these (as dirty() returned them) at `now`.
    void written(const std::vector<AirtimeSegment>& segments, std::int64_t now);
    // Closed segments waiting for written(): what a store outage holds back.
    [[nodiscard]] std::size_t unsaved_closed() const { return finished_.size(); }

    static constexpr std::int64_t kPersistEvery = 1;

private:
    struct Session {
        AirtimeSegment current;            // the latest segment (open unless closed for a gap)
        std::int64_t closed_seconds = 0;   // sum of earlier segments
        bool structural_change = true;     // current opened or closed since last written
        std::int64_t saved_evidence = -1;  // current.last_evidence as last written
        std::int64_t saved_at = 0;         // when current was last written
    };
    void finish(Session& session);  // closes the current segment, keeping it for the Store

    std::int64_t evidence_timeout_;
    std::map<std::string, Session> sessions_;
    // Closed segments of forgotten sessions or earlier segments, not saved yet.
    std::vector<AirtimeSegment> finished_;
};

// Splits [start, end) at UTC midnights: (day start, seconds) per day, in order; nothing when end <= start.
std::vector<std::pair<std::int64_t, std::int64_t>> split_by_day(std::int64_t start, std::int64_t end);

// "YYYY-MM-DD" (UTC) <-> the unix time of that day's midnight.
bool parse_day(const std::string& text, std::int64_t& midnight);
std::string format_day(std::int64_t unix_seconds);

// One row of a usage answer.
struct UsageRow {
    std::string user;
    std::string day;
    std::int64_t broadcast_seconds = 0;
    std::int64_t watch_seconds = 0;
};

// Per user per UTC day of the wall clock, the seconds of `segments` inside [from, to) (wall-clock
// day midnights), ordered by day then user. Each segment is cut on its wall-clock span (its steady
// span moved by its wall_offset), so its days follow a wall-clock correction made before it opened,
// while its seconds stay the steady ones.
std::vector<UsageRow> usage_by_day(const std::vector<AirtimeSegment>& segments, std::int64_t from,
                                   std::int64_t to);

}  // namespace onair
