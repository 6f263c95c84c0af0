// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "base/settings.h"
#include "base/site.h"
#include "billing/outbox.h"
#include "model/effects.h"
#include "request.h"
#include "store/store.h"

namespace onair {

class HubState;  // broadcasts, viewers, prompts, presence subscriptions (hub.cpp and friends)

// What a `registered` reply tells the Janus layer about its handle.
struct Registered {
    std::string broadcast_id;  // the broadcast the handle now holds
    bool audio = true;         // whether its site wants audio (the answer to `publish` keeps it)
};

// The answer to one request: the event to push back on the request's transaction (with a fresh
// subscriber offer when it asks for one: an immediately re-accepted viewer, `ice_restart`), plus
// what else must happen.
struct Reply {
    PluginEvent event;
    Effects effects;
    std::optional<Registered> registered = std::nullopt;  // with `registered`
};

// The Janus layer's check of the SDP that came with `publish` (an offer) or `start` (an answer).
using SdpCheck = std::function<Status()>;

// OnAir's Janus-free core: sites, identities, the broadcast/viewer/consent state machine, presence,
// limits and rate limits, persisted through the Store. Every public method takes the one hub
// lock, so calls may come from any thread; it never calls out: what must happen outside comes
// back as Effects, which the caller carries out after the call returned (so no Janus callback runs
// under this lock). `now` is the steady time (clock.h: seconds since the epoch, free of wall-clock
// steps), passed in so tests control time; durations and deadlines use it. What is stamped as a
// time of day (event timestamps, started_at, usage days) and what is compared with other machines'
// clocks (a token's exp) use `wall_clock(now)` instead.
//
// Billing: the calls that change state also queue billing events and airtime changes, written to
// the Store in one transaction before the call returns (the callback sender reads them from there).
//
// Media requests (`publish` with an offer, `start` with an answer): the caller's SdpCheck checks
// the SDP, called by `handle_request` once the handle may send the request.
class Hub {
public:
    Hub(Settings settings, std::unique_ptr<Store> store, WallClock wall_clock = wall_same_as_steady);
    ~Hub();
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;

    // Work a failing store may hold back (billing events, broadcast rows, grant changes, closed
    // airtime segments: a failed commit keeps them all for the next). At this many, requests that
    // would start something new (broadcast, publish, watch, answer, start) get 554 and change
    // nothing, and airtime reports wait; endings still go through, and nothing queued is dropped.
    // Every failed commit retries the whole backlog in one transaction: 1000 rows keep that retry
    // to milliseconds on the timer's once-a-second commit.
    static constexpr std::size_t kMaxUnstored = 1000;

    // Loads stored sites over `configured` (stored ones win) and recovers broadcasts left unended by
    // a previous run (interrupted for restart_grace, with their grants).
    Status start(const std::vector<Site>& configured, std::int64_t now);

    // Handle lifecycle, from the Janus callbacks.
    void handle_created(HandleId handle);
    Effects handle_destroyed(HandleId handle, std::int64_t now);  // like leave/interrupt, then forget
    Effects media_up(HandleId handle, std::int64_t now);          // setup_media
    Effects media_down(HandleId handle, std::int64_t now);        // hangup_media

    // One plugin request from a handle. For `publish` and `start`, `check_sdp` (when given) runs
    // once the handle may send the request now with or without SDP, and before anything changes: its
    // error refuses the request. It runs under the Hub's lock, so it must only compute (parse and
    // write SDP), never call Janus or take a lock.
    Result<Reply> handle_request(HandleId handle, const Request& request, std::int64_t now,
                                 const SdpCheck& check_sdp = nullptr);

    // Timers: expired prompts, publish timeouts, resume grace. Call about once a second.
    Effects tick(std::int64_t now);

    // Admin API (docs/protocol.md, "Admin API"): the whole request object in, the answer object
    // out ({"onair":"success",...} or {"onair":"error",...}).
    JsonPtr admin(const json_t* request, std::int64_t now, Effects& effects);

    // Evidence from the media path, gathered by the caller once a tick: these handles received
    // (broadcasters) or were relayed (viewers) RTP since the last call.
    void evidence(const std::vector<HandleId>& handles, std::int64_t now);

    // Where the site's billing events go now and its signing key; nullopt for an unknown site or
    // one without a callback_url. For the callback sender, which calls it without holding any lock.
    std::optional<CallbackTarget> callback_target(const std::string& site);

    const Settings& settings() const { return settings_; }

private:
    Settings settings_;
    // The one hub lock. It guards all of state_ (sites, broadcasts, handles, consent, presence,
    // billing, rate limits, the Store): its parts take no lock of their own. Nothing else is ever
    // taken while it is held except SQLite's own locks inside the Store's calls (and Janus' log
    // inside an SdpCheck's SDP parser): no Janus call, no other plugin lock, no other callback.
    std::mutex mutex_;
    std::unique_ptr<HubState> state_;  // guarded by mutex_
};

}  // namespace onair
