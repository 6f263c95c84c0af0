// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "base/json.h"
#include "media/media_lines.h"
#include "model/effects.h"

struct janus_plugin_session;

namespace onair::media {

// What this handle is to OnAir, as seen from the answers it got; for query_session and logs.
struct SessionInfo {
    std::string role;  // "", "broadcaster", "viewer" or "presence"
    std::string site;
    std::string user;
    std::string target;        // viewers: the broadcaster they watch
    std::string broadcast_id;  // broadcasters
    std::string state;         // the last event pushed to the handle
};

// One Janus handle attached to OnAir. Shared (std::shared_ptr) by the plugin's session table, queued
// messages and the router, so whichever lets go last frees it; it holds the core's reference to the
// janus_plugin_session (Janus gives each plugin session one, released when the plugin's session is
// freed), so the janus_plugin_session stays valid as long as any of them can still use it.
//
// `destroyed` is set once, when Janus destroys the handle: from then on nothing may push events
// or media to it. `hanging_up` keeps concurrent hangup_media/destroy_session from tearing the
// same PeerConnection state down twice.
class Session {
public:
    Session(janus_plugin_session* handle, HandleId id);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    janus_plugin_session* handle() const { return handle_; }
    HandleId id() const { return id_; }

    bool destroyed() const { return destroyed_.load(); }
    bool mark_destroyed() { return !destroyed_.exchange(true); }  // true for the first caller
    bool begin_hangup() { return !hanging_up_.exchange(true); }   // true unless already hanging up
    void end_hangup() { hanging_up_.store(false); }

    // Whether the handle's PeerConnection is up (setup_media .. hangup_media); the router only
    // sends to viewers whose media is up.
    bool media_up() const { return media_up_.load(std::memory_order_relaxed); }
    void set_media_up(bool up) { media_up_.store(up, std::memory_order_relaxed); }

    // Evidence for the airtime ledger (docs/billing.md): the media path notes that RTP came from
    // this handle (a broadcaster), was relayed to it (a viewer), or that it sent a receiver report
    // (a viewer), with relaxed stores and no lock. The timer takes the evidence once a second.
    void note_media_received() const { media_received_.store(true, std::memory_order_relaxed); }
    void note_media_relayed() const { media_relayed_.store(true, std::memory_order_relaxed); }
    void note_receiver_report(std::int64_t now_us) const {
        report_at_us_.store(now_us, std::memory_order_relaxed);
    }
    // Whether this handle proved its session alive since the last call: RTP arrived from it, or RTP
    // was relayed to it and a receiver report came back within kReportWindowUs.
    bool take_evidence(std::int64_t now_us);
    // Browsers send receiver reports about once a second while they receive video; a few seconds
    // of margin keep a late one from costing a billed second.
    static constexpr std::int64_t kReportWindowUs = 5'000'000;

    // Negotiated media: what this handle publishes (broadcasters) or was offered (viewers).
    void set_publisher_lines(const MediaLines& lines);
    MediaLines publisher_lines() const;
    void set_viewer_lines(const MediaLines& lines);
    MediaLines viewer_lines() const;

    // The broadcast this handle holds and whether its site wants audio (from the `registered` reply).
    void note_broadcast(const std::string& broadcast_id, bool audio_wanted);
    bool audio_wanted() const;

    // Bumped for every offer or answer this plugin writes for the handle (SDP o= version). Takes no
    // lock: the Hub's SDP check of `publish` calls it under the Hub's lock.
    unsigned next_sdp_version() { return sdp_version_.fetch_add(1, std::memory_order_relaxed) + 1; }

    // Records the event last pushed to this handle (a reply or a notification).
    void note_event(EventName event);
    void note_identity(const std::string& role, const std::string& site, const std::string& user,
                       const std::string& target);
    SessionInfo info() const;
    JsonPtr describe() const;  // query_session's JSON

private:
    janus_plugin_session* const handle_;
    const HandleId id_;
    std::atomic<bool> destroyed_{false};
    std::atomic<bool> hanging_up_{false};
    std::atomic<bool> media_up_{false};
    // See take_evidence().
    mutable std::atomic<bool> media_received_{false};
    mutable std::atomic<bool> media_relayed_{false};
    mutable std::atomic<std::int64_t> report_at_us_{0};
    std::atomic<unsigned> sdp_version_{0};

    mutable std::mutex mutex_;  // guards everything below; never held while calling out
    MediaLines publisher_lines_;
    MediaLines viewer_lines_;
    bool audio_wanted_ = true;
    SessionInfo info_;
};

using SessionPtr = std::shared_ptr<Session>;

}  // namespace onair::media
