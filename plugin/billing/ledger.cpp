// SPDX-License-Identifier: GPL-3.0-or-later
#include "billing/ledger.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace onair {

namespace {
constexpr std::int64_t kDay = 86400;

std::int64_t floor_day(std::int64_t t) {
    const std::int64_t rem = ((t % kDay) + kDay) % kDay;
    return t - rem;
}
}  // namespace

void Ledger::open(const std::string& session_id, AirtimeKind kind, const std::string& site,
                  const std::string& user, const std::string& broadcast_id, std::int64_t now,
                  std::int64_t wall_offset) {
    if (auto found = sessions_.find(session_id); found != sessions_.end()) {
        return;  // already counting
    }
    Session session;
    session.current =
        AirtimeSegment{session_id, 0, kind, site, user, broadcast_id, now, now, false, wall_offset};
    sessions_.emplace(session_id, std::move(session));
}

void Ledger::restore(const AirtimeSegment& last, std::int64_t earlier_seconds) {
    Session session;
    session.current = last;
    session.current.closed = true;
    session.closed_seconds = earlier_seconds;
    session.structural_change = false;  // the Store has it as it is
    session.saved_evidence = last.last_evidence;
    sessions_.insert_or_assign(last.session_id, std::move(session));
}

void Ledger::evidence(const std::string& session_id, std::int64_t when, std::int64_t wall_offset) {
    auto found = sessions_.find(session_id);
    if (found == sessions_.end()) {
        return;
    }
    Session& session = found->second;
    AirtimeSegment& current = session.current;
    if (!current.closed) {
        current.last_evidence = std::max(current.last_evidence, when);
        return;
    }
    if (when <= current.last_evidence) {
        return;  // late evidence of a stretch already closed
    }
    // Evidence after a gap: a new segment. The closed one is already counted and queued.
    session.closed_seconds += current.seconds();
    AirtimeSegment next = current;
    next.index = current.index + 1;
    next.started_at = when;
    next.last_evidence = when;
    next.closed = false;
    next.wall_offset = wall_offset;
    current = std::move(next);
    session.structural_change = true;
    session.saved_evidence = -1;
}

void Ledger::finish(Session& session) {
    if (session.current.closed) {
        return;
    }
    session.current.closed = true;
    session.structural_change = true;
    finished_.push_back(session.current);
}

void Ledger::expire(std::int64_t now) {
    for (auto& [id, session] : sessions_) {
        if (!session.current.closed && now - session.current.last_evidence >= evidence_timeout_) {
            finish(session);
        }
    }
}

std::int64_t Ledger::seconds(const std::string& session_id) const {
    auto found = sessions_.find(session_id);
    if (found == sessions_.end()) {
        return 0;
    }
    return found->second.closed_seconds + found->second.current.seconds();
}

std::int64_t Ledger::last_evidence(const std::string& session_id) const {
    auto found = sessions_.find(session_id);
    return found == sessions_.end() ? 0 : found->second.current.last_evidence;
}

std::int64_t Ledger::close(const std::string& session_id) {
    auto found = sessions_.find(session_id);
    if (found == sessions_.end()) {
        return 0;
    }
    const std::int64_t total = seconds(session_id);
    finish(found->second);
    sessions_.erase(found);
    return total;
}

std::vector<AirtimeSegment> Ledger::dirty(std::int64_t now, bool all) const {
    std::vector<AirtimeSegment> due = finished_;
    for (const auto& [id, session] : sessions_) {
        if (session.current.closed) {
            continue;  // its final state is in finished_
        }
        const bool moved = session.current.last_evidence != session.saved_evidence;
        if (session.structural_change || (moved && (all || now - session.saved_at >= kPersistEvery))) {
            due.push_back(session.current);
        }
    }
    return due;
}

void Ledger::written(const std::vector<AirtimeSegment>& segments, std::int64_t now) {
    for (const AirtimeSegment& segment : segments) {
        if (segment.closed) {
            auto done = std::find_if(finished_.begin(), finished_.end(), [&segment](const AirtimeSegment& f) {
                return f.session_id == segment.session_id && f.index == segment.index;
            });
            if (done != finished_.end()) {
                finished_.erase(done);
            }
        }
        auto found = sessions_.find(segment.session_id);
        if (found == sessions_.end() || found->second.current.index != segment.index) {
            continue;
        }
        Session& session = found->second;
        if (session.current.closed == segment.closed) {
            session.structural_change = false;
        }
        session.saved_evidence = segment.last_evidence;
        session.saved_at = now;
    }
}

std::vector<std::pair<std::int64_t, std::int64_t>> split_by_day(std::int64_t start, std::int64_t end) {
    std::vector<std::pair<std::int64_t, std::int64_t>> parts;
    while (start < end) {
        const std::int64_t day = floor_day(start);
        const std::int64_t stop = std::min(end, day + kDay);
        parts.emplace_back(day, stop - start);
        start = stop;
    }
    return parts;
}

bool parse_day(const std::string& text, std::int64_t& midnight) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return false;
    }
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    const int year = std::stoi(text.substr(0, 4));
    const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
    const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                           std::chrono::day{day}};
    if (!date.ok()) {
        return false;
    }
    midnight = std::chrono::sys_days(date).time_since_epoch().count() * kDay;
    return true;
}

std::string format_day(std::int64_t unix_seconds) {
    const std::chrono::sys_days days{std::chrono::days{floor_day(unix_seconds) / kDay}};
    const std::chrono::year_month_day date{days};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

std::vector<UsageRow> usage_by_day(const std::vector<AirtimeSegment>& segments, std::int64_t from,
                                   std::int64_t to) {
    std::map<std::pair<std::int64_t, std::string>, UsageRow> rows;  // (day, user)
    for (const AirtimeSegment& segment : segments) {
        const std::int64_t start = std::max(segment.started_at + segment.wall_offset, from);
        const std::int64_t end = std::min(segment.last_evidence + segment.wall_offset, to);
        for (const auto& [day, seconds] : split_by_day(start, end)) {
            UsageRow& row = rows[{day, segment.user}];
            row.user = segment.user;
            row.day = format_day(day);
            (segment.kind == AirtimeKind::Broadcast ? row.broadcast_seconds : row.watch_seconds) += seconds;
        }
    }
    std::vector<UsageRow> list;
    list.reserve(rows.size());
    for (auto& [key, row] : rows) {
        list.push_back(std::move(row));
    }
    return list;
}

}  // namespace onair
