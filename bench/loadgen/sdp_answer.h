// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace loadgen {

// What a receive-only viewer needs from a Janus offer. With BUNDLE every m-line shares one
// transport, so the ICE credentials and candidates are those of the first m-line (or the session).
struct SdpOffer {
    struct Media {
        std::string kind;                       // m=<kind>
        std::string proto;                      // UDP/TLS/RTP/SAVPF, UDP/DTLS/SCTP, ...
        std::string mid;                        // a=mid
        std::string direction = "sendrecv";     // a=sendonly|sendrecv|recvonly|inactive
        std::vector<int> formats;               // payload types, in the offer's order (RTP only)
        std::vector<std::string> format_lines;  // a=rtpmap and a=fmtp lines, as offered
    };
    std::string ice_ufrag, ice_pwd;
    bool ice_lite = false;                // the offerer is ICE lite: the answerer must control
    std::vector<std::string> candidates;  // "a=candidate:..." of the bundled transport
    std::vector<Media> media;
};

SdpOffer parse_offer(const std::string& sdp);

// The local half of an answer.
struct SdpTransport {
    std::string ice_ufrag, ice_pwd;
    std::string fingerprint;              // sha-256, "AB:CD:..."
    std::vector<std::string> candidates;  // "a=candidate:..." lines
};

// The minimal receive-only answer: every RTP m-line with a format `accepts` takes is answered
// recvonly with those formats (rtcp-mux, BUNDLE, DTLS active), every other m-line is rejected
// (port 0). `session_id` goes into the o= line.
std::string make_answer(const SdpOffer& offer, const SdpTransport& local, unsigned long session_id,
                        const std::function<bool(int payload_type)>& accepts);

}  // namespace loadgen
