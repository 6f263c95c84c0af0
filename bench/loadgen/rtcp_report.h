// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>

#include "stats.h"

namespace loadgen {

// What a receiver tells its sender once a second, as a browser does: per received stream a compound
// RTCP packet of a receiver report (RFC 3550 6.4.2) and a REMB estimate
// (draft-alvestrand-rmcat-remb). One packet per stream because Janus files a compound packet under
// the stream of its first report block. Janus reads them for its own statistics and the OnAir relay
// counts them as a viewer's evidence of watching (docs/billing.md). Counts every packet, whatever
// the measurement phase.
class ReceiverReports {
public:
    ReceiverReports(std::uint32_t own_ssrc, std::uint32_t remb_bps)
        : own_ssrc_(own_ssrc), remb_bps_(remb_bps) {}

    void rtp(std::uint32_t ssrc, std::uint32_t clock_rate, std::uint16_t seq, std::uint32_t timestamp,
             std::int64_t arrival_us);
    // Notes the sender reports in a decrypted compound RTCP packet (for LSR and DLSR).
    void rtcp(std::string_view compound, std::int64_t arrival_us);

    std::size_t streams() const { return sources_.size(); }
    // Writes the RR + REMB of the `stream`th received stream into `out` (at most `room` bytes) and
    // returns its size (0 when it does not fit).
    std::size_t write(std::size_t stream, std::uint8_t* out, std::size_t room, std::int64_t now_us);

private:
    struct Source {
        explicit Source(std::uint32_t clock_rate) : stats(clock_rate) {}
        StreamStats stats;
        std::uint64_t expected_prior = 0, received_prior = 0;
        std::uint32_t last_sr = 0;        // middle 32 bits of the last SR's NTP time
        std::int64_t last_sr_at_us = -1;  // when it arrived
    };
    std::uint32_t own_ssrc_;
    std::uint32_t remb_bps_;
    std::map<std::uint32_t, Source> sources_;  // by SSRC
};

}  // namespace loadgen
