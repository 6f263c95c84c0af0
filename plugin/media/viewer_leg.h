// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>

#include "media/janus_api.h"
#include "media/layer_selector.h"
#include "media/link_reports.h"
#include "media/media_lines.h"
#include "media/session.h"

namespace onair::media {

// One viewer of a fanout: its session, the payload types it was offered, and its own RTP state.
// Its switching contexts keep its sequence numbers and timestamps continuous when the source
// changes (a reloaded broadcaster page, another simulcast layer); with a simulcast publisher, its
// simulcasting context forwards one layer and switches on that layer's keyframes, and its
// LayerSelector decides which layer.
//
// Threads: the RTP state and the selector belong to the publisher's media thread (see Fanout); the
// viewer's own media thread hands its receiver reports in through reports(); the `shown_` numbers
// are written by the publisher's thread and read by query_session.
class ViewerLeg {
public:
    explicit ViewerLeg(SessionPtr session);
    ViewerLeg(const ViewerLeg&) = delete;
    ViewerLeg& operator=(const ViewerLeg&) = delete;

    const SessionPtr& session() const { return session_; }
    SessionPtr release() { return std::move(session_); }
    bool receiving() const { return session_ && session_->media_up() && !session_->destroyed(); }

    // A publisher packet as it is (audio, or video without simulcast).
    void send(janus_callbacks* gateway, janus_plugin_rtp* packet);

    // A simulcast video packet of the publisher whose layers have the given SSRCs (lowest first):
    // relayed when it belongs to this viewer's layer. True when the viewer needs a keyframe to get
    // to (or back to) its layer.
    bool send_layer(janus_callbacks* gateway, janus_plugin_rtp* packet, std::uint32_t* layer_ssrcs,
                    std::int64_t now_us);

    // A new publisher (a reloaded broadcaster page): its layers are new streams, so the viewer
    // waits for one of their keyframes before it gets any of their video, as at its start. Its
    // target layer and its stream's numbering (sequence, timestamps, picture ids) carry on.
    void new_source();
    // Runs the selector on the publisher's current layers and what the viewer reported.
    void choose_layer(const LayerRates& rates, std::int64_t now_us);

    LinkReports& reports() { return reports_; }

    // query_session's numbers for this viewer; `simulcast`: whether its publisher sends layers.
    void describe(json_t* into, bool simulcast) const;

private:
    SessionPtr session_;
    MediaLines lines_;
    janus_rtp_switching_context audio_context_{};
    janus_rtp_switching_context video_context_{};
    janus_rtp_simulcasting_context layer_context_{};
    janus_vp8_simulcast_context vp8_context_{};
    LayerSelector selector_;
    LinkReports reports_;

    std::atomic<int> shown_layer_{-1};
    std::atomic<int> shown_target_{-1};
    std::atomic<std::uint32_t> shown_estimate_{0};
    std::atomic<int> shown_loss_permille_{0};
    std::atomic<bool> shown_probing_{false};
};

}  // namespace onair::media
