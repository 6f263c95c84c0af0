// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include "media/janus_api.h"
#include "media/keyframe_requester.h"
#include "media/layer_meter.h"
#include "media/media_lines.h"
#include "media/rtcp_feedback.h"
#include "media/session.h"
#include "media/viewer_leg.h"

namespace onair::media {

// One broadcast's media: the publishing handle (none while the broadcaster is away) and the
// viewers it is forwarded to, each a ViewerLeg with its own RTP state. With a simulcast publisher the
// fanout measures each layer's bitrate and, four times a second, lets every viewer's selector
// choose its layer from those rates and the viewer's reports.
//
// Threading (enforced by Router): mutators run under the router's exclusive lock; forward_rtp,
// viewer_feedback, request_keyframe and describe under its shared lock. forward_rtp runs only on the
// current publisher's media thread (Janus delivers one handle's media on one thread, and a fanout
// only accepts packets from its current publisher), so the per-viewer RTP state, the meter and the
// learned layer SSRCs need no further locking; viewer_feedback (a viewer's media thread) and
// describe (query_session) touch only atomics.
class Fanout {
public:
    explicit Fanout(janus_callbacks* gateway) : gateway_(gateway) {}

    // Returns the previous publisher (to be released outside the router's lock).
    SessionPtr set_publisher(SessionPtr publisher);
    void update_publisher_lines(const MediaLines& lines);
    const SessionPtr& publisher() const { return publisher_; }

    void add_viewer(SessionPtr viewer);
    SessionPtr remove_viewer(HandleId viewer);  // the removed one, or null
    SessionPtr remove_viewer(const janus_plugin_session* viewer);
    std::vector<SessionPtr> take_all();  // publisher and viewers, leaving it empty

    bool empty() const { return !publisher_ && viewers_.empty(); }
    std::size_t viewer_count() const { return viewers_.size(); }

    void request_keyframe() { keyframes_.request(); }
    void viewer_connected() { keyframes_.request_now(); }

    // A packet from the publisher: sent to every viewer whose media is up.
    void forward_rtp(janus_plugin_rtp* packet);
    // What a viewer's RTCP said.
    void viewer_feedback(const janus_plugin_session* viewer, bool video, const RtcpFeedback& feedback,
                         std::int64_t now_us);

    // query_session's media numbers for the publisher or one viewer of this fanout.
    void describe_publisher(json_t* into) const;
    void describe_viewer(const janus_plugin_session* viewer, json_t* into) const;

private:
    static constexpr std::int64_t kChoiceIntervalUs = 250'000;

    void adopt_simulcast(const Simulcast& simulcast);
    int layer_of(const janus_plugin_rtp* packet);  // -1: not one of the publisher's layers
    void forward_layer(janus_plugin_rtp* packet, std::int64_t now_us);
    ViewerLeg* find(const janus_plugin_session* viewer) const;
    json_t* shown_rates_json() const;

    janus_callbacks* const gateway_;
    SessionPtr publisher_;
    MediaLines publisher_lines_;
    std::vector<std::unique_ptr<ViewerLeg>> viewers_;
    KeyframeRequester keyframes_;

    // Simulcast: the SSRC of each layer (given, or learned from the rid extension), the meter and
    // when the viewers' layers were last chosen. The publisher's media thread only.
    std::array<std::uint32_t, kMaxLayers> layer_ssrcs_{};
    LayerMeter meter_;
    std::int64_t chosen_at_us_ = 0;
    std::array<std::atomic<std::uint32_t>, kMaxLayers> shown_rates_{};  // for describe
};

}  // namespace onair::media
