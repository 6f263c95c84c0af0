// SPDX-License-Identifier: GPL-3.0-or-later
// A viewer's session (docs/protocol.md): `watch` (a prompt through consent_, or straight back in
// with a grant), admission by the media path, `start`, `ice_restart`, and its end (`leave`,
// hang-up, `kick`, the Admin API, timeouts).
#include <algorithm>

#include "base/ids.h"
#include "hub_state.h"
#include "model/events.h"

namespace onair {

Result<Reply> HubState::on_watch(HandleId handle, const WatchRequest& request, std::int64_t now) {
    HandleRecord& record = handles_[handle];
    Result<Identity> identity = authenticate(record, request.who, now);
    if (!identity) {
        return identity.error();
    }
    const Identity& who = identity.value();
    if (!record.broadcasting.empty()) {
        return fail(ErrorCode::WrongState,
                    "Not allowed: this handle is broadcasting; watch from another handle");
    }
    if (request.target == who.user) {
        return fail(ErrorCode::WrongState, "Not allowed: you cannot watch your own broadcast");
    }
    Broadcast* broadcast = broadcasts_.of(who.site, request.target);
    if (broadcast == nullptr || broadcast->state == BroadcastState::Registered) {
        return fail(ErrorCode::NotLive, "User '" + request.target + "' is not live");
    }
    const bool granted = broadcast->grants.count(who.user) > 0;
    if (broadcast->state == BroadcastState::Interrupted && !granted) {
        return fail(ErrorCode::NotLive,
                    "User '" + request.target + "' is reconnecting; try again in a moment");
    }
    if (broadcast->has_pending_from(who.user)) {
        return fail(ErrorCode::RateLimited, "Rate limited: a watch request to '" + request.target +
                                                "' is already waiting for an answer");
    }
    if (!record.watching.empty()) {
        return fail(ErrorCode::WrongState,
                    "Not allowed: this handle already watches or asks; send leave first");
    }
    if (broadcast->media == MediaMode::P2p && broadcast->admits_other_than(who.user)) {
        return fail(ErrorCode::LimitExceeded,
                    "Limit exceeded: a peer-to-peer broadcast has room for one viewer");
    }
    const Site& site = *sites_.find(who.site);
    // Users, not handles: a user's new session replaces their old one (below).
    if (broadcast->users_other_than(who.user) >= site.max_viewers) {
        return fail(ErrorCode::LimitExceeded, "Limit exceeded: the broadcast of '" + request.target +
                                                  "' is full (" + std::to_string(site.max_viewers) +
                                                  " viewers)");
    }

    // Every watch counts, the re-admitted ones too: a granted viewer's loop of watch and leave
    // would otherwise grow airtime and outbox rows as fast as it can send.
    if (!watch_limiter_.allow(who.site + '\n' + who.user, now)) {
        return fail(ErrorCode::RateLimited, "Rate limited: at most " + std::to_string(settings_.watch_rate) +
                                                " watch requests per minute");
    }

    // One session per user: a new handle takes over (a reload, a second tab), as a broadcaster's does.
    Effects effects;
    for (const HandleId previous : broadcast->granted_handles_of(who.user)) {
        end_session(*broadcast, previous, "taken_over", now, effects);
    }

    ViewerSession session;
    session.user = who.user;
    session.name = who.name;
    session.name_verified = who.name_verified;
    session.request_id = new_request_id();
    session.since = now;
    const std::string request_id = session.request_id;

    if (granted) {
        // Accepted before into this broadcast (a reload of the viewer's page, a restart): no new
        // prompt. While the broadcaster is away the viewer waits for it.
        consent_.grant(*broadcast, who.user, who.name);
        record.site = who.site;
        record.user = who.user;
        record.watching = broadcast->record.broadcast_id;
        if (broadcast->state == BroadcastState::Interrupted) {
            session.stage = ViewerStage::Held;
            broadcast->sessions.emplace(handle, std::move(session));
            return reply(Event(EventName::Waiting)
                             .text("request_id", request_id)
                             .number("expires_in", std::max<std::int64_t>(0, broadcast->deadline - now))
                             .flag("resumed", true)
                             .take(),
                         std::move(effects));
        }
        session.stage = ViewerStage::Accepted;
        ViewerSession& admitted = broadcast->sessions.emplace(handle, std::move(session)).first->second;
        PluginEvent accepted = admit(*broadcast, admitted, broadcast->path_for(who.user), true, now, effects);
        return reply(std::move(accepted), std::move(effects));
    }

    consent_.ask(*broadcast, handle, std::move(session), now, effects);
    record.site = who.site;
    record.user = who.user;
    record.watching = broadcast->record.broadcast_id;
    return reply(Event(EventName::Waiting)
                     .text("request_id", request_id)
                     .number("expires_in", settings_.request_timeout)
                     .take(),
                 std::move(effects));
}

Result<Reply> HubState::on_answer(HandleId handle, const AnswerRequest& request, std::int64_t now) {
    Broadcast* broadcast = broadcast_held_by(handle);
    const HandleId viewer = broadcast == nullptr ? 0 : broadcast->prompt_handle(request.request_id);
    if (viewer == 0) {
        return fail(ErrorCode::NotFound,
                    "No pending watch request '" + request.request_id + "' for this broadcast");
    }
    Effects effects;
    ViewerSession& session = broadcast->sessions.at(viewer);
    const MediaPath path = request.accept ? broadcast->path_for(session.user) : MediaPath::Full;
    if (request.accept && path == MediaPath::Full) {
        return fail(ErrorCode::LimitExceeded,
                    "Limit exceeded: a peer-to-peer broadcast has room for one viewer");
    }
    if (request.accept) {
        consent_.accept(*broadcast, session, now);
        effects.notify(viewer, admit(*broadcast, session, path, false, now, effects));
    } else {
        consent_.deny(*broadcast, viewer, now, effects);
        handles_[viewer].watching.clear();
    }
    return reply(Event(EventName::Answered)
                     .text("request_id", request.request_id)
                     .flag("accepted", request.accept)
                     .take(),
                 std::move(effects));
}

Result<Reply> HubState::on_kick(HandleId handle, const KickRequest& request, std::int64_t now) {
    Broadcast* broadcast = broadcast_held_by(handle);
    if (broadcast == nullptr) {
        return not_broadcasting("kick");
    }
    Effects effects;
    if (!remove_viewer(*broadcast, request.viewer, "removed", now, effects)) {
        return fail(ErrorCode::NotFound, "No viewer '" + request.viewer + "' in this broadcast");
    }
    return reply(Event(EventName::Kicked).text("viewer", request.viewer).take(), std::move(effects));
}

ViewerSession* HubState::accepted_session(HandleId handle, Broadcast*& broadcast) {
    auto record = handles_.find(handle);
    broadcast = record == handles_.end() ? nullptr : broadcasts_.find(record->second.watching);
    if (broadcast == nullptr) {
        return nullptr;
    }
    auto found = broadcast->sessions.find(handle);
    if (found == broadcast->sessions.end() || found->second.stage == ViewerStage::Pending) {
        return nullptr;
    }
    return &found->second;
}

Result<Reply> HubState::on_start(HandleId handle, std::int64_t now) {
    Broadcast* broadcast = nullptr;  // check_media_request has checked ViewerSession::may_start
    ViewerSession* session = accepted_session(handle, broadcast);
    Effects effects;
    const bool switched = session->switching && session->stage == ViewerStage::Watching;
    const bool relay_added = session->switching;
    if (session->switching) {
        // The viewer answered the relay's offer: from now on it watches through the relay.
        session->switching = false;
        session->direct = false;
        effects.media.emplace_back(RouterAddViewer{broadcast->record.broadcast_id, handle});
    }
    if (session->stage == ViewerStage::Accepted) {
        session->stage = ViewerStage::Watching;
        session->since = now;
        session->watch_id = new_watch_id();  // billed from its first evidence (watch_evidence) on
        billing_.viewer_joined(broadcast->record, *session, now);
        if (!session->direct && !relay_added) {
            effects.media.emplace_back(RouterAddViewer{broadcast->record.broadcast_id, handle});
        }
        if (broadcast->broadcaster != 0) {
            effects.notify(broadcast->broadcaster,
                           Event(EventName::ViewerJoined)
                               .object("viewer", viewer_json(*session))
                               .number("viewers", broadcast->count(ViewerStage::Watching))
                               .take());
        }
    }
    Event watching(EventName::Watching);
    watching.text("media", session->direct ? "p2p" : "sfu")
        .number("heartbeat_interval", settings_.heartbeat_interval);
    if (switched) {
        watching.flag("switched", true);
    }
    return reply(watching.take(), std::move(effects));
}

Result<Reply> HubState::on_ice_restart(HandleId handle) {
    Broadcast* broadcast = nullptr;
    const ViewerSession* session = accepted_session(handle, broadcast);
    if (session == nullptr || (session->direct && !session->switching)) {
        return fail(ErrorCode::WrongState,
                    "Not allowed: ice_restart is for viewers watching through the relay");
    }
    return reply(Event(EventName::Restarting).with_offer(ViewerOffer::IceRestart).take());
}

Result<Reply> HubState::on_leave(HandleId handle, std::int64_t now) {
    HandleRecord& record = handles_[handle];
    if (!record.broadcasting.empty()) {
        return fail(ErrorCode::WrongState, "Not allowed: a broadcaster ends with stop, not leave");
    }
    Effects effects;
    if (Broadcast* broadcast = broadcasts_.find(record.watching); broadcast != nullptr) {
        drop_session(*broadcast, handle, "left", now, effects);
    }
    return reply(Event(EventName::Left).take(), std::move(effects));
}

PluginEvent HubState::admit(Broadcast& broadcast, ViewerSession& session, MediaPath path, bool resumed,
                            std::int64_t now, Effects& effects) {
    if (path == MediaPath::RelayNeeded) {
        broadcast.move_to_relay(effects);
        // The move happens whether or not the store took it: the row is retried until
        // stored.
        writes_.queue(broadcast.record);
        path = MediaPath::Relay;
    }
    return pairing_.accepted_event(broadcast, session, path == MediaPath::Direct, resumed, now, effects);
}

void HubState::drop_session(Broadcast& broadcast, HandleId viewer, const std::string& reason,
                            std::int64_t now, Effects& effects) {
    auto found = broadcast.sessions.find(viewer);
    if (found == broadcast.sessions.end()) {
        return;
    }
    ViewerSession session = std::move(found->second);
    broadcast.sessions.erase(found);
    if (auto record = handles_.find(viewer); record != handles_.end()) {
        record->second.watching.clear();
    }
    if (session.stage == ViewerStage::Held) {
        return;  // nobody was told of it yet
    }
    if (!session.peer.empty() && broadcast.broadcaster != 0) {
        effects.notify(broadcast.broadcaster, bye_event(session.peer));
    }
    if (session.stage == ViewerStage::Pending) {
        consent_.cancel(broadcast, session, now, effects);
        return;
    }
    if (session.stage == ViewerStage::Watching) {
        billing_.watch_ended(broadcast, session, reason, now);
        if (!session.direct) {
            effects.media.emplace_back(RouterRemoveViewer{broadcast.record.broadcast_id, viewer});
        }
        if (broadcast.broadcaster != 0) {
            effects.notify(broadcast.broadcaster,
                           Event(EventName::ViewerLeft)
                               .object("viewer", viewer_json(session))
                               .number("viewers", broadcast.count(ViewerStage::Watching))
                               .take());
        }
    }
}

void HubState::end_session(Broadcast& broadcast, HandleId viewer, const std::string& reason, std::int64_t now,
                           Effects& effects) {
    if (const std::string& peer = broadcast.sessions.at(viewer).peer; !peer.empty()) {
        effects.notify(viewer, bye_event(peer));
    }
    effects.notify(viewer, Event(EventName::Ended).text("reason", reason).take());
    drop_session(broadcast, viewer, reason, now, effects);
    effects.media.emplace_back(ClosePeerConnection{viewer});
}

bool HubState::remove_viewer(Broadcast& broadcast, const std::string& viewer_user, const std::string& reason,
                             std::int64_t now, Effects& effects) {
    bool found = consent_.revoke(broadcast, viewer_user);
    for (HandleId viewer : broadcast.granted_handles_of(viewer_user)) {
        found = true;
        end_session(broadcast, viewer, reason, now, effects);
    }
    return found;
}

}  // namespace onair
