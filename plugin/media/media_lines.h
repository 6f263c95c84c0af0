// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "media/layer_selector.h"

namespace onair::media {

// How a publisher sends simulcast video: its layers named by rid (what Chromium and Firefox do,
// with janus.js `simulcast: true`) or by SSRC (SDP munged with an `a=ssrc-group:SIM`), lowest layer
// first. Janus strips those attributes from the offer it hands the plugin and lists them in the
// jsep's "simulcast" member instead.
struct Simulcast {
    int rid_extension = 0;                          // RTP header extension id carrying the rid; 0: none
    std::array<std::string, kMaxLayers> rids;       // by layer; empty past the last one
    std::array<std::uint32_t, kMaxLayers> ssrcs{};  // by layer when SSRC-based; 0 past the last one

    bool by_rid() const { return !rids[0].empty() && rid_extension > 0; }
    bool enabled() const { return by_rid() || ssrcs[1] != 0; }
    bool operator==(const Simulcast&) const = default;
};

// What one PeerConnection negotiated for the relay: the m-line index and RTP payload type of its
// audio (Opus) and video (VP8) streams; -1 where that stream is absent or rejected.
struct MediaLines {
    int audio_mindex = -1;
    int audio_pt = -1;
    int video_mindex = -1;
    int video_pt = -1;
    Simulcast simulcast;  // publishers only

    bool has_audio() const { return audio_mindex >= 0 && audio_pt >= 0; }
    bool has_video() const { return video_mindex >= 0 && video_pt >= 0; }
};

}  // namespace onair::media
