// SPDX-License-Identifier: GPL-3.0-or-later
// What the HubState bills and recovers: media evidence routed to the sessions it bills, and the
// recovery of a previous run at start-up. What waits for the store is writes_'s (pending_writes.h).
#include <algorithm>
#include <string>

#include "hub_state.h"

namespace onair {

// ---- evidence ----

void HubState::evidence(const std::vector<HandleId>& handles, std::int64_t now) {
    for (HandleId handle : handles) {
        evidence_of(handle, now);
    }
}

void HubState::evidence_of(HandleId handle, std::int64_t now) {
    if (Broadcast* broadcast = broadcast_held_by(handle);
        broadcast != nullptr && broadcast->record.started_at != 0) {
        billing_.broadcast_evidence(broadcast->record.broadcast_id, now);
    }
    auto record = handles_.find(handle);
    if (record == handles_.end()) {
        return;
    }
    if (Broadcast* broadcast = broadcasts_.find(record->second.watching); broadcast != nullptr) {
        auto session = broadcast->sessions.find(handle);
        if (session != broadcast->sessions.end() && session->second.stage == ViewerStage::Watching &&
            !session->second.direct) {
            billing_.watch_evidence(broadcast->record, session->second, now, now);
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
            billing_.broadcast_evidence(broadcast->record.broadcast_id, now);
        }
        for (auto& [viewer, session] : broadcast->sessions) {
            if (session.direct && named(session.peer)) {
                session.broadcaster_named_at = now;
                billing_.pair_evidence(broadcast->record, session, now);
            }
        }
    }
    auto record = handles_.find(handle);
    if (record == handles_.end()) {
        return;
    }
    if (Broadcast* broadcast = broadcasts_.find(record->second.watching); broadcast != nullptr) {
        auto session = broadcast->sessions.find(handle);
        if (session != broadcast->sessions.end() && session->second.direct && named(session->second.peer)) {
            session->second.viewer_named_at = now;
            billing_.pair_evidence(broadcast->record, session->second, now);
        }
    }
}

// ---- start-up ----

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
        if (Status counted = billing_.recover(record, site != nullptr, now); !counted) {
            return counted;
        }
        if (site == nullptr) {
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
        broadcasts_.add(std::move(broadcast));
    }
    Status done = store_->atomically([&]() -> Status {
        // The previous run's segments are over: what comes back continues in new ones.
        if (Status closed = store_->close_open_segments(); !closed) {
            return closed;
        }
        for (const BroadcastRecord& record : ended) {
            if (Status saved = store_->save_broadcast(record); !saved) {
                return saved;
            }
        }
        return billing_.write({}, now);  // the events billing_.recover() queued
    });
    billing_.written({}, now);  // stored or not: a failed start-up keeps nothing for later
    return done;
}

}  // namespace onair
