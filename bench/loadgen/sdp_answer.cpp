// SPDX-License-Identifier: GPL-3.0-or-later
#include "sdp_answer.h"

#include <sstream>

namespace loadgen {

namespace {

bool starts_with(const std::string& line, const char* prefix) { return line.rfind(prefix, 0) == 0; }

// The payload type an a=rtpmap:/a=fmtp: line is about.
int format_of(const std::string& line) {
    const auto colon = line.find(':');
    return std::stoi(line.substr(colon + 1));
}

}  // namespace

SdpOffer parse_offer(const std::string& sdp) {
    SdpOffer offer;
    std::istringstream lines(sdp);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        SdpOffer::Media* media = offer.media.empty() ? nullptr : &offer.media.back();
        // Transport attributes count at session level and on the first m-line (the bundle's).
        const bool transport = offer.media.size() <= 1;
        if (starts_with(line, "m=")) {
            std::istringstream fields(line.substr(2));
            SdpOffer::Media added;
            std::string port;
            fields >> added.kind >> port >> added.proto;
            if (added.proto.find("RTP") != std::string::npos)
                for (int pt = 0; fields >> pt;)
                    added.formats.push_back(pt);
            offer.media.push_back(std::move(added));
        } else if (starts_with(line, "a=ice-ufrag:") && transport && offer.ice_ufrag.empty()) {
            offer.ice_ufrag = line.substr(12);
        } else if (starts_with(line, "a=ice-pwd:") && transport && offer.ice_pwd.empty()) {
            offer.ice_pwd = line.substr(10);
        } else if (line == "a=ice-lite") {
            offer.ice_lite = true;
        } else if (starts_with(line, "a=candidate:") && transport) {
            offer.candidates.push_back(line);
        } else if (media && starts_with(line, "a=mid:")) {
            media->mid = line.substr(6);
        } else if (media && (line == "a=sendonly" || line == "a=sendrecv" || line == "a=recvonly" ||
                             line == "a=inactive")) {
            media->direction = line.substr(2);
        } else if (media && (starts_with(line, "a=rtpmap:") || starts_with(line, "a=fmtp:"))) {
            media->format_lines.push_back(line);
        }
    }
    return offer;
}

std::string make_answer(const SdpOffer& offer, const SdpTransport& local, unsigned long session_id,
                        const std::function<bool(int payload_type)>& accepts) {
    std::ostringstream body, bundle;
    for (const auto& media : offer.media) {
        std::vector<int> taken;
        for (const int pt : media.formats)
            if (accepts(pt))
                taken.push_back(pt);
        if (taken.empty()) {
            body << "m=" << media.kind << " 0 " << media.proto << ' '
                 << (media.formats.empty() ? std::string("webrtc-datachannel")
                                           : std::to_string(media.formats[0]))
                 << "\r\nc=IN IP4 0.0.0.0\r\na=inactive\r\na=mid:" << media.mid << "\r\n";
            continue;
        }
        bundle << ' ' << media.mid;
        body << "m=" << media.kind << " 9 " << media.proto;
        for (const int pt : taken)
            body << ' ' << pt;
        // A sending offer is received; anything else stays inactive.
        const bool sends = media.direction == "sendonly" || media.direction == "sendrecv";
        body << "\r\nc=IN IP4 0.0.0.0\r\na=mid:" << media.mid << "\r\na=" << (sends ? "recvonly" : "inactive")
             << "\r\na=rtcp-mux\r\na=ice-ufrag:" << local.ice_ufrag << "\r\na=ice-pwd:" << local.ice_pwd
             << "\r\na=fingerprint:sha-256 " << local.fingerprint << "\r\na=setup:active\r\n";
        for (const auto& line : media.format_lines)
            for (const int pt : taken)
                if (format_of(line) == pt)
                    body << line << "\r\n";
        for (const auto& candidate : local.candidates)
            body << candidate << "\r\n";
        body << "a=end-of-candidates\r\n";
    }
    std::ostringstream sdp;
    sdp << "v=0\r\no=- " << session_id << " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE"
        << bundle.str() << "\r\na=msid-semantic: WMS\r\n"
        << body.str();
    return sdp.str();
}

}  // namespace loadgen
