// SPDX-License-Identifier: GPL-3.0-or-later
#include "pairing.h"

#include <algorithm>
#include <map>

#include "base/ids.h"
#include "model/events.h"

namespace onair {

Pairing::Pairing(const Settings& settings, const SiteRegistry& sites, const WallClock& wall_clock)
    : sites_(sites),
      wall_clock_(wall_clock),
      ice_servers_(settings.turn_uris, settings.turn_secret, settings.turn_ttl, settings.stun_uris) {}

JsonPtr Pairing::ice_servers_for(const std::string& site, const std::string& user, std::int64_t now) const {
    return ice_servers_.for_user(site, user, wall_clock_(now));  // the TURN server checks it on its clock
}

const char* Pairing::ice_policy(const Broadcast& broadcast, bool direct) const {
    const Site* site = sites_.find(broadcast.record.site);
    return direct && site != nullptr && site->p2p_relay_only ? "relay" : "all";
}

PluginEvent Pairing::accepted_event(const Broadcast& broadcast, ViewerSession& session, bool direct,
                                    bool resumed, std::int64_t now, Effects& effects) const {
    Event accepted(EventName::Accepted);
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
                Event(EventName::Peer)
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
    if (!direct) {
        accepted.with_offer(ViewerOffer::Fresh);  // the relay's offer goes with it
    }
    return accepted.take();
}

void Pairing::offer_switch(Broadcast& broadcast, Effects& effects) const {
    if (!broadcast.relayed() || !broadcast.relay_up) {
        return;
    }
    for (auto& [viewer, session] : broadcast.sessions) {
        if (session.admitted() && session.direct && !session.switching) {
            session.switching = true;
            effects.notify(viewer, Event(EventName::Switch)
                                       .text("request_id", session.request_id)
                                       .with_offer(ViewerOffer::Fresh)
                                       .take());
        }
    }
}

void Pairing::pair_again(Broadcast& broadcast, std::int64_t now, Effects& effects) const {
    if (broadcast.relayed()) {
        return;  // direct viewers switch once the relay's publisher is up
    }
    for (auto& [viewer, session] : broadcast.sessions) {
        if (session.admitted() && session.direct) {
            effects.notify(viewer, accepted_event(broadcast, session, true, true, now, effects));
        }
    }
}

Result<PluginEvent> Pairing::signal(Broadcast* broadcast, HandleId handle, bool from_broadcaster,
                                    const SignalRequest& request, Effects& effects) const {
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
    } else if (broadcast != nullptr) {
        auto found = broadcast->sessions.find(handle);
        if (found != broadcast->sessions.end() && found->second.peer == request.peer) {
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
    if (other != 0) {
        effects.notify(other, Event(EventName::Signal)
                                  .text("peer", request.peer)
                                  .object(key, json_share(request.payload.get()))
                                  .take());
    }
    if (kind == SignalKind::Bye && !session->direct) {
        session->peer.clear();  // the direct connection of a switched viewer is over for good
    }
    return Event(EventName::Signalled).text("peer", request.peer).take();
}

}  // namespace onair
