// SPDX-License-Identifier: GPL-3.0-or-later
// For the media tests: Janus handles with their sessions, real RTP packets (a 12-byte header; for
// video a VP8 payload descriptor and the start of a VP8 frame, keyframe or not), and a stand-in for
// the Janus core's callbacks that records what each viewer was sent and the PLIs asked for.
#pragma once

#include <cstdint>
#include <vector>

#include "media/janus_api.h"
#include "media/media_lines.h"
#include "media/session.h"

namespace media_test {

// The publisher's negotiated payload types and the (different) ones a viewer was offered: the relay
// rewrites them for each viewer.
constexpr int kAudioPt = 111;
constexpr int kVideoPt = 96;
constexpr int kViewerAudioPt = 109;
constexpr int kViewerVideoPt = 98;

onair::media::MediaLines publisher_lines();
onair::media::MediaLines viewer_lines();

// A Janus handle and its session, as the plugin holds them; its PeerConnection is up.
struct Handle {
    janus_plugin_session janus{};
    onair::media::SessionPtr session;

    explicit Handle(onair::HandleId id, const onair::media::MediaLines& lines);
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
};

// One RTP packet as a browser sends it.
struct Packet {
    std::vector<char> bytes;
    bool video = false;

    // Audio (an Opus-sized payload).
    static Packet audio(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts);
    // VP8 with a 15-bit picture id; a keyframe has the P bit clear and VP8's start code.
    static Packet vp8(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, std::uint16_t picture_id,
                      bool keyframe);
    // What Janus hands the plugin: the packet's own buffer, rewritten in place by the relay.
    janus_plugin_rtp plugin_rtp();
};

// What one viewer was sent: the header and VP8 fields as the core received them from relay_rtp.
struct Sent {
    const janus_plugin_session* handle = nullptr;
    bool video = false;
    int mindex = -1;
    int pt = -1;
    std::uint32_t ssrc = 0;  // the source's: the core writes the viewer stream's own SSRC
    std::uint16_t seq = 0;
    std::uint32_t ts = 0;
    int picture_id = -1;  // VP8 only
    bool keyframe = false;
};

// The core's callbacks, recording relay_rtp and send_pli_stream. One at a time.
class Gateway {
public:
    Gateway();
    ~Gateway();
    Gateway(const Gateway&) = delete;
    Gateway& operator=(const Gateway&) = delete;

    janus_callbacks* callbacks() { return &callbacks_; }
    // What `handle` was sent, audio or video, in order.
    std::vector<Sent> sent_to(const Handle& handle, bool video) const;
    int plis() const { return plis_; }

private:
    static void relay_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet);
    static void send_pli_stream(janus_plugin_session* handle, int mindex);

    janus_callbacks callbacks_;
    std::vector<Sent> sent_;
    int plis_ = 0;
};

// Checks one viewer stream as its browser's jitter buffer would: sequence numbers without a gap or a
// jump, and timestamps that never go back. Returns the number of problems (0: continuous).
int discontinuities(const std::vector<Sent>& stream);

}  // namespace media_test
