// SPDX-License-Identifier: GPL-3.0-or-later
#include "reception.h"

#include <glib.h>

#include <algorithm>
#include <sstream>

namespace loadgen {

bool parse_rtp(std::string_view packet, RtpPacket& rtp) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(packet.data());
    if (packet.size() < 12 || (bytes[0] >> 6) != 2)
        return false;
    std::size_t header = 12 + 4 * static_cast<std::size_t>(bytes[0] & 0x0f);
    if (bytes[0] & 0x10) {  // header extension: 4 bytes, then its length in words
        if (packet.size() < header + 4)
            return false;
        header += 4 + 4 * static_cast<std::size_t>((bytes[header + 2] << 8) | bytes[header + 3]);
    }
    std::size_t end = packet.size();
    if (bytes[0] & 0x20)  // padding: its length is the last byte
        end -= std::min<std::size_t>(bytes[end - 1], end);
    if (header > end)
        return false;
    rtp.payload_type = bytes[1] & 0x7f;
    rtp.seq = static_cast<std::uint16_t>((bytes[2] << 8) | bytes[3]);
    rtp.timestamp = (std::uint32_t{bytes[4]} << 24) | (std::uint32_t{bytes[5]} << 16) |
                    (std::uint32_t{bytes[6]} << 8) | bytes[7];
    rtp.ssrc = (std::uint32_t{bytes[8]} << 24) | (std::uint32_t{bytes[9]} << 16) |
               (std::uint32_t{bytes[10]} << 8) | bytes[11];
    rtp.payload = packet.substr(header, end - header);
    return true;
}

void Reception::learn_codecs(const std::string& offer) {
    // a=rtpmap:<pt> <name>/<clock>[/<channels>]
    std::istringstream lines(offer);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("a=rtpmap:", 0) != 0)
            continue;
        std::istringstream fields(line.substr(9));
        int pt = 0;
        std::string codec;
        fields >> pt >> codec;
        const auto slash = codec.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string name = codec.substr(0, slash);
        const auto rate = static_cast<std::uint32_t>(std::stoul(codec.substr(slash + 1)));
        if (g_ascii_strcasecmp(name.c_str(), "VP8") == 0 || g_ascii_strcasecmp(name.c_str(), "opus") == 0)
            codecs_[pt] = Codec{g_ascii_strcasecmp(name.c_str(), "VP8") == 0, rate};
    }
}

const Reception::Codec* Reception::codec(int payload_type) const {
    const auto it = codecs_.find(payload_type);
    return it == codecs_.end() ? nullptr : &it->second;
}

void Reception::packet(const RtpPacket& rtp, const Codec& codec, std::int64_t arrival_us) {
    std::lock_guard lock(mutex_);
    if (first_packet_us_ < 0)
        first_packet_us_ = arrival_us;
    if (g_phase.load(std::memory_order_relaxed) != Phase::measuring)
        return;
    auto [stream, added] = streams_.try_emplace(rtp.ssrc, codec.clock_rate);
    if (added)
        stream_video_[rtp.ssrc] = codec.video;
    stream->second.packet(rtp.seq, rtp.timestamp, arrival_us);
    const std::int64_t sent = clock_.sent_at(payload_hash(rtp.payload));
    if (sent >= 0 && sent <= arrival_us)
        delay_ms_.push_back(static_cast<double>(arrival_us - sent) / 1000.0);
    else
        ++unmatched_;
}

ViewerReport Reception::report() const {
    std::lock_guard lock(mutex_);
    ViewerReport report;
    for (const auto& [ssrc, stream] : streams_) {
        report.received += stream.received();
        report.expected += stream.expected();
        if (stream_video_.at(ssrc)) {
            report.received_video += stream.received();
            report.jitter_video_ms = std::max(report.jitter_video_ms, stream.jitter_ms());
        } else {
            report.received_audio += stream.received();
            report.jitter_audio_ms = std::max(report.jitter_audio_ms, stream.jitter_ms());
        }
    }
    report.delay_ms = delay_ms_;
    report.unmatched = unmatched_;
    if (first_packet_us_ >= 0)
        report.first_packet_ms = static_cast<double>(first_packet_us_ - created_us_) / 1000.0;
    return report;
}

}  // namespace loadgen
