// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/rtcp_feedback.h"

#include <algorithm>

namespace onair::media {
namespace {

constexpr std::uint8_t kSenderReport = 200;
constexpr std::uint8_t kReceiverReport = 201;
constexpr std::uint8_t kPayloadFeedback = 206;
constexpr std::uint8_t kPli = 1;
constexpr std::uint8_t kFir = 4;
constexpr std::uint8_t kApplicationFeedback = 15;  // REMB is one

constexpr std::size_t kHeaderSize = 4;
constexpr std::size_t kSenderInfoSize = 20;
constexpr std::size_t kReportBlockSize = 24;

std::uint32_t read32(const std::uint8_t* at) {
    return (static_cast<std::uint32_t>(at[0]) << 24) | (static_cast<std::uint32_t>(at[1]) << 16) |
           (static_cast<std::uint32_t>(at[2]) << 8) | at[3];
}

// Report blocks start after the sender's SSRC (RR) or its sender info (SR).
void read_report_blocks(const std::uint8_t* packet, std::size_t size, std::size_t first_block, int count,
                        RtcpFeedback& feedback) {
    for (int block = 0; block < count; ++block) {
        const std::size_t at = first_block + static_cast<std::size_t>(block) * kReportBlockSize;
        if (at + kReportBlockSize > size)
            return;
        feedback.worst_fraction_lost = std::max<int>(feedback.worst_fraction_lost, packet[at + 4]);
    }
}

// REMB: "REMB", the SSRC count, then a 6-bit exponent and an 18-bit mantissa.
void read_remb(const std::uint8_t* packet, std::size_t size, RtcpFeedback& feedback) {
    constexpr std::size_t kIdentifier = 12;
    if (size < kIdentifier + 8 || read32(packet + kIdentifier) != 0x52454d42u)
        return;
    const std::uint8_t* value = packet + kIdentifier + 5;
    const unsigned exponent = value[0] >> 2;
    const std::uint64_t mantissa = (static_cast<std::uint64_t>(value[0] & 0x03) << 16) |
                                   (static_cast<std::uint64_t>(value[1]) << 8) | value[2];
    const std::uint64_t bps =
        exponent >= 46 ? UINT32_MAX : std::min<std::uint64_t>(mantissa << exponent, UINT32_MAX);
    feedback.estimate_bps = static_cast<std::uint32_t>(bps);
}

}  // namespace

RtcpFeedback read_rtcp_feedback(const std::uint8_t* data, std::size_t length) {
    RtcpFeedback feedback;
    std::size_t offset = 0;
    while (data && offset + kHeaderSize <= length) {
        const std::uint8_t* packet = data + offset;
        if ((packet[0] >> 6) != 2)
            break;
        const int count = packet[0] & 0x1f;  // report count, or feedback message type
        const std::uint8_t type = packet[1];
        const std::size_t size = (static_cast<std::size_t>((packet[2] << 8) | packet[3]) + 1) * 4;
        if (offset + size > length)
            break;
        if (type == kReceiverReport) {
            read_report_blocks(packet, size, kHeaderSize + 4, count, feedback);
        } else if (type == kSenderReport) {
            read_report_blocks(packet, size, kHeaderSize + 4 + kSenderInfoSize, count, feedback);
        } else if (type == kPayloadFeedback) {
            if (count == kPli || count == kFir)
                feedback.keyframe_request = true;
            else if (count == kApplicationFeedback)
                read_remb(packet, size, feedback);
        }
        offset += size;
    }
    return feedback;
}

}  // namespace onair::media
