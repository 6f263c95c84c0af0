// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "base/json.h"
#include "media/fanout.h"
#include "media/janus_api.h"
#include "media/session.h"

namespace onair::media {

// Routes RTP inside Janus' media pipeline for relayed broadcasts: one Fanout per broadcast, fed by
// the broadcaster's handle and forwarded to every accepted viewer. The plugin tells it who publishes and who
// watches (from the Hub's effects); media callbacks (incoming_rtp/incoming_rtcp) go straight here and never
// reach the Hub, never block on anything but this read-mostly lock, and never allocate. A viewer's
// RTCP feeds its fanout's keyframe requests and the viewer's simulcast layer choice.
//
// Lock order: the router's lock is taken after nothing else and never held while calling the Hub or
// taking the plugin's session lock. The shared side is held while calling Janus' relay_rtp /
// send_pli_stream (they only queue); the exclusive side is never held while calling Janus, and
// sessions dropped under it are released after it is unlocked (the last reference to a session
// gives the core its handle back).
class Router {
public:
    explicit Router(janus_callbacks* gateway) : gateway_(gateway) {}
    Router(const Router&) = delete;
    Router& operator=(const Router&) = delete;

    // From the Hub's effects.
    void set_publisher(const std::string& broadcast_id, SessionPtr publisher);  // null: none
    void add_viewer(const std::string& broadcast_id, SessionPtr viewer);
    void remove_viewer(const std::string& broadcast_id, HandleId viewer);
    void end(const std::string& broadcast_id);

    // From the plugin's own handling.
    void publisher_renegotiated(const Session& publisher);  // new payload types after `publish`
    void media_up(const janus_plugin_session* handle);      // a viewer's PeerConnection is up
    void forget(const janus_plugin_session* handle);        // the handle is going away
    void clear();

    // Media callbacks.
    void incoming_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet);
    void incoming_rtcp(janus_plugin_session* handle, janus_plugin_rtcp* packet);

    std::size_t broadcast_count() const;

    // For query_session: the media numbers of a handle that publishes or watches (see Fanout), or
    // null for other handles.
    JsonPtr describe(const janus_plugin_session* handle) const;

private:
    using FanoutPtr = std::shared_ptr<Fanout>;

    FanoutPtr& fanout_for(const std::string& broadcast_id);  // exclusive lock held
    void drop_if_empty(const std::string& broadcast_id);     // exclusive lock held

    janus_callbacks* const gateway_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, FanoutPtr> fanouts_;                                 // by broadcast id
    std::unordered_map<const janus_plugin_session*, std::string> publishing_;  // handle -> broadcast
    std::unordered_map<const janus_plugin_session*, std::string> watching_;    // handle -> broadcast
    // Hot-path index: publisher handle -> its fanout, for incoming_rtp.
    std::unordered_map<const janus_plugin_session*, FanoutPtr> by_publisher_;
};

}  // namespace onair::media
