// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin_broadcasts.h"
#include "base/settings.h"
#include "base/site.h"
#include "billing/billing.h"
#include "broadcast_registry.h"
#include "consent.h"
#include "hub.h"
#include "model/broadcast.h"
#include "model/effects.h"
#include "pairing.h"
#include "pending_writes.h"
#include "presence.h"
#include "rate_limiter.h"
#include "request.h"
#include "store/store.h"
#include "token.h"

namespace onair {

// What the core knows about one Janus handle.
struct HandleRecord {
    // The identity bound by the first successful broadcast or watch; empty until then.
    std::string site;
    std::string user;
    std::string broadcasting;  // id of the broadcast this handle is the broadcaster of
    std::string watching;      // id of the broadcast this handle has a viewer session in
};

// A reply to a request.
Reply reply(PluginEvent event, Effects effects = {});
// The error of a broadcaster's `request` from a handle that holds no broadcast.
Error not_broadcasting(const char* request);

// The Hub's state: it owns the parts below and runs the flows that span them; every method runs
// under the Hub's lock (hub.cpp holds it). The flows, by file: hub.cpp (handles and timers),
// hub_requests.cpp (the request dispatch, presence), hub_broadcast.cpp (a broadcast's lifecycle),
// hub_viewer.cpp (a viewer's session), hub_store.cpp (evidence, recovery) and hub_admin.cpp (the Admin
// API's requests, carried out by AdminApi, admin.h, over the parts it needs: AdminBroadcasts). The parts,
// each in its own file: the unended broadcasts are broadcasts_'s (broadcast_registry.h), a broadcast's own
// state changes and checks Broadcast's (broadcast.h), direct pairing and ICE servers pairing_'s (pairing.h),
// prompts and grants consent_'s (consent.h), airtime and billing events billing_'s (billing/billing.h), what
// waits for the store writes_'s (pending_writes.h), presence subscriptions presence_'s (presence.h). They are
// members, under the same lock, take none of their own, and know nothing of the HubState.
class HubState final : private AdminBroadcasts {
public:
    HubState(const Settings& settings, std::unique_ptr<Store> store, WallClock wall_clock);

    Status start(const std::vector<Site>& configured, std::int64_t now);
    void handle_created(HandleId handle);
    Effects handle_destroyed(HandleId handle, std::int64_t now);
    Effects media_up(HandleId handle, std::int64_t now);
    Effects media_down(HandleId handle, std::int64_t now);
    Result<Reply> handle_request(HandleId handle, const Request& request, std::int64_t now,
                                 const SdpCheck& check_sdp);
    Effects tick(std::int64_t now);
    JsonPtr admin(const json_t* request, std::int64_t now, Effects& effects);

    // Evidence of media: these handles sent (broadcasters) or were sent (viewers) RTP lately.
    void evidence(const std::vector<HandleId>& handles, std::int64_t now);
    std::optional<CallbackTarget> callback_target(const std::string& site) const {
        return billing_.callback_target(site);
    }
    // Writes what is queued (broadcast rows, grant changes, airtime segments, billing events) in one
    // transaction (PendingWrites::commit).
    Status commit(std::int64_t now) { return writes_.commit(now); }

private:
    // Plugin requests (hub_requests.cpp): `publish` and `start` checked before anything else (may
    // the handle send it now with or without SDP, then `check_sdp`); presence, heartbeat and usage.
    Status check_media_request(HandleId handle, const Request& request, const SdpCheck& check_sdp);
    // Plugin requests: presence, heartbeat and usage (hub_requests.cpp).
    Result<Reply> on_presence(HandleId handle, const PresenceRequest& request);
    Result<Reply> on_heartbeat(HandleId handle, const HeartbeatRequest& request, std::int64_t now);
    Result<Reply> on_usage(const UsageRequest& request, std::int64_t now);
    // Direct signaling: the handle's broadcast (held or watched) to pairing_.
    Result<Reply> on_signal(HandleId handle, const SignalRequest& request);

    // A broadcast's lifecycle (hub_broadcast.cpp).
    Result<Reply> on_broadcast(HandleId handle, const BroadcastRequest& request, std::int64_t now);
    Result<Reply> resume(HandleId handle, Broadcast& broadcast, const Identity& identity, const Site& site,
                         std::int64_t now);
    Result<Reply> on_publish(HandleId handle, const PublishRequest& request, std::int64_t now);
    Result<Reply> on_stop(HandleId handle, std::int64_t now);
    // The broadcaster's media is up (relay PeerConnection, or a direct `publish`): live, billed,
    // presence, `resumed` and held viewers let in.
    void go_live(Broadcast& broadcast, HandleId handle, std::int64_t now, Effects& effects);
    // Ends the broadcast in memory: everyone is told, media is torn down, the broadcast is forgotten.
    void end_broadcast(const std::string& broadcast_id, const std::string& reason, bool notify_broadcaster,
                       Effects& effects);

    // A viewer's session (hub_viewer.cpp); its prompt and grant are consent_'s.
    Result<Reply> on_watch(HandleId handle, const WatchRequest& request, std::int64_t now);
    Result<Reply> on_answer(HandleId handle, const AnswerRequest& request, std::int64_t now);
    Result<Reply> on_kick(HandleId handle, const KickRequest& request, std::int64_t now);
    Result<Reply> on_start(HandleId handle, std::int64_t now);
    Result<Reply> on_ice_restart(HandleId handle);
    Result<Reply> on_leave(HandleId handle, std::int64_t now);
    // The handle's accepted (or watching) session and its broadcast; nullptr while it has none.
    ViewerSession* accepted_session(HandleId handle, Broadcast*& broadcast);
    // Lets an admitted (Accepted) session in by `path` (Broadcast::path_for, not Full): a direct
    // pairing, or the relay's offer, once an `auto` broadcast moved there (stored). Returns the
    // viewer's `accepted` event.
    PluginEvent admit(Broadcast& broadcast, ViewerSession& session, MediaPath path, bool resumed,
                      std::int64_t now, Effects& effects);
    // A viewer handle's session ends on its own side (leave, hang-up, handle gone).
    // `reason` goes into viewer.left when the viewer was watching.
    void drop_session(Broadcast& broadcast, HandleId viewer, const std::string& reason, std::int64_t now,
                      Effects& effects);
    // Ends a held, accepted or watching viewer session from the server's side: the viewer gets
    // `ended` with `reason` (and `bye` for its direct peer), its PeerConnection is closed.
    void end_session(Broadcast& broadcast, HandleId viewer, const std::string& reason, std::int64_t now,
                     Effects& effects);
    // The broadcaster (kick, reason `removed`) or an operator (reason `admin`) removes a viewer
    // and its grant. False when the user is neither accepted nor watching.
    bool remove_viewer(Broadcast& broadcast, const std::string& viewer_user, const std::string& reason,
                       std::int64_t now, Effects& effects);

    // Evidence and recovery (hub_store.cpp); what waits for the store is writes_'s.
    // Media evidence of a handle (docs/billing.md): RTP from a broadcaster, or RTP relayed to a relay
    // viewer whose receiver reports come back (the Janus layer checks both).
    void evidence_of(HandleId handle, std::int64_t now);
    // A heartbeat: evidence for a direct broadcast, and for each direct pair both ends name.
    void heartbeat_evidence(HandleId handle, const std::vector<std::string>& peers, std::int64_t now);
    // Broadcasts a previous run left open (at start-up): ones that were live come back
    // interrupted for restart_grace with their grants, the others end; airtime and billing events.
    Status recover_previous_run(std::int64_t now);

    // What the Admin API reads of the broadcasts and does to them (admin_broadcasts.h; hub_admin.cpp).
    [[nodiscard]] std::vector<const Broadcast*> unended_broadcasts() const override;
    [[nodiscard]] int broadcast_count(const std::string& site) const override;
    [[nodiscard]] const Broadcast* broadcast_named(const std::string& site, const std::string& user) override;
    Status stop_by_admin(const std::string& broadcast_id, std::int64_t now, Effects& effects) override;
    bool remove_viewer_by_admin(const std::string& broadcast_id, const std::string& viewer, std::int64_t now,
                                Effects& effects) override;
    Result<int> end_site_broadcasts(const std::string& site, const std::function<Status()>& also,
                                    std::int64_t now, Effects& effects) override;

    // Shared helpers (hub.cpp).
    // Who the credentials speak for, if that is who this handle already acts for (a handle keeps
    // the identity of its first successful broadcast or watch).
    Result<Identity> authenticate(const HandleRecord& record, const Credentials& who, std::int64_t now) const;
    // The broadcast this handle is the broadcaster of; nullptr when it holds none.
    Broadcast* broadcast_held_by(HandleId handle);

    // The wall time at steady time `now`: for stamps and for other machines' clocks only, never
    // for a duration or a deadline (clock.h).
    [[nodiscard]] std::int64_t wall_at(std::int64_t now) const { return wall_clock_(now); }

    Settings settings_;
    WallClock wall_clock_;
    std::unique_ptr<Store> store_;
    SiteRegistry sites_;
    // Reads wall_clock_ and sites_, declared before it.
    Pairing pairing_;
    // Reads wall_clock_, store_ and sites_, declared before it.
    Billing billing_;
    // Queues its billing events through billing_.
    Consent consent_;
    // Writes through store_, billing_ and consent_, declared before it.
    PendingWrites writes_;
    BroadcastRegistry broadcasts_;
    std::map<HandleId, HandleRecord> handles_;
    PresenceBook presence_;
    RateLimiter watch_limiter_;
};

}  // namespace onair
