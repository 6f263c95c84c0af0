// SPDX-License-Identifier: GPL-3.0-or-later
#include "billing/billing.h"

#include <algorithm>
#include <map>
#include <utility>

#include "base/json.h"

namespace onair {

namespace {
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxUsageDays = 366;
}  // namespace

Billing::Billing(const Settings& settings, const SiteRegistry& sites, const WallClock& wall_clock,
                 Store* store)
    : report_interval_(settings.report_interval),
      sites_(sites),
      wall_clock_(wall_clock),
      store_(store),
      ledger_(settings.evidence_timeout) {}

std::optional<CallbackTarget> Billing::callback_target(const std::string& site_key) const {
    const Site* site = sites_.find(site_key);
    if (site == nullptr || site->callback_url.empty()) {
        return std::nullopt;
    }
    return CallbackTarget{site->callback_url, site->secret};
}

// ---- evidence ----

void Billing::broadcast_evidence(const std::string& broadcast_id, std::int64_t now) {
    ledger_.evidence(broadcast_id, now, wall_offset_at(now));
}

void Billing::watch_evidence(const BroadcastRecord& record, const ViewerSession& session, std::int64_t when,
                             std::int64_t now) {
    if (session.watch_id.empty()) {
        return;
    }
    // The offset of `now`, not of `when`: the plugin's wall clock reads the real time, whatever
    // steady time it is given.
    const std::int64_t wall_offset = wall_offset_at(now);
    if (ledger_.has(session.watch_id)) {
        ledger_.evidence(session.watch_id, when, wall_offset);
        return;
    }
    ledger_.open(session.watch_id, AirtimeKind::Watch, record.site, session.user, record.broadcast_id, when,
                 wall_offset);
}

void Billing::pair_evidence(const BroadcastRecord& record, const ViewerSession& session, std::int64_t now) {
    if (session.stage != ViewerStage::Watching || session.viewer_named_at == 0 ||
        session.broadcaster_named_at == 0) {
        return;
    }
    // Both ends were there at the earlier of their heartbeats; not before the viewer's `start`.
    const std::int64_t both =
        std::max(std::min(session.viewer_named_at, session.broadcaster_named_at), session.since);
    watch_evidence(record, session, both, now);
}

void Billing::expire(std::int64_t now) { ledger_.expire(now); }

// ---- events ----

void Billing::emit(const BroadcastRecord& record, const char* type, std::int64_t when, JsonPtr data) {
    const Site* site = sites_.find(record.site);
    if (site == nullptr || site->callback_url.empty()) {
        return;  // the site takes no callbacks
    }
    events_.push_back(OutboxEvent{record.site, record.broadcast_id, type, wall_at(when), std::move(data)});
}

void Billing::broadcast_started(Broadcast& broadcast, std::int64_t now) {
    const BroadcastRecord& record = broadcast.record;
    // The ledger measures from `now`; started_at is a time of day.
    ledger_.open(record.broadcast_id, AirtimeKind::Broadcast, record.site, record.user, record.broadcast_id,
                 now, wall_offset_at(now));
    broadcast.next_report_at = now + report_interval_;
    emit(record, "broadcast.started", now,
         JsonObject()
             .text("user", record.user)
             .text("name", record.name)
             .number("started_at", record.started_at)
             .take());
}

void Billing::viewer_requested(const BroadcastRecord& record, const ViewerSession& session,
                               std::int64_t now) {
    emit(record, "viewer.requested", now,
         JsonObject()
             .text("user", record.user)
             .text("viewer", session.user)
             .text("viewer_name", session.name)
             .text("request_id", session.request_id)
             .take());
}

void Billing::viewer_accepted(const BroadcastRecord& record, const ViewerSession& session, std::int64_t now) {
    emit(record, "viewer.accepted", now,
         JsonObject()
             .text("user", record.user)
             .text("viewer", session.user)
             .text("request_id", session.request_id)
             .take());
}

void Billing::viewer_declined(const BroadcastRecord& record, const ViewerSession& session,
                              const std::string& reason, std::int64_t now) {
    emit_viewer_declined(record, session.user, session.request_id, reason, now);
}

void Billing::emit_viewer_declined(const BroadcastRecord& record, const std::string& viewer,
                                   const std::string& request_id, const std::string& reason,
                                   std::int64_t now) {
    emit(record, "viewer.declined", now,
         JsonObject()
             .text("user", record.user)
             .text("viewer", viewer)
             .text("request_id", request_id)
             .text("reason", reason)
             .take());
}

void Billing::viewer_joined(const BroadcastRecord& record, const ViewerSession& session, std::int64_t now) {
    emit(record, "viewer.joined", now,
         JsonObject()
             .text("user", record.user)
             .text("viewer", session.user)
             .text("watch_id", session.watch_id)
             .take());
}

void Billing::watch_ended(Broadcast& broadcast, const ViewerSession& session, const std::string& reason,
                          std::int64_t now) {
    if (session.watch_id.empty()) {
        return;
    }
    const std::int64_t seconds = ledger_.close(session.watch_id);
    broadcast.ended_since_report.insert_or_assign(session.user, FinishedWatch{session.watch_id, seconds});
    emit_viewer_left(broadcast.record, session.user, session.watch_id, seconds, reason, now);
}

void Billing::emit_viewer_left(const BroadcastRecord& record, const std::string& viewer,
                               const std::string& watch_id, std::int64_t seconds, const std::string& reason,
                               std::int64_t now) {
    emit(record, "viewer.left", now,
         JsonObject()
             .text("user", record.user)
             .text("viewer", viewer)
             .text("watch_id", watch_id)
             .number("watch_seconds", seconds)
             .text("reason", reason)
             .take());
}

void Billing::broadcast_ended(const Broadcast& broadcast, const BroadcastRecord& ended, std::int64_t now) {
    for (const auto& [viewer, session] : broadcast.sessions) {
        if (session.stage == ViewerStage::Pending) {
            emit_viewer_declined(ended, session.user, session.request_id, "ended", now);
        } else if (session.stage == ViewerStage::Watching && !session.watch_id.empty()) {
            const std::int64_t seconds = ledger_.close(session.watch_id);
            emit_viewer_left(ended, session.user, session.watch_id, seconds, "ended", now);
        }
    }
    const std::int64_t seconds = ledger_.close(ended.broadcast_id);
    emit_broadcast_ended(ended, ended.ended_at, ended.end_reason, seconds, now);
}

void Billing::emit_broadcast_ended(const BroadcastRecord& record, std::int64_t ended_at,
                                   const std::string& reason, std::int64_t seconds, std::int64_t now) {
    emit(record, "broadcast.ended", now,
         JsonObject()
             .text("user", record.user)
             .number("ended_at", ended_at)
             .text("reason", reason)
             .number("broadcast_seconds", seconds)
             .take());
}

bool Billing::report_due(const Broadcast& broadcast, std::int64_t now) const {
    return broadcast.next_report_at != 0 && now >= broadcast.next_report_at;
}

void Billing::report_airtime(Broadcast& broadcast, std::int64_t now) {
    // The next report keeps its rhythm unless the timer fell far behind.
    broadcast.next_report_at += report_interval_;
    if (broadcast.next_report_at <= now) {
        broadcast.next_report_at = now + report_interval_;
    }
    // One entry per viewer who watched since the last report: its open watch session, or else its
    // latest one that ended in between. Earlier sessions have their final seconds in viewer.left,
    // so the size is bounded by the viewers of one interval, not by how often they came and went.
    std::map<std::string, FinishedWatch> latest = std::move(broadcast.ended_since_report);
    broadcast.ended_since_report.clear();
    for (const auto& [handle, session] : broadcast.sessions) {
        if (session.stage == ViewerStage::Watching && !session.watch_id.empty()) {
            latest.insert_or_assign(session.user,
                                    FinishedWatch{session.watch_id, ledger_.seconds(session.watch_id)});
        }
    }
    JsonPtr viewers(json_array());
    for (const auto& [viewer, watch] : latest) {
        json_array_append_new(viewers.get(), JsonObject()
                                                 .text("viewer", viewer)
                                                 .text("watch_id", watch.watch_id)
                                                 .number("watch_seconds", watch.seconds)
                                                 .take()
                                                 .release());
    }
    // The seconds reported must be stored by the same commit: a crash never takes them back.
    flush_airtime_ = true;
    emit(broadcast.record, "airtime.report", now,
         JsonObject()
             .text("user", broadcast.record.user)
             .number("broadcast_seconds", ledger_.seconds(broadcast.record.broadcast_id))
             .object("viewers", std::move(viewers))
             .take());
}

// ---- writing ----

std::vector<AirtimeSegment> Billing::unsaved_segments(std::int64_t now) const {
    return ledger_.dirty(now, flush_airtime_);
}

Status Billing::write(const std::vector<AirtimeSegment>& segments, std::int64_t now) {
    if (Status saved = store_->save_segments(segments); !saved) {
        return saved;
    }
    for (const OutboxEvent& event : events_) {
        // Due at once on the sender's clock, the core's steady one: a wall-clock step must neither
        // hold a new event back for the length of the step nor rush it.
        if (Status queued = store_->append_event(event, now); !queued) {
            return queued;
        }
    }
    return Ok{};
}

void Billing::written(const std::vector<AirtimeSegment>& segments, std::int64_t now) {
    events_.clear();
    ledger_.written(segments, now);
    flush_airtime_ = false;
}

void Billing::roll_back(Checkpoint&& before) {
    ledger_ = std::move(before.ledger);
    events_.resize(before.events);
}

// ---- start-up and queries ----

Status Billing::recover(const BroadcastRecord& record, bool resumes, std::int64_t now) {
    Result<std::vector<AirtimeSegment>> segments = store_->segments_of_broadcast(record.broadcast_id);
    if (!segments) {
        return segments.error();
    }
    // Totals per session, from what the previous run saved (at most kPersistEvery seconds behind).
    struct Total {
        AirtimeKind kind = AirtimeKind::Broadcast;
        std::string user;
        std::int64_t seconds = 0;
        std::int64_t first_started = 0;  // steady time, as the previous run measured it
        std::int64_t last_evidence = 0;
        bool open = false;
        AirtimeSegment last;  // the latest segment
    };
    std::map<std::string, Total> totals;
    for (const AirtimeSegment& segment : segments.value()) {
        Total& total = totals[segment.session_id];
        total.kind = segment.kind;
        total.user = segment.user;
        total.seconds += segment.seconds();
        if (segment.index == 0) {
            total.first_started = segment.started_at;
        }
        total.last_evidence = std::max(total.last_evidence, segment.last_evidence);
        total.open = total.open || !segment.closed;
        if (segment.index >= total.last.index) {
            total.last = segment;
        }
    }
    std::int64_t broadcast_seconds = 0;
    std::int64_t ended_at = record.started_at;
    for (const auto& [session_id, total] : totals) {
        if (total.kind == AirtimeKind::Broadcast) {
            broadcast_seconds = total.seconds;
            // A time of day: the wall start plus the steady time to the last evidence, so a
            // wall-clock step during the previous run moves neither.
            ended_at += std::max<std::int64_t>(0, total.last_evidence - total.first_started);
            if (resumes) {
                ledger_.restore(total.last, total.seconds - total.last.seconds());
            }
        } else if (total.open) {
            // Viewer sessions do not survive: viewers come back with new ones.
            emit_viewer_left(record, total.user, session_id, total.seconds, kRestartReason, now);
        }
    }
    if (!resumes) {
        emit_broadcast_ended(record, ended_at, kRestartReason, broadcast_seconds, now);
    }
    return Ok{};
}

Result<JsonPtr> Billing::usage(const std::string& site, const std::string& from, const std::string& to,
                               std::int64_t now) {
    std::int64_t first = 0;
    std::int64_t last = 0;
    if (!parse_day(from, first)) {
        return fail(ErrorCode::InvalidElement, "Invalid element: from must be a date YYYY-MM-DD");
    }
    if (!parse_day(to, last)) {
        return fail(ErrorCode::InvalidElement, "Invalid element: to must be a date YYYY-MM-DD");
    }
    if (last < first) {
        return fail(ErrorCode::InvalidElement, "Invalid element: to must not be before from");
    }
    if ((last - first) / kDay + 1 > kMaxUsageDays) {
        return fail(ErrorCode::InvalidElement, "Invalid element: the range from..to is at most 366 days");
    }
    JsonPtr list(json_array());
    if (store_ == nullptr) {
        return list;
    }
    // Sessions in progress count up to their last evidence: save it all first.
    std::vector<AirtimeSegment> segments = ledger_.dirty(now, true);
    if (Status saved = store_->save_segments(segments); saved) {
        ledger_.written(segments, now);
    }
    Result<std::vector<AirtimeSegment>> stored = store_->segments_between(site, first, last + kDay);
    if (!stored) {
        return stored.error();
    }
    for (const UsageRow& row : usage_by_day(stored.value(), first, last + kDay)) {
        json_array_append_new(list.get(), JsonObject()
                                              .text("user", row.user)
                                              .text("day", row.day)
                                              .number("broadcast_seconds", row.broadcast_seconds)
                                              .number("watch_seconds", row.watch_seconds)
                                              .take()
                                              .release());
    }
    return list;
}

}  // namespace onair
