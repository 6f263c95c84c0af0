// SPDX-License-Identifier: GPL-3.0-or-later
// Media paths of docs/protocol.md: direct (peer-to-peer) viewers, whose browsers connect to the
// broadcaster's with the plugin relaying only their signaling, and the move of an `auto` broadcast
// to the relay (make-before-break: direct viewers switch once the relay's publisher is up).
#include <algorithm>

#include "events.h"
#include "hub_state.h"
#include "ids.h"

namespace onair {

HubState::Path HubState::path_for(const Broadcast& broadcast, const std::string& viewer_user) const {
    if (broadcast.relayed()) {
        return Path::Relay;
    }
    if (!broadcast.admits_other_than(viewer_user)) {
        return Path::Direct;
    }
    return broadcast.media == MediaMode::P2p ? Path::Full : Path::RelayNeeded;
}

void HubState::move_to_relay(Broadcast& broadcast, Effects& effects) {
    BroadcastRecord record = broadcast.record;
    record.relay = true;
    // The move happens whether or not the store took it: the row is retried until stored.
    unsaved_records_.push_back(record);
    broadcast.record = std::move(record);
    if (broadcast.broadcaster != 0) {
        effects.notify(broadcast.broadcaster, Event("relay_needed").take());
    }
}

JsonPtr HubState::ice_servers_for(const std::string& site, const std::string& user, std::int64_t now) const {
    return ice_servers_.for_user(site, user, wall_at(now));  // the TURN server checks it on its clock
}

const char* HubState::ice_policy(const Broadcast& broadcast, bool direct) const {
    const Site* site = sites_.find(broadcast.record.site);
    return direct && site != nullptr && site->p2p_relay_only ? "relay" : "all";
}

JsonPtr HubState::accepted_event(Broadcast& broadcast, ViewerSession& session, bool direct, bool resumed,
                                 std::int64_t now, Effects& effects) {
    Event accepted("accepted");
    accepted.text("request_id", session.request_id).text("media", direct ? "p2p" : "sfu");
    session.direct = direct;
    session.switching = false;
    if (direct) {
        session.peer = new_peer_id();
        session.viewer_named_at = 0;
        session.broadcaster_named_at = 0;
        accepted.text("peer", session.peer);
        if (broadcast.broadcaster != 0) {
            effects.notify(
                broadcast.broadcaster,
                Event("peer")
                    .text("peer", session.peer)
                    .object("viewer", viewer_json(session))
                    .object("ice_servers", ice_servers_for(broadcast.record.site, broadcast.record.user, now))
                    .text("ice_policy", ice_policy(broadcast, true))
                    .take());
        }
    }
    accepted.object("ice_servers", ice_servers_for(broadcast.record.site, session.user, now))
        .text("ice_policy", ice_policy(broadcast, direct));
    if (resumed) {
        accepted.flag("resumed", true);
    }
    return accepted.take();
}

void HubState::admit(Broadcast& broadcast, HandleId viewer, ViewerSession& session, Path path, bool resumed,
                     std::int64_t now, Effects& effects) {
    if (path == Path::RelayNeeded) {
        move_to_relay(broadcast, effects);
        path = Path::Relay;
    }
    JsonPtr accepted = accepted_event(broadcast, session, path == Path::Direct, resumed, now, effects);
    if (path == Path::Direct) {
        effects.notify(viewer, std::move(accepted));
    } else {
        effects.media.emplace_back(SendViewerOffer{viewer, std::move(accepted)});
    }
}

void HubState::go_live(Broadcast& broadcast, HandleId handle, std::int64_t now, Effects& effects) {
    const BroadcastState before = broadcast.state;
    broadcast.state = BroadcastState::Live;
    broadcast.deadline = 0;
    broadcast.deadline_reason.clear();
    if (broadcast.record.started_at == 0) {
        broadcast.record.started_at = wall_at(now);  // a time of day; the ledger measures from `now`
        billing_.broadcast_started(broadcast, now);
        // Retried until stored: the media is up whether or not the store took the start time.
        unsaved_records_.push_back(broadcast.record);
    } else {
        billing_.broadcast_evidence(broadcast.record.broadcast_id, now);
    }
    effects.notify(handle, Event("live").take());
    if (before == BroadcastState::Registered) {
        announce(broadcast, true, effects);
    } else if (before == BroadcastState::Interrupted) {
        notify_viewers(broadcast, "resumed", effects);
    }
    // Viewers with a grant who asked while the broadcaster was away come in now.
    std::vector<HandleId> held;
    for (const auto& [viewer, session] : broadcast.sessions) {
        if (session.stage == ViewerStage::Held) {
            held.push_back(viewer);
        }
    }
    for (HandleId viewer : held) {
        ViewerSession& session = broadcast.sessions.at(viewer);
        const Path path = path_for(broadcast, session.user);
        if (path == Path::Full) {
            effects.notify(
                viewer,
                Event("declined").text("request_id", session.request_id).text("reason", "full").take());
            broadcast.sessions.erase(viewer);
            handles_[viewer].watching.clear();
            continue;
        }
        session.stage = ViewerStage::Accepted;
        session.since = now;
        admit(broadcast, viewer, session, path, true, now, effects);
    }
}

void HubState::offer_switch(Broadcast& broadcast, Effects& effects) {
    if (!broadcast.relayed() || !broadcast.relay_up) {
        return;
    }
    for (auto& [viewer, session] : broadcast.sessions) {
        if (session.admitted() && session.direct && !session.switching) {
            session.switching = true;
            effects.media.emplace_back(
                SendViewerOffer{viewer, Event("switch").text("request_id", session.request_id).take()});
        }
    }
}

void HubState::pair_again(Broadcast& broadcast, std::int64_t now, Effects& effects) {
    if (broadcast.relayed()) {
        return;  // direct viewers switch once the relay's publisher is up
    }
    for (auto& [viewer, session] : broadcast.sessions) {
        if (session.admitted() && session.direct) {
            effects.notify(viewer, accepted_event(broadcast, session, true, true, now, effects));
        }
    }
}

Result<Reply> HubState::on_signal(HandleId handle, const SignalRequest& request) {
    Broadcast* broadcast = broadcast_held_by(handle);
    const bool from_broadcaster = broadcast != nullptr;
    ViewerSession* session = nullptr;
    HandleId other = 0;
    if (from_broadcaster) {
        auto found =
            std::find_if(broadcast->sessions.begin(), broadcast->sessions.end(),
                         [&request](const auto& entry) { return entry.second.peer == request.peer; });
        if (found != broadcast->sessions.end()) {
            session = &found->second;
            other = found->first;
        }
    } else if (auto record = handles_.find(handle); record != handles_.end()) {
        broadcast = find_broadcast(record->second.watching);
        auto found = broadcast == nullptr ? std::map<HandleId, ViewerSession>::iterator()
                                          : broadcast->sessions.find(handle);
        if (broadcast != nullptr && found != broadcast->sessions.end() &&
            found->second.peer == request.peer) {
            session = &found->second;
            other = broadcast->broadcaster;
        }
    }
    if (session == nullptr) {
        return fail(ErrorCode::NotFound, "No peer '" + request.peer + "' of this handle");
    }
    const SignalKind kind = request.kind;
    if (kind == SignalKind::Offer && !from_broadcaster) {
        return fail(ErrorCode::WrongState, "Not allowed: only the broadcaster sends offers");
    }
    if (kind == SignalKind::Answer && from_broadcaster) {
        return fail(ErrorCode::WrongState, "Not allowed: only the viewer answers");
    }
    if (kind == SignalKind::Restart && from_broadcaster) {
        return fail(ErrorCode::WrongState,
                    "Not allowed: the viewer asks for an ICE restart, the broadcaster offers it");
    }
    const char* key = "candidate";
    if (kind == SignalKind::Offer || kind == SignalKind::Answer) {
        key = "sdp";
    } else if (kind == SignalKind::Restart) {
        key = "restart";
    } else if (kind == SignalKind::Bye) {
        key = "bye";
    }
    Effects effects;
    if (other != 0) {
        effects.notify(
            other,
            Event("signal").text("peer", request.peer).object(key, json_share(request.payload.get())).take());
    }
    if (kind == SignalKind::Bye && !session->direct) {
        session->peer.clear();  // the direct connection of a switched viewer is over for good
    }
    return Reply{Event("signalled").text("peer", request.peer).take(), false, std::move(effects)};
}

}  // namespace onair
