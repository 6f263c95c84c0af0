// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "base/settings.h"
#include "base/site.h"
#include "ice_servers.h"
#include "model/broadcast.h"
#include "model/effects.h"
#include "request.h"

namespace onair {

// Direct pairing (docs/protocol.md): direct (peer-to-peer) viewers, whose browsers connect to the
// broadcaster's with the plugin relaying only their signaling, and their switch to the relay once
// an `auto` broadcast moved there (make-before-break: they switch once the relay's publisher is
// up). It also tells every page which ICE servers and policy to use. Which path an admitted viewer
// takes is the HubState's (Broadcast::path_for); this class carries it out.
//
// Not thread-safe: it lives in the Hub's state, under the Hub's one lock. It reads the Hub's sites
// and wall clock, which outlive it.
class Pairing {
public:
    Pairing(const Settings& settings, const SiteRegistry& sites, const WallClock& wall_clock);

    // The `accepted` event of an admitted viewer: a relay one's carries the relay's offer, a direct
    // one gets a new pairing (session.peer) and the broadcaster its `peer` event in `effects`.
    PluginEvent accepted_event(const Broadcast& broadcast, ViewerSession& session, bool direct, bool resumed,
                               std::int64_t now, Effects& effects) const;
    // Direct viewers of a relayed broadcast whose publisher is up get a `switch` offer.
    void offer_switch(Broadcast& broadcast, Effects& effects) const;
    // A resumed broadcaster of a direct broadcast pairs again with each direct viewer.
    void pair_again(Broadcast& broadcast, std::int64_t now, Effects& effects) const;
    // A `signal` from `handle`, the broadcaster of `broadcast` when `from_broadcaster`, else a
    // viewer of it (nullptr: the handle is in no broadcast): passed to the other end of its pair.
    // Returns the `signalled` reply.
    Result<PluginEvent> signal(Broadcast* broadcast, HandleId handle, bool from_broadcaster,
                               const SignalRequest& request, Effects& effects) const;

    // The ICE servers for a page of (site, user), with TURN credentials valid from `now` on.
    [[nodiscard]] JsonPtr ice_servers_for(const std::string& site, const std::string& user,
                                          std::int64_t now) const;
    // "relay" for a direct connection of a site with p2p_relay_only (TURN only), else "all".
    [[nodiscard]] const char* ice_policy(const Broadcast& broadcast, bool direct) const;
    // Whether TURN is configured (p2p_relay_only needs it).
    [[nodiscard]] const IceServers& ice_servers() const { return ice_servers_; }

private:
    const SiteRegistry& sites_;
    const WallClock& wall_clock_;
    IceServers ice_servers_;
};

}  // namespace onair
