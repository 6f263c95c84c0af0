// SPDX-License-Identifier: GPL-3.0-or-later
// Compound RTCP from viewers: read_rtcp_feedback takes whatever bytes arrive on the wire.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "media/rtcp_feedback.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // An exact-size copy, so ASan sees any read past the packet's end.
    std::vector<std::uint8_t> packet(data, data + size);
    onair::media::RtcpFeedback feedback = onair::media::read_rtcp_feedback(packet.data(), packet.size());
    if (feedback.worst_fraction_lost < -1 || feedback.worst_fraction_lost > 255) {
        __builtin_trap();  // a fraction lost is one byte
    }
    return 0;
}
