// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>

namespace onair::media {

// What a viewer's (compound) RTCP packet says that the router acts on.
struct RtcpFeedback {
    std::uint32_t estimate_bps = 0;  // REMB (receiver estimated maximum bitrate); 0 when absent
    int worst_fraction_lost = -1;    // highest 8-bit fraction lost of its report blocks; -1 when none
    bool keyframe_request = false;   // a PLI or FIR
};

// Reads a compound RTCP packet (RFC 3550 SR/RR report blocks, RFC 4585 PLI, RFC 5104 FIR,
// draft-alvestrand-rmcat-remb). Malformed parts end the reading; what was read until then counts.
RtcpFeedback read_rtcp_feedback(const std::uint8_t* data, std::size_t length);

}  // namespace onair::media
