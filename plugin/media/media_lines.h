// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace onair::media {

// What one PeerConnection negotiated for the relay: the m-line index and RTP payload type of its
// audio (Opus) and video (VP8) streams; -1 where that stream is absent or rejected.
struct MediaLines {
    int audio_mindex = -1;
    int audio_pt = -1;
    int video_mindex = -1;
    int video_pt = -1;

    bool has_audio() const { return audio_mindex >= 0 && audio_pt >= 0; }
    bool has_video() const { return video_mindex >= 0 && video_pt >= 0; }
};

}  // namespace onair::media
