// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/broadcast_record.h"
#include "base/ids.h"
#include "base/json.h"
#include "base/result.h"
#include "base/site.h"
#include "model/effects.h"

namespace onair {

// Registered: waiting for the broadcaster's first media (invisible). Live: media flows.
// Interrupted: the broadcaster's PeerConnection or handle went away; viewers wait for it.
// Ended broadcasts leave memory (the store keeps them).
enum class BroadcastState { Registered, Live, Interrupted };
const char* to_string(BroadcastState state);

// Pending: a watch prompt waits for the broadcaster. Accepted: the subscriber offer (or the direct
// pairing) went out, the viewer has not sent `start` yet. Watching: media reaches the viewer.
// Held: a viewer with a grant asked while the broadcaster was away; admitted when it is back.
enum class ViewerStage { Pending, Accepted, Watching, Held };
const char* to_string(ViewerStage stage);

// One viewer handle's relation to a broadcast.
struct ViewerSession {
    std::string user;
    std::string name;
    bool name_verified = false;  // the name came from the signed token (Identity::name_verified)
    ViewerStage stage = ViewerStage::Pending;
    std::string request_id;
    std::int64_t since = 0;       // when the stage began
    std::int64_t expires_at = 0;  // Pending only: when the prompt times out
    std::string watch_id;         // Watching only: the airtime session of this viewing
    // Direct viewers: the pairing with the broadcaster ("p-…"); kept after a switch to the relay
    // until the direct connection is closed, so both sides can still say `bye`.
    std::string peer;
    // Direct viewers: when the viewer's and the broadcaster's heartbeats last named `peer` (0: not
    // since this pairing). The pair is billed up to the earlier of the two.
    std::int64_t viewer_named_at = 0;
    std::int64_t broadcaster_named_at = 0;
    bool direct = false;     // media comes browser to browser, not through the relay
    bool switching = false;  // a direct viewer was sent a `switch` offer for the relay

    // Accepted or watching: the broadcaster let this viewer in and it is still there.
    [[nodiscard]] bool admitted() const {
        return stage == ViewerStage::Accepted || stage == ViewerStage::Watching;
    }
    // Whether this admitted session may `start` now with or without a jsep answer (relay viewers
    // answer the relay's offer, direct ones do not).
    [[nodiscard]] Status may_start(bool with_answer) const;
};

// How a newly admitted viewer gets media now: a direct pairing, the relay, the relay once an `auto`
// broadcast moved there, or not at all (a peer-to-peer broadcast has room for one viewer).
enum class MediaPath { Direct, Relay, RelayNeeded, Full };

// A viewer's watch session of this broadcast that ended since the last airtime.report.
struct FinishedWatch {
    std::string watch_id;
    std::int64_t seconds = 0;
};

// One broadcast of one (site, user), with its viewers, prompts and consent grants, and the state
// changes that are its own (the flows around them, which reach other parts, are the HubState's).
struct Broadcast {
    BroadcastRecord record;
    BroadcastState state = BroadcastState::Registered;
    HandleId broadcaster = 0;          // 0 while no handle holds it (the broadcaster's page is reloading)
    MediaMode media = MediaMode::Sfu;  // the site's mode when it was registered
    bool relay_up = false;             // the broadcaster's relay PeerConnection is up
    // When state has a deadline (Registered, Interrupted): the time and the `ended` reason then.
    std::int64_t deadline = 0;
    std::string deadline_reason;
    std::map<HandleId, ViewerSession> sessions;  // by viewer handle
    // Viewers the broadcaster accepted (user -> name): they get back in without a new prompt
    // until the broadcast ends or they are kicked. At most kMaxGrants (see Consent::grant).
    std::map<std::string, std::string> grants;
    static constexpr std::size_t kMaxGrants = 1000;
    std::int64_t next_report_at = 0;  // when the next airtime.report is due (0: not started)
    // Per viewer user, its latest watch session that ended since the last report (so the next
    // report carries its final seconds): one entry per user however often it comes and goes.
    std::map<std::string, FinishedWatch> ended_since_report;

    // Presence shows the user live while media flows and while a dropped broadcaster may resume.
    [[nodiscard]] bool visible() const { return state != BroadcastState::Registered; }
    [[nodiscard]] int count(ViewerStage stage) const;
    [[nodiscard]] bool has_pending_from(const std::string& viewer_user) const;
    // The handle whose pending prompt has this id, or 0.
    [[nodiscard]] HandleId prompt_handle(const std::string& request_id) const;
    // Whether viewers get media through the relay: always in `sfu`, in `auto` once it moved there.
    [[nodiscard]] bool relayed() const { return media == MediaMode::Sfu || record.relay; }
    // Whether a user other than `viewer_user` is accepted or watching.
    [[nodiscard]] bool admits_other_than(const std::string& viewer_user) const;
    // How many users other than `viewer_user` have a session (any stage): what max_viewers counts.
    [[nodiscard]] int users_other_than(const std::string& viewer_user) const;
    // Whether the user has a session of any stage.
    [[nodiscard]] bool has_session_of(const std::string& viewer_user) const;
    // Sessions of the user past their prompt (held, accepted or watching), by handle.
    [[nodiscard]] std::vector<HandleId> granted_handles_of(const std::string& viewer_user) const;
    // Held viewers: they asked with a grant while the broadcaster was away.
    [[nodiscard]] std::vector<HandleId> held() const;
    // Accepted sessions that sent no `start` (no media) within `timeout` of their acceptance.
    [[nodiscard]] std::vector<HandleId> unstarted(std::int64_t now, std::int64_t timeout) const;
    // How `viewer_user`, admitted now, gets media.
    [[nodiscard]] MediaPath path_for(const std::string& viewer_user) const;
    // Whether its broadcaster may `publish` now with or without an offer (the media mode decides).
    [[nodiscard]] Status may_publish(bool with_offer) const;

    // Registered (again): ends with `publish_timeout` unless its media is up by `until`.
    void await_media(std::int64_t until);
    // Media is up: Live, no deadline. Returns the state it left.
    BroadcastState go_live();
    // The broadcaster's media went away: its admitted viewers are told and the relay has no
    // publisher; it ends with `hangup_timeout` unless it is back by `until`.
    void interrupt(std::int64_t until, Effects& effects);
    // An `auto` broadcast moves to the relay for good (record.relay, for the caller to store), and
    // the broadcaster is told to publish to it.
    void move_to_relay(Effects& effects);
    // It ends with `reason`: everyone in it is told (the broadcaster unless it asked, with `stop`),
    // and its media is torn down.
    void end(const std::string& reason, bool notify_broadcaster, Effects& effects) const;
    // Each accepted or watching viewer gets `event`.
    void notify_viewers(EventName event, Effects& effects) const;

    // Accepted or watching viewers, one entry per user: [viewer_json()].
    [[nodiscard]] JsonPtr viewers_json() const;
    // The users of `grants`, sorted: whom the broadcaster's page may keep a direct connection to.
    [[nodiscard]] JsonPtr granted_json() const;
};

// {"user", "name", "name_verified"}: how a viewer is shown to the broadcaster.
JsonPtr viewer_json(const ViewerSession& session);

}  // namespace onair
