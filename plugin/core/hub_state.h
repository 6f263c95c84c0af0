// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "admin_broadcasts.h"
#include "billing/billing.h"
#include "broadcast.h"
#include "consent.h"
#include "effects.h"
#include "hub.h"
#include "ice_servers.h"
#include "presence.h"
#include "rate_limiter.h"
#include "request.h"
#include "settings.h"
#include "site.h"
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

// The Hub's state and logic; every method runs under the Hub's lock (hub.cpp holds it). Split by
// concept: hub.cpp (handles, timers, lookups, presence), hub_requests.cpp (the request dispatch),
// hub_broadcast.cpp (a broadcast's lifecycle), hub_viewer.cpp (a viewer's session), hub_direct.cpp
// (direct pairing), hub_store.cpp (evidence, commits, recovery) and hub_admin.cpp (the Admin API's
// requests, carried out by AdminApi, admin.h, over the parts of the Hub it needs).
// Airtime and billing events are billing_'s (billing/billing.h), prompts and grants consent_'s
// (consent.h): both are members, under the same lock, and take none of their own.
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
    // transaction, with `also` (an extra write) when given. A failure keeps it all queued: the next
    // commit (the timer's, at the latest a second later) tries again, so nothing is lost.
    Status commit(std::int64_t now, const BroadcastRecord* record = nullptr,
                  const std::function<Status()>& also = nullptr);

private:
    // Plugin requests (hub_requests.cpp): `publish` and `start` checked before anything else (may
    // the handle send it now with or without SDP, then `check_sdp`); presence, heartbeat and usage.
    Status check_media_request(HandleId handle, const Request& request, const SdpCheck& check_sdp);
    // Plugin requests: presence, heartbeat and usage (hub_requests.cpp).
    Result<Reply> on_presence(HandleId handle, const PresenceRequest& request);
    Result<Reply> on_heartbeat(HandleId handle, const HeartbeatRequest& request, std::int64_t now);
    Result<Reply> on_usage(const UsageRequest& request, std::int64_t now);

    // A broadcast's lifecycle (hub_broadcast.cpp).
    Result<Reply> on_broadcast(HandleId handle, const BroadcastRequest& request, std::int64_t now);
    Result<Reply> resume(HandleId handle, Broadcast& broadcast, const Identity& identity, const Site& site,
                         std::int64_t now);
    // Whether the handle may `publish` now with or without an offer (the site's media mode decides).
    Status may_publish(HandleId handle, bool with_offer);
    Result<Reply> on_publish(HandleId handle, const PublishRequest& request, std::int64_t now);
    Result<Reply> on_stop(HandleId handle, std::int64_t now);
    // The broadcaster's media is up (relay PeerConnection, or a direct `publish`): live, presence,
    // `resumed` and held viewers let in.
    void go_live(Broadcast& broadcast, HandleId handle, std::int64_t now, Effects& effects);
    // An `auto` broadcast moves to the relay for good: stored, and the broadcaster told to publish.
    void move_to_relay(Broadcast& broadcast, Effects& effects);
    void interrupt(Broadcast& broadcast, std::int64_t now, Effects& effects);
    // Ends the broadcast in memory: everyone is told, media is torn down, the broadcast is forgotten.
    void end_broadcast(const std::string& broadcast_id, const std::string& reason, bool notify_broadcaster,
                       Effects& effects);
    void notify_viewers(const Broadcast& broadcast, EventName event, Effects& effects) const;

    // A viewer's session (hub_viewer.cpp); its prompt and grant are consent_'s.
    Result<Reply> on_watch(HandleId handle, const WatchRequest& request, std::int64_t now);
    Result<Reply> on_answer(HandleId handle, const AnswerRequest& request, std::int64_t now);
    Result<Reply> on_kick(HandleId handle, const KickRequest& request, std::int64_t now);
    // Whether the handle may `start` now (its watch request was accepted and not revoked since) with
    // or without a jsep answer (relay viewers answer, direct ones do not).
    Status may_start(HandleId handle, bool with_answer);
    Result<Reply> on_start(HandleId handle, std::int64_t now);
    Result<Reply> on_ice_restart(HandleId handle);
    Result<Reply> on_leave(HandleId handle, std::int64_t now);
    // The handle's accepted (or watching) session and its broadcast; nullptr while it has none.
    ViewerSession* accepted_session(HandleId handle, Broadcast*& broadcast);
    enum class Path { Direct, Relay, RelayNeeded, Full };
    // How a newly admitted `viewer_user` gets media now.
    [[nodiscard]] Path path_for(const Broadcast& broadcast, const std::string& viewer_user) const;
    // Lets an admitted (Accepted) session in by `path`: a direct pairing, or the relay's offer.
    void admit(Broadcast& broadcast, HandleId viewer, ViewerSession& session, Path path, bool resumed,
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
    // Accepted sessions of a live broadcast that sent no `start` (no media) within publish_timeout.
    void expire_unstarted(Broadcast& broadcast, std::int64_t now, Effects& effects);

    // Direct (peer-to-peer) pairing and the switch to the relay (hub_direct.cpp).
    // The `accepted` event of an admitted viewer: a relay one's carries the relay's offer, a direct
    // one gets a new pairing (session.peer) and the broadcaster its `peer` event in `effects`.
    PluginEvent accepted_event(Broadcast& broadcast, ViewerSession& session, bool direct, bool resumed,
                               std::int64_t now, Effects& effects);
    // Direct viewers of a relayed broadcast whose publisher is up get a `switch` offer.
    void offer_switch(Broadcast& broadcast, Effects& effects);
    // A resumed broadcaster of a direct broadcast pairs again with each direct viewer.
    void pair_again(Broadcast& broadcast, std::int64_t now, Effects& effects);
    Result<Reply> on_signal(HandleId handle, const SignalRequest& request);
    JsonPtr ice_servers_for(const std::string& site, const std::string& user, std::int64_t now) const;
    const char* ice_policy(const Broadcast& broadcast, bool direct) const;

    // Evidence, commits and recovery (hub_store.cpp).
    // Media evidence of a handle (docs/billing.md): RTP from a broadcaster, or RTP relayed to a relay
    // viewer whose receiver reports come back (the Janus layer checks both).
    void evidence_of(HandleId handle, std::int64_t now);
    // A heartbeat: evidence for a direct broadcast, and for each direct pair both ends name.
    void heartbeat_evidence(HandleId handle, const std::vector<std::string>& peers, std::int64_t now);
    // Work waiting for the store (a failed commit keeps all of it for the next one): billing
    // events, broadcast rows, grant changes and closed airtime segments.
    [[nodiscard]] std::size_t unstored() const;
    // 554 once unstored() reaches Hub::kMaxUnstored.
    [[nodiscard]] Status check_store_backlog() const;
    // What commit() has queued and the ledger, as they were: a refused request puts them back.
    struct Checkpoint {
        Billing::Checkpoint billing;
        Consent::Checkpoint consent;
        std::size_t records = 0;
    };
    [[nodiscard]] Checkpoint checkpoint() const;
    void roll_back(Checkpoint&& before);
    // Writes the record now, or (on a store failure) undoes everything queued since the call began
    // and returns the error: the caller refuses its request and changes nothing.
    Status persist(const BroadcastRecord& record, std::int64_t now);
    // Queues the broadcast's end: its viewers' and its own airtime close, their billing events and
    // the ended row are queued for commit().
    void queue_end(const Broadcast& broadcast, const std::string& reason, std::int64_t now);
    // queue_end and commit; on a store failure nothing ended (ledger and queue as before) and the
    // error is returned. The caller then calls end_broadcast, or refuses.
    Status persist_end(const Broadcast& broadcast, const std::string& reason, std::int64_t now);
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

    // Shared helpers and presence (hub.cpp).
    // Who the credentials speak for, if that is who this handle already acts for (a handle keeps
    // the identity of its first successful broadcast or watch).
    Result<Identity> authenticate(const HandleRecord& record, const Credentials& who, std::int64_t now) const;
    Broadcast* find_broadcast(const std::string& broadcast_id);
    Broadcast* broadcast_of(const std::string& site, const std::string& user);
    Broadcast* broadcast_held_by(HandleId handle);
    int broadcasts_of_site(const std::string& site) const;
    bool is_visible(const std::string& site, const std::string& user) const;

    // The wall time at steady time `now`: for stamps and for other machines' clocks only, never
    // for a duration or a deadline (clock.h).
    [[nodiscard]] std::int64_t wall_at(std::int64_t now) const { return wall_clock_(now); }

    Settings settings_;
    WallClock wall_clock_;
    IceServers ice_servers_;
    std::unique_ptr<Store> store_;
    SiteRegistry sites_;
    // Reads wall_clock_, store_ and sites_, declared before it.
    Billing billing_;
    // Queues its billing events through billing_.
    Consent consent_;
    std::map<std::string, Broadcast> broadcasts_;                                // unended ones, by id
    std::map<std::pair<std::string, std::string>, std::string> by_broadcaster_;  // (site, user) -> id
    std::map<HandleId, HandleRecord> handles_;
    PresenceBook presence_;
    RateLimiter watch_limiter_;
    // Broadcast rows not stored yet, written by commit() before consent_'s grant changes.
    std::vector<BroadcastRecord> unsaved_records_;
};

}  // namespace onair
