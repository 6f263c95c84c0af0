// SPDX-License-Identifier: GPL-3.0-or-later
// Store: the airtime ledger's segments.
#include "store/store.h"

namespace onair {

namespace {

constexpr const char* kSegmentColumns =
    "SELECT session_id, segment, kind, site, user, broadcast_id, started_at, last_evidence, closed,"
    " wall_offset FROM airtime ";

AirtimeSegment read_segment(const Statement& row) {
    AirtimeSegment segment;
    segment.session_id = row.text(0);
    segment.index = static_cast<int>(row.number(1));
    segment.kind = row.text(2) == "watch" ? AirtimeKind::Watch : AirtimeKind::Broadcast;
    segment.site = row.text(3);
    segment.user = row.text(4);
    segment.broadcast_id = row.text(5);
    segment.started_at = row.number(6);
    segment.last_evidence = row.number(7);
    segment.closed = row.flag(8);
    segment.wall_offset = row.number(9);
    return segment;
}

}  // namespace

Status Store::save_segments(const std::vector<AirtimeSegment>& segments) {
    if (segments.empty()) {
        return Ok{};
    }
    return db_.transact("saving airtime", [&]() -> Status {
        for (const AirtimeSegment& segment : segments) {
            Statement upsert = db_.prepare(
                "INSERT INTO airtime (session_id, segment, kind, site, user, broadcast_id, started_at,"
                " last_evidence, closed, wall_offset, retired)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                " EXISTS (SELECT 1 FROM broadcasts WHERE broadcast_id = ?6 AND retired = 1)"
                " OR EXISTS (SELECT 1 FROM sites WHERE key = ?4 AND removed = 1))"
                " ON CONFLICT (session_id, segment) DO UPDATE SET last_evidence = ?8, closed = ?9");
            upsert.bind(1, segment.session_id);
            upsert.bind(2, std::int64_t{segment.index});
            upsert.bind(3, std::string(to_string(segment.kind)));
            upsert.bind(4, segment.site);
            upsert.bind(5, segment.user);
            upsert.bind(6, segment.broadcast_id);
            upsert.bind(7, segment.started_at);
            upsert.bind(8, segment.last_evidence);
            upsert.bind(9, std::int64_t{segment.closed ? 1 : 0});
            upsert.bind(10, segment.wall_offset);
            if (Status saved = upsert.run("saving airtime"); !saved) {
                return saved;
            }
        }
        return Ok{};
    });
}

Status Store::close_open_segments() {
    return db_.transact("closing open airtime", [&]() {
        Statement update = db_.prepare("UPDATE airtime SET closed = 1 WHERE closed = 0");
        return update.run("closing open airtime");
    });
}

Result<std::vector<AirtimeSegment>> Store::segments_of_broadcast(const std::string& broadcast_id) {
    Statement query =
        db_.prepare(std::string(kSegmentColumns) + "WHERE broadcast_id = ?1 ORDER BY session_id, segment");
    query.bind(1, broadcast_id);
    return query.rows("reading the airtime of " + broadcast_id, read_segment);
}

Result<std::vector<AirtimeSegment>> Store::segments_between(const std::string& site, std::int64_t from,
                                                            std::int64_t to) {
    // On the wall clock, as usage days are cut (the terms match the index airtime_site_wall_time).
    Statement query = db_.prepare(std::string(kSegmentColumns) +
                                  "WHERE site = ?1 AND retired = 0 AND started_at + wall_offset < ?3"
                                  " AND last_evidence + wall_offset > ?2 ORDER BY started_at + wall_offset");
    query.bind(1, site);
    query.bind(2, from);
    query.bind(3, to);
    return query.rows("reading the airtime of site " + site, read_segment);
}

}  // namespace onair
