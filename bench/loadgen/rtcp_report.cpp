// SPDX-License-Identifier: GPL-3.0-or-later
#include "rtcp_report.h"

#include <algorithm>
#include <iterator>

namespace loadgen {

namespace {

void put32(std::uint8_t* at, std::uint32_t value) {
    at[0] = static_cast<std::uint8_t>(value >> 24);
    at[1] = static_cast<std::uint8_t>(value >> 16);
    at[2] = static_cast<std::uint8_t>(value >> 8);
    at[3] = static_cast<std::uint8_t>(value);
}

std::uint32_t get32(const std::uint8_t* at) {
    return (std::uint32_t{at[0]} << 24) | (std::uint32_t{at[1]} << 16) | (std::uint32_t{at[2]} << 8) | at[3];
}

// An RTCP header: version 2, `count` in the low 5 bits, the length in 32-bit words minus one.
void header(std::uint8_t* at, unsigned count, std::uint8_t type, std::size_t bytes) {
    at[0] = static_cast<std::uint8_t>(0x80 | count);
    at[1] = type;
    const auto words = static_cast<std::uint16_t>(bytes / 4 - 1);
    at[2] = static_cast<std::uint8_t>(words >> 8);
    at[3] = static_cast<std::uint8_t>(words);
}

}  // namespace

void ReceiverReports::rtp(std::uint32_t ssrc, std::uint32_t clock_rate, std::uint16_t seq,
                          std::uint32_t timestamp, std::int64_t arrival_us) {
    sources_.try_emplace(ssrc, clock_rate).first->second.stats.packet(seq, timestamp, arrival_us);
}

void ReceiverReports::rtcp(std::string_view compound, std::int64_t arrival_us) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(compound.data());
    for (std::size_t at = 0; at + 4 <= compound.size();) {
        const std::size_t length = 4 * ((static_cast<std::size_t>(bytes[at + 2]) << 8 | bytes[at + 3]) + 1);
        if (at + length > compound.size())
            break;
        if (bytes[at + 1] == 200 && length >= 28) {  // SR: sender SSRC, then the NTP time
            const auto source = sources_.find(get32(bytes + at + 4));
            if (source != sources_.end()) {
                source->second.last_sr = get32(bytes + at + 10);  // its middle 32 bits
                source->second.last_sr_at_us = arrival_us;
            }
        }
        at += length;
    }
}

std::size_t ReceiverReports::write(std::size_t stream, std::uint8_t* out, std::size_t room,
                                   std::int64_t now_us) {
    constexpr std::size_t rr_size = 8 + 24, remb_size = 20 + 4;
    if (stream >= sources_.size() || rr_size + remb_size > room)
        return 0;
    auto it = sources_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(stream));
    const std::uint32_t ssrc = it->first;
    Source& source = it->second;
    const StreamStats& stats = source.stats;
    const std::uint64_t expected = stats.expected(), received = stats.received();
    const auto expected_interval = static_cast<std::int64_t>(expected - source.expected_prior);
    const auto lost_interval =
        expected_interval - static_cast<std::int64_t>(received - source.received_prior);
    source.expected_prior = expected;
    source.received_prior = received;
    const std::int64_t fraction = expected_interval > 0 && lost_interval > 0
                                      ? std::min<std::int64_t>((lost_interval << 8) / expected_interval, 255)
                                      : 0;
    const auto lost = std::clamp<std::int64_t>(static_cast<std::int64_t>(expected - received), 0, 0x7fffff);
    std::uint32_t delay = 0;  // since the last SR, in 1/65536 s
    if (source.last_sr_at_us >= 0)
        delay = static_cast<std::uint32_t>((now_us - source.last_sr_at_us) * 65536 / 1'000'000);

    header(out, 1, 201, rr_size);
    put32(out + 4, own_ssrc_);
    std::uint8_t* block = out + 8;
    put32(block, ssrc);
    put32(block + 4, static_cast<std::uint32_t>(fraction) << 24 | static_cast<std::uint32_t>(lost));
    put32(block + 8, stats.highest_seq());
    put32(block + 12, static_cast<std::uint32_t>(stats.jitter_units()));
    put32(block + 16, source.last_sr);
    put32(block + 20, delay);

    // REMB: payload-specific feedback, FMT 15, media source 0, "REMB", one SSRC, exponent and
    // mantissa of the estimate.
    std::uint8_t* remb = out + rr_size;
    header(remb, 15, 206, remb_size);
    put32(remb + 4, own_ssrc_);
    put32(remb + 8, 0);
    remb[12] = 'R', remb[13] = 'E', remb[14] = 'M', remb[15] = 'B';
    std::uint32_t mantissa = remb_bps_, exponent = 0;
    while (mantissa >= (1u << 18)) {
        mantissa >>= 1;
        ++exponent;
    }
    put32(remb + 16, 1u << 24 | exponent << 18 | mantissa);
    put32(remb + 20, ssrc);
    return rr_size + remb_size;
}

}  // namespace loadgen
