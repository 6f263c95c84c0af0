// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "stats.h"

namespace loadgen {

// What a viewer measured inside the window.
struct ViewerReport {
    std::uint64_t received = 0, expected = 0;  // expected from RTP sequence numbers
    std::uint64_t received_video = 0, received_audio = 0;
    double jitter_video_ms = 0, jitter_audio_ms = 0;
    std::vector<double> delay_ms;  // sender probe to receiver probe, matched payloads only
    std::uint64_t unmatched = 0;   // payloads with no (or an ambiguous) send time
    double first_packet_ms = -1;   // from creation to the first RTP packet, any phase
};

// A decrypted RTP packet's fields that the accounting reads.
struct RtpPacket {
    int payload_type = 0;
    std::uint32_t ssrc = 0;
    std::uint16_t seq = 0;
    std::uint32_t timestamp = 0;
    std::string_view payload;
};

// Parses a plain RTP packet (header, CSRCs, extension, padding); false when it is not one.
bool parse_rtp(std::string_view packet, RtpPacket& rtp);

// The accounting of one viewer, whatever its WebRTC stack: the media and clock rate of each offered
// payload type, then per SSRC sequence loss and jitter, and the arrival delay by payload hash.
// Thread-safe (a webrtcbin viewer observes on its streaming threads).
class Reception {
public:
    struct Codec {
        bool video = false;
        std::uint32_t clock_rate = 0;
    };

    explicit Reception(const PayloadClock& clock) : clock_(clock) {}
    // Learns VP8 and Opus payload types from an offer's a=rtpmap lines; call before media flows.
    void learn_codecs(const std::string& offer);
    // The codec of an offered payload type, or null for anything else (RTCP, unknown formats).
    const Codec* codec(int payload_type) const;
    // Counts one packet of a known payload type (only inside the window, but the first always).
    void packet(const RtpPacket& rtp, const Codec& codec, std::int64_t arrival_us);
    ViewerReport report() const;

private:
    const PayloadClock& clock_;
    const std::int64_t created_us_ = now_us();
    std::map<int, Codec> codecs_;                   // by payload type; written before media flows
    mutable std::mutex mutex_;                      // guards the members below
    std::map<std::uint32_t, StreamStats> streams_;  // by SSRC
    std::map<std::uint32_t, bool> stream_video_;
    std::vector<double> delay_ms_;
    std::uint64_t unmatched_ = 0;
    std::int64_t first_packet_us_ = -1;
};

}  // namespace loadgen
