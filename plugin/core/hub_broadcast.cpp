// SPDX-License-Identifier: GPL-3.0-or-later
// A broadcast's lifecycle (docs/protocol.md): registration (`broadcast`, a
// resume or a takeover), going live (`publish`, or the relay's PeerConnection),
// interruptions and its end (`stop`, timeouts, the Admin API).
#include "base/ids.h"
#include "hub_state.h"
#include "model/events.h"

namespace onair {

namespace {

struct Registration {
    bool resumed = false;
    int heartbeat_interval = 0;
    JsonPtr ice_servers;
    const char* ice_policy = "all";
};

// The `registered` reply, with what it tells the Janus layer typed beside it.
Reply registered_reply(const Broadcast& broadcast, const Site& site, Registration registration,
                       Effects effects = {}) {
    const BroadcastRecord& record = broadcast.record;
    Reply registered =
        reply(Event(EventName::Registered)
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
                  .take(),
              std::move(effects));
    registered.registered = Registered{record.broadcast_id, site.audio};
    return registered;
}

}  // namespace

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
    if (Broadcast* existing = broadcasts_.of(who.site, who.user); existing != nullptr) {
        return resume(handle, *existing, who, site, now);
    }
    if (broadcasts_.count_of_site(site.key) >= site.max_broadcasts) {
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
    if (Status saved = writes_.persist(broadcast.record, now); !saved) {
        return saved.error();
    }
    broadcast.broadcaster = handle;
    broadcast.await_media(now + settings_.publish_timeout);

    Broadcast& stored = broadcasts_.add(std::move(broadcast));
    record.site = who.site;
    record.user = who.user;
    record.broadcasting = stored.record.broadcast_id;
    return registered_reply(
        stored, site,
        Registration{false, settings_.heartbeat_interval, pairing_.ice_servers_for(who.site, who.user, now),
                     pairing_.ice_policy(stored, stored.media == MediaMode::P2p)});
}

Result<Reply> HubState::resume(HandleId handle, Broadcast& broadcast, const Identity& identity,
                               const Site& site, std::int64_t now) {
    if (broadcast.record.name != identity.name) {
        BroadcastRecord renamed = broadcast.record;
        renamed.name = identity.name;
        if (Status saved = writes_.persist(renamed, now); !saved) {
            return saved.error();
        }
        broadcast.record = std::move(renamed);
    }
    Effects effects;
    const HandleId previous = broadcast.broadcaster;
    if (previous != handle) {
        // An interrupted broadcast keeps its deadline: re-registering from new
        // handles without ever bringing media must not keep it visible (and billed)
        // for ever.
        const bool interrupted = broadcast.state == BroadcastState::Interrupted;
        if (previous != 0) {
            effects.notify(previous, Event(EventName::Ended).text("reason", "taken_over").take());
            effects.media.emplace_back(ClosePeerConnection{previous});
            handles_[previous].broadcasting.clear();
            if (broadcast.state == BroadcastState::Live) {
                broadcast.interrupt(now + settings_.resume_grace, effects);
            }
        }
        broadcast.broadcaster = handle;
        if (broadcast.state != BroadcastState::Live && !interrupted) {
            // The new handle gets the time a fresh registration gets to bring its
            // media up.
            broadcast.await_media(now + settings_.publish_timeout);
        }
        consent_.show_prompts(broadcast, handle, now, effects);
        pairing_.pair_again(broadcast, now, effects);
    }
    HandleRecord& record = handles_[handle];
    record.site = identity.site;
    record.user = identity.user;
    record.broadcasting = broadcast.record.broadcast_id;
    return registered_reply(broadcast, site,
                            Registration{true, settings_.heartbeat_interval,
                                         pairing_.ice_servers_for(identity.site, identity.user, now),
                                         pairing_.ice_policy(broadcast, broadcast.media == MediaMode::P2p)},
                            std::move(effects));
}

Result<Reply> HubState::on_publish(HandleId handle, const PublishRequest& request, std::int64_t now) {
    Effects effects;  // check_media_request has checked Broadcast::may_publish
    Broadcast& broadcast = *broadcast_held_by(handle);
    if (!request.offer && broadcast.state != BroadcastState::Live) {
        // "My camera runs": a direct broadcast is live from here on, its evidence
        // the heartbeats.
        go_live(broadcast, handle, now, effects);
    }
    return reply(Event(EventName::Publishing).take(), std::move(effects));
}

Result<Reply> HubState::on_stop(HandleId handle, std::int64_t now) {
    Broadcast* broadcast = broadcast_held_by(handle);
    if (broadcast == nullptr) {
        return not_broadcasting("stop");
    }
    if (Status saved = writes_.persist_end(*broadcast, "stopped", now); !saved) {
        return saved.error();
    }
    Effects effects;
    end_broadcast(broadcast->record.broadcast_id, "stopped", false, effects);
    return reply(Event(EventName::Ended).text("reason", "stopped").take(), std::move(effects));
}

void HubState::go_live(Broadcast& broadcast, HandleId handle, std::int64_t now, Effects& effects) {
    const BroadcastState before = broadcast.go_live();
    if (broadcast.record.started_at == 0) {
        broadcast.record.started_at = wall_at(now);  // a time of day; the ledger measures from `now`
        billing_.broadcast_started(broadcast, now);
        // Retried until stored: the media is up whether or not the store took the
        // start time.
        writes_.queue(broadcast.record);
    } else {
        billing_.broadcast_evidence(broadcast.record.broadcast_id, now);
    }
    effects.notify(handle, Event(EventName::Live).take());
    if (before == BroadcastState::Registered) {
        presence_.announce(broadcast.record.site, broadcast.record.user, true, effects);
    } else if (before == BroadcastState::Interrupted) {
        broadcast.notify_viewers(EventName::Resumed, effects);
    }
    // Viewers with a grant who asked while the broadcaster was away come in now.
    for (HandleId viewer : broadcast.held()) {
        ViewerSession& session = broadcast.sessions.at(viewer);
        const MediaPath path = broadcast.path_for(session.user);
        if (path == MediaPath::Full) {
            effects.notify(viewer, Event(EventName::Declined)
                                       .text("request_id", session.request_id)
                                       .text("reason", "full")
                                       .take());
            broadcast.sessions.erase(viewer);
            handles_[viewer].watching.clear();
            continue;
        }
        session.stage = ViewerStage::Accepted;
        session.since = now;
        effects.notify(viewer, admit(broadcast, session, path, true, now, effects));
    }
}

void HubState::end_broadcast(const std::string& broadcast_id, const std::string& reason,
                             bool notify_broadcaster, Effects& effects) {
    const Broadcast* broadcast = broadcasts_.find(broadcast_id);
    if (broadcast == nullptr) {
        return;
    }
    broadcast->end(reason, notify_broadcaster, effects);
    // Its handles are free for a new broadcast or watch.
    for (const auto& [viewer, session] : broadcast->sessions) {
        if (auto record = handles_.find(viewer); record != handles_.end()) {
            record->second.watching.clear();
        }
    }
    if (broadcast->broadcaster != 0) {
        if (auto record = handles_.find(broadcast->broadcaster); record != handles_.end()) {
            record->second.broadcasting.clear();
        }
    }
    if (broadcast->visible()) {
        presence_.announce(broadcast->record.site, broadcast->record.user, false, effects);
    }
    broadcasts_.remove(broadcast_id);
}

}  // namespace onair
