// SPDX-License-Identifier: GPL-3.0-or-later
// The plugin requests of docs/protocol.md, one handler each.
#include <algorithm>

#include "events.h"
#include "hub_state.h"
#include "ids.h"

namespace onair {

namespace {

Reply reply(JsonPtr result, Effects effects = {}) {
    return Reply{std::move(result), false, std::move(effects)};
}

Error not_broadcasting(const char* request) {
    return fail(ErrorCode::WrongState,
                std::string("Not allowed: '") + request + "' needs a broadcast registered on this handle");
}

struct Registration {
    bool resumed = false;
    int heartbeat_interval = 0;
    JsonPtr ice_servers;
    const char* ice_policy = "all";
};

JsonPtr registered_event(const Broadcast& broadcast, const Site& site, Registration registration) {
    const BroadcastRecord& record = broadcast.record;
    return Event("registered")
        .text("broadcast_id", record.broadcast_id)
        .flag("resumed", registration.resumed)
        .flag("audio", site.audio)
        .number("started_at", record.started_at != 0 ? record.started_at : record.registered_at)
        .object("viewers", broadcast.viewers_json())
        .object("granted", broadcast.granted_json())
        .number("heartbeat_interval", registration.heartbeat_interval)
        .text("media", to_string(broadcast.media))
        .flag("simulcast", site.simulcast)
        .flag("relay", broadcast.relayed())
        .object("ice_servers", std::move(registration.ice_servers))
        .text("ice_policy", registration.ice_policy)
        .take();
}

}  // namespace

// ---- broadcaster ----

Result<Reply> HubState::on_broadcast(HandleId handle, const BroadcastRequest& request, std::int64_t now) {
    HandleRecord& record = handles_[handle];
    Result<Identity> identity = authenticate(record, request.who, now);
    if (!identity) {
        return identity.error();
    }
    const Identity& who = identity.value();
    if (!record.watching.empty()) {
        return fail(ErrorCode::WrongState,
                    "Not allowed: this handle is watching; broadcast from another handle");
    }
    const Site& site = *sites_.find(who.site);
    if (Broadcast* existing = broadcast_of(who.site, who.user); existing != nullptr) {
        return resume(handle, *existing, who, site, now);
    }
    if (broadcasts_of_site(site.key) >= site.max_broadcasts) {
        return fail(ErrorCode::LimitExceeded, "Limit exceeded: site '" + site.key + "' already has " +
                                                  std::to_string(site.max_broadcasts) +
                                                  " broadcasts (max_broadcasts)");
    }

    Broadcast broadcast;
    broadcast.record.broadcast_id = new_broadcast_id();
    broadcast.record.site = who.site;
    broadcast.record.user = who.user;
    broadcast.record.name = who.name;
    broadcast.record.registered_at = wall_at(now);
    broadcast.media = site.media;
    if (Status saved = persist(broadcast.record, now); !saved) {
        return saved.error();
    }
    broadcast.broadcaster = handle;
    broadcast.deadline = now + settings_.publish_timeout;
    broadcast.deadline_reason = "publish_timeout";

    const std::string id = broadcast.record.broadcast_id;
    auto& stored = broadcasts_.emplace(id, std::move(broadcast)).first->second;
    by_broadcaster_[{who.site, who.user}] = id;
    record.site = who.site;
    record.user = who.user;
    record.broadcasting = id;
    return reply(registered_event(
        stored, site,
        Registration{false, settings_.heartbeat_interval, ice_servers_for(who.site, who.user, now),
                     ice_policy(stored, stored.media == MediaMode::P2p)}));
}

Result<Reply> HubState::resume(HandleId handle, Broadcast& broadcast, const Identity& identity,
                               const Site& site, std::int64_t now) {
    if (broadcast.record.name != identity.name) {
        BroadcastRecord renamed = broadcast.record;
        renamed.name = identity.name;
        if (Status saved = persist(renamed, now); !saved) {
            return saved.error();
        }
        broadcast.record = std::move(renamed);
    }
    Effects effects;
    const HandleId previous = broadcast.broadcaster;
    if (previous != handle) {
        // An interrupted broadcast keeps its deadline: re-registering from new handles without ever
        // bringing media must not keep it visible (and billed) for ever.
        const bool interrupted = broadcast.state == BroadcastState::Interrupted;
        if (previous != 0) {
            effects.notify(previous, Event("ended").text("reason", "taken_over").take());
            effects.media.emplace_back(ClosePeerConnection{previous});
            handles_[previous].broadcasting.clear();
            if (broadcast.state == BroadcastState::Live) {
                interrupt(broadcast, now, effects);
            }
        }
        broadcast.broadcaster = handle;
        if (broadcast.state != BroadcastState::Live && !interrupted) {
            // The new handle gets the time a fresh registration gets to bring its media up.
            broadcast.deadline = now + settings_.publish_timeout;
            broadcast.deadline_reason = "publish_timeout";
        }
        consent_.show_prompts(broadcast, handle, now, effects);
        pair_again(broadcast, now, effects);
    }
    HandleRecord& record = handles_[handle];
    record.site = identity.site;
    record.user = identity.user;
    record.broadcasting = broadcast.record.broadcast_id;
    return reply(registered_event(broadcast, site,
                                  Registration{true, settings_.heartbeat_interval,
                                               ice_servers_for(identity.site, identity.user, now),
                                               ice_policy(broadcast, broadcast.media == MediaMode::P2p)}),
                 std::move(effects));
}

Status HubState::may_publish(HandleId handle, bool with_offer) {
    const Broadcast* broadcast = broadcast_held_by(handle);
    if (broadcast == nullptr) {
        return not_broadcasting("publish");
    }
    if (with_offer && broadcast->media == MediaMode::P2p) {
        return fail(
            ErrorCode::WrongState,
            "Not allowed: a peer-to-peer broadcast sends no media to the server (publish without jsep)");
    }
    if (with_offer && !broadcast->relayed()) {
        return fail(ErrorCode::WrongState, "Not allowed: publish to the relay only after relay_needed");
    }
    if (!with_offer && broadcast->relayed()) {
        return fail(ErrorCode::MissingElement, "Missing mandatory element (jsep)");
    }
    return Ok{};
}

Result<Reply> HubState::on_publish(HandleId handle, const PublishRequest& request, std::int64_t now) {
    if (Status allowed = may_publish(handle, request.offer); !allowed) {
        return allowed.error();
    }
    Effects effects;
    Broadcast& broadcast = *broadcast_held_by(handle);
    if (!request.offer && broadcast.state != BroadcastState::Live) {
        // "My camera runs": a direct broadcast is live from here on, its evidence the heartbeats.
        go_live(broadcast, handle, now, effects);
    }
    return reply(Event("publishing").take(), std::move(effects));
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
    const Path path = request.accept ? path_for(*broadcast, session.user) : Path::Full;
    if (request.accept && path == Path::Full) {
        return fail(ErrorCode::LimitExceeded,
                    "Limit exceeded: a peer-to-peer broadcast has room for one viewer");
    }
    if (request.accept) {
        consent_.accept(*broadcast, session, now);
        admit(*broadcast, viewer, session, path, false, now, effects);
    } else {
        consent_.deny(*broadcast, viewer, now, effects);
        handles_[viewer].watching.clear();
    }
    return reply(
        Event("answered").text("request_id", request.request_id).flag("accepted", request.accept).take(),
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
    return reply(Event("kicked").text("viewer", request.viewer).take(), std::move(effects));
}

Result<Reply> HubState::on_stop(HandleId handle, std::int64_t now) {
    Broadcast* broadcast = broadcast_held_by(handle);
    if (broadcast == nullptr) {
        return not_broadcasting("stop");
    }
    if (Status saved = persist_end(*broadcast, "stopped", now); !saved) {
        return saved.error();
    }
    Effects effects;
    end_broadcast(broadcast->record.broadcast_id, "stopped", false, effects);
    return reply(Event("ended").text("reason", "stopped").take(), std::move(effects));
}

// ---- viewer ----

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
    Broadcast* broadcast = broadcast_of(who.site, request.target);
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
    if (const HandleId previous = broadcast->granted_handle_of(who.user); previous != 0) {
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
            return reply(Event("waiting")
                             .text("request_id", request_id)
                             .number("expires_in", std::max<std::int64_t>(0, broadcast->deadline - now))
                             .flag("resumed", true)
                             .take(),
                         std::move(effects));
        }
        session.stage = ViewerStage::Accepted;
        ViewerSession& admitted = broadcast->sessions.emplace(handle, std::move(session)).first->second;
        Path path = path_for(*broadcast, who.user);
        if (path == Path::RelayNeeded) {
            move_to_relay(*broadcast, effects);
            path = Path::Relay;
        }
        Reply accepted = reply(accepted_event(*broadcast, admitted, path == Path::Direct, true, now, effects),
                               std::move(effects));
        accepted.offer_in_reply = path != Path::Direct;
        return accepted;
    }

    consent_.ask(*broadcast, handle, std::move(session), now, effects);
    record.site = who.site;
    record.user = who.user;
    record.watching = broadcast->record.broadcast_id;
    return reply(Event("waiting")
                     .text("request_id", request_id)
                     .number("expires_in", settings_.request_timeout)
                     .take(),
                 std::move(effects));
}

ViewerSession* HubState::accepted_session(HandleId handle, Broadcast*& broadcast) {
    auto record = handles_.find(handle);
    broadcast = record == handles_.end() ? nullptr : find_broadcast(record->second.watching);
    if (broadcast == nullptr) {
        return nullptr;
    }
    auto found = broadcast->sessions.find(handle);
    if (found == broadcast->sessions.end() || found->second.stage == ViewerStage::Pending) {
        return nullptr;
    }
    return &found->second;
}

Status HubState::may_start(HandleId handle, bool with_answer) {
    Broadcast* broadcast = nullptr;
    const ViewerSession* session = accepted_session(handle, broadcast);
    if (session == nullptr) {
        return fail(ErrorCode::WrongState, "Not allowed: start needs an accepted watch request");
    }
    const bool direct = session->direct && !session->switching;
    if (direct && with_answer) {
        return fail(ErrorCode::WrongState, "Not allowed: a direct (peer-to-peer) viewer starts without jsep");
    }
    if (!direct && !with_answer) {
        return fail(ErrorCode::MissingElement, "Missing mandatory element (jsep)");
    }
    return Ok{};
}

Result<Reply> HubState::on_start(HandleId handle, const StartRequest& request, std::int64_t now) {
    if (Status allowed = may_start(handle, request.answer); !allowed) {
        return allowed.error();
    }
    Broadcast* broadcast = nullptr;
    ViewerSession* session = accepted_session(handle, broadcast);
    Effects effects;
    const bool switched = session->switching && session->stage == ViewerStage::Watching;
    const bool relay_added = session->switching;
    if (session->switching) {
        // The viewer answered the relay's offer: from now on it watches through the relay.
        session->switching = false;
        session->direct = false;
        effects.media.emplace_back(RelayAddViewer{broadcast->record.broadcast_id, handle});
    }
    if (session->stage == ViewerStage::Accepted) {
        session->stage = ViewerStage::Watching;
        session->since = now;
        session->watch_id = new_watch_id();  // billed from its first evidence (watch_evidence) on
        billing_.viewer_joined(broadcast->record, *session, now);
        if (!session->direct && !relay_added) {
            effects.media.emplace_back(RelayAddViewer{broadcast->record.broadcast_id, handle});
        }
        if (broadcast->broadcaster != 0) {
            effects.notify(broadcast->broadcaster,
                           Event("viewer_joined")
                               .object("viewer", viewer_json(*session))
                               .number("viewers", broadcast->count(ViewerStage::Watching))
                               .take());
        }
    }
    Event watching("watching");
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
    Reply restarting = reply(Event("restarting").take());
    restarting.offer_in_reply = true;
    restarting.ice_restart = true;
    return restarting;
}

Result<Reply> HubState::on_leave(HandleId handle, std::int64_t now) {
    HandleRecord& record = handles_[handle];
    if (!record.broadcasting.empty()) {
        return fail(ErrorCode::WrongState, "Not allowed: a broadcaster ends with stop, not leave");
    }
    Effects effects;
    if (Broadcast* broadcast = find_broadcast(record.watching); broadcast != nullptr) {
        drop_session(*broadcast, handle, "left", now, effects);
    }
    return reply(Event("left").take(), std::move(effects));
}

// ---- presence ----

Result<Reply> HubState::on_presence(HandleId handle, const PresenceRequest& request) {
    if (sites_.find(request.site) == nullptr) {
        return fail(ErrorCode::UnknownSite, "Unknown site '" + request.site + "'");
    }
    presence_.subscribe(handle, request.site, request.users);
    JsonPtr users(json_object());
    for (const std::string& user : request.users) {
        json_object_set_new(users.get(), user.c_str(), json_boolean(is_visible(request.site, user)));
    }
    return reply(Event("presence").object("users", std::move(users)).take());
}

// ---- billing ----

Result<Reply> HubState::on_heartbeat(HandleId handle, const HeartbeatRequest& request, std::int64_t now) {
    heartbeat_evidence(handle, request.peers, now);
    return reply(Event("heartbeat").take());
}

Result<Reply> HubState::on_usage(const UsageRequest& request, std::int64_t now) {
    const Site* site = sites_.find(request.site);
    if (site == nullptr) {
        return fail(ErrorCode::UnknownSite, "Unknown site '" + request.site + "'");
    }
    if (Status allowed = verify_usage_token(*site, request.token, wall_at(now)); !allowed) {
        return allowed.error();
    }
    Result<JsonPtr> usage = billing_.usage(request.site, request.from, request.to, now);
    if (!usage) {
        return usage.error();
    }
    return reply(Event("usage")
                     .text("site", request.site)
                     .text("from", request.from)
                     .text("to", request.to)
                     .object("usage", std::move(usage.value()))
                     .take());
}

}  // namespace onair
