// SPDX-License-Identifier: GPL-3.0-or-later
// Airtime accounting and billing events (docs/billing.md): the HubState's side of it. Everything
// here runs under the Hub's lock and only queues: commit() writes the queue and the ledger's
// changes to the Store in one transaction, and the callback sender delivers from there.
#include <algorithm>
#include <map>
#include <string>

#include "events.h"
#include "hub_state.h"

namespace onair {

namespace {
constexpr const char* kRestartReason = "restart";
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxUsageDays = 366;
}  // namespace

void HubState::evidence(const std::vector<HandleId>& handles, std::int64_t now) {
    for (HandleId handle : handles) {
        evidence_of(handle, now);
    }
}

void HubState::evidence_of(HandleId handle, std::int64_t now) {
    if (Broadcast* broadcast = broadcast_held_by(handle);
        broadcast != nullptr && broadcast->record.started_at != 0) {
        ledger_.evidence(broadcast->record.broadcast_id, now, wall_offset_at(now));
    }
    auto record = handles_.find(handle);
    if (record == handles_.end()) {
        return;
    }
    if (Broadcast* broadcast = find_broadcast(record->second.watching); broadcast != nullptr) {
        auto session = broadcast->sessions.find(handle);
        if (session != broadcast->sessions.end() && session->second.stage == ViewerStage::Watching &&
            !session->second.direct) {
            watch_evidence(*broadcast, session->second, now, now);
        }
    }
}

void HubState::heartbeat_evidence(HandleId handle, const std::vector<std::string>& peers, std::int64_t now) {
    const auto named = [&peers](const std::string& peer) {
        return !peer.empty() && std::find(peers.begin(), peers.end(), peer) != peers.end();
    };
    if (Broadcast* broadcast = broadcast_held_by(handle); broadcast != nullptr) {
        // A relayed broadcast's evidence is its RTP: a heartbeat alone never bills a relay session.
        if (broadcast->record.started_at != 0 && !broadcast->relayed()) {
            ledger_.evidence(broadcast->record.broadcast_id, now, wall_offset_at(now));
        }
        for (auto& [viewer, session] : broadcast->sessions) {
            if (session.direct && named(session.peer)) {
                session.broadcaster_named_at = now;
                pair_evidence(*broadcast, session, now);
            }
        }
    }
    auto record = handles_.find(handle);
    if (record == handles_.end()) {
        return;
    }
    if (Broadcast* broadcast = find_broadcast(record->second.watching); broadcast != nullptr) {
        auto session = broadcast->sessions.find(handle);
        if (session != broadcast->sessions.end() && session->second.direct && named(session->second.peer)) {
            session->second.viewer_named_at = now;
            pair_evidence(*broadcast, session->second, now);
        }
    }
}

void HubState::pair_evidence(const Broadcast& broadcast, const ViewerSession& session, std::int64_t now) {
    if (session.stage != ViewerStage::Watching || session.viewer_named_at == 0 ||
        session.broadcaster_named_at == 0) {
        return;
    }
    // Both ends were there at the earlier of their heartbeats; not before the viewer's `start`.
    const std::int64_t both =
        std::max(std::min(session.viewer_named_at, session.broadcaster_named_at), session.since);
    watch_evidence(broadcast, session, both, now);
}

void HubState::watch_evidence(const Broadcast& broadcast, const ViewerSession& session, std::int64_t when,
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
    const BroadcastRecord& record = broadcast.record;
    ledger_.open(session.watch_id, AirtimeKind::Watch, record.site, session.user, record.broadcast_id, when,
                 wall_offset);
}

std::optional<CallbackTarget> HubState::callback_target(const std::string& site_key) const {
    const Site* site = sites_.find(site_key);
    if (site == nullptr || site->callback_url.empty()) {
        return std::nullopt;
    }
    return CallbackTarget{site->callback_url, site->secret};
}

void HubState::emit(const BroadcastRecord& record, const char* type, std::int64_t when, JsonPtr data) {
    const Site* site = sites_.find(record.site);
    if (site == nullptr || site->callback_url.empty()) {
        return;  // the site takes no callbacks
    }
    outgoing_.push_back(OutboxEvent{record.site, record.broadcast_id, type, wall_at(when), std::move(data)});
}

void HubState::watch_ended(Broadcast& broadcast, ViewerSession& session, const std::string& reason,
                           std::int64_t now) {
    if (session.watch_id.empty()) {
        return;
    }
    const std::int64_t seconds = ledger_.close(session.watch_id);
    broadcast.ended_since_report.insert_or_assign(session.user, FinishedWatch{session.watch_id, seconds});
    emit_viewer_left(broadcast.record, session.user, session.watch_id, seconds, reason, now);
}

void HubState::emit_viewer_left(const BroadcastRecord& record, const std::string& viewer,
                                const std::string& watch_id, std::int64_t seconds, const std::string& reason,
                                std::int64_t now) {
    emit(record, "viewer.left", now,
         Event(nullptr)
             .text("user", record.user)
             .text("viewer", viewer)
             .text("watch_id", watch_id)
             .number("watch_seconds", seconds)
             .text("reason", reason)
             .take());
}

Status HubState::append_outgoing(std::int64_t now) {
    for (const OutboxEvent& event : outgoing_) {
        // Due at once on the sender's clock, which is the wall clock.
        if (Status queued = store_->append_event(event, wall_at(now)); !queued) {
            return queued;
        }
    }
    return Ok{};
}

void HubState::emit_viewer_declined(const BroadcastRecord& record, const std::string& viewer,
                                    const std::string& request_id, const std::string& reason,
                                    std::int64_t now) {
    emit(record, "viewer.declined", now,
         Event(nullptr)
             .text("user", record.user)
             .text("viewer", viewer)
             .text("request_id", request_id)
             .text("reason", reason)
             .take());
}

void HubState::emit_broadcast_ended(const BroadcastRecord& record, std::int64_t ended_at,
                                    const std::string& reason, std::int64_t seconds, std::int64_t now) {
    emit(record, "broadcast.ended", now,
         Event(nullptr)
             .text("user", record.user)
             .number("ended_at", ended_at)
             .text("reason", reason)
             .number("broadcast_seconds", seconds)
             .take());
}

void HubState::report_airtime(Broadcast& broadcast, std::int64_t now) {
    if (broadcast.next_report_at == 0 || now < broadcast.next_report_at) {
        return;
    }
    if (!check_store_backlog()) {
        return;  // due again at the next tick: a later report carries the same seconds and more
    }
    // The next report keeps its rhythm unless the timer fell far behind.
    broadcast.next_report_at += settings_.report_interval;
    if (broadcast.next_report_at <= now) {
        broadcast.next_report_at = now + settings_.report_interval;
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
        json_array_append_new(viewers.get(), Event(nullptr)
                                                 .text("viewer", viewer)
                                                 .text("watch_id", watch.watch_id)
                                                 .number("watch_seconds", watch.seconds)
                                                 .take()
                                                 .release());
    }
    // The seconds reported must be stored by the same commit: a crash never takes them back.
    flush_airtime_ = true;
    emit(broadcast.record, "airtime.report", now,
         Event(nullptr)
             .text("user", broadcast.record.user)
             .number("broadcast_seconds", ledger_.seconds(broadcast.record.broadcast_id))
             .object("viewers", std::move(viewers))
             .take());
}

Status HubState::commit(std::int64_t now, const BroadcastRecord* record,
                        const std::function<Status()>& also) {
    if (record != nullptr) {
        unsaved_records_.push_back(*record);
    }
    std::vector<AirtimeSegment> segments = ledger_.dirty(now, flush_airtime_);
    const bool nothing =
        unsaved_records_.empty() && grant_changes_.empty() && segments.empty() && outgoing_.empty() && !also;
    Status done = Ok{};
    if (store_ && !nothing) {
        done = store_->atomically([&]() -> Status {
            for (const BroadcastRecord& unsaved : unsaved_records_) {
                if (Status saved = store_->save_broadcast(unsaved); !saved) {
                    return saved;
                }
            }
            for (const GrantChange& change : grant_changes_) {
                Status saved = change.granted
                                   ? store_->save_grant(change.broadcast_id, change.user, change.name)
                                   : store_->delete_grant(change.broadcast_id, change.user);
                if (!saved) {
                    return saved;
                }
            }
            if (Status saved = store_->save_segments(segments); !saved) {
                return saved;
            }
            if (Status queued = append_outgoing(now); !queued) {
                return queued;
            }
            return also ? also() : Status{Ok{}};
        });
    }
    if (!done) {
        return done;  // all of it stays queued for the next commit
    }
    unsaved_records_.clear();
    grant_changes_.clear();
    outgoing_.clear();
    ledger_.written(segments, now);
    flush_airtime_ = false;
    return done;
}

std::size_t HubState::unstored() const {
    return outgoing_.size() + unsaved_records_.size() + grant_changes_.size() + ledger_.unsaved_closed();
}

Status HubState::check_store_backlog() const {
    if (unstored() < Hub::kMaxUnstored) {
        return Ok{};
    }
    return fail(ErrorCode::Internal, "Internal error: the store is failing; " + std::to_string(unstored()) +
                                         " changes wait to be stored");
}

HubState::Checkpoint HubState::checkpoint() const {
    return Checkpoint{ledger_, outgoing_.size(), unsaved_records_.size(), grant_changes_.size()};
}

void HubState::roll_back(Checkpoint&& before) {
    ledger_ = std::move(before.ledger);
    outgoing_.resize(before.events);
    unsaved_records_.resize(before.records);
    grant_changes_.resize(before.grant_changes);
}

Status HubState::recover_previous_run(std::int64_t now) {
    if (!store_) {
        return Ok{};
    }
    Result<std::vector<BroadcastRecord>> unended = store_->unended_broadcasts();
    if (!unended) {
        return unended.error();
    }
    std::vector<BroadcastRecord> ended;
    for (const BroadcastRecord& record : unended.value()) {
        const Site* site = sites_.find(record.site);
        if (record.started_at == 0 || site == nullptr) {
            // Never live (or its site is gone): nothing to come back to.
            BroadcastRecord over = record;
            over.ended_at = wall_at(now);
            over.end_reason = kRestartReason;
            ended.push_back(std::move(over));
        }
        if (record.started_at == 0) {
            continue;
        }
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
                if (site != nullptr) {
                    ledger_.restore(total.last, total.seconds - total.last.seconds());
                }
            } else if (total.open) {
                // Viewer sessions do not survive: viewers come back with new ones.
                emit_viewer_left(record, total.user, session_id, total.seconds, kRestartReason, now);
            }
        }
        if (site == nullptr) {
            emit_broadcast_ended(record, ended_at, kRestartReason, broadcast_seconds, now);
            continue;
        }
        Result<std::map<std::string, std::string>> grants = store_->grants_of(record.broadcast_id);
        if (!grants) {
            return grants.error();
        }
        // Back as interrupted: its broadcaster has restart_grace to return, its viewers need no new
        // consent; then it ends with reason `restart` (and broadcast.ended) like any interruption.
        Broadcast broadcast;
        broadcast.record = record;
        broadcast.media = site->media;
        broadcast.state = BroadcastState::Interrupted;
        broadcast.deadline = now + settings_.restart_grace;
        broadcast.deadline_reason = kRestartReason;
        broadcast.grants = std::move(grants.value());
        broadcast.next_report_at = now + settings_.report_interval;
        by_broadcaster_[{record.site, record.user}] = record.broadcast_id;
        broadcasts_.emplace(record.broadcast_id, std::move(broadcast));
    }
    Status done = store_->atomically([&]() -> Status {
        if (Status closed = store_->close_open_segments(); !closed) {
            return closed;
        }
        for (const BroadcastRecord& record : ended) {
            if (Status saved = store_->save_broadcast(record); !saved) {
                return saved;
            }
        }
        return append_outgoing(now);
    });
    outgoing_.clear();
    return done;
}

Result<JsonPtr> HubState::usage_of(const std::string& site, const std::string& from, const std::string& to,
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
    if (!store_) {
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
        json_array_append_new(list.get(), Event(nullptr)
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
