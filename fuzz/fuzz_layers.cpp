// SPDX-License-Identifier: GPL-3.0-or-later
// The simulcast layer choice: a publisher's packets (LayerMeter) and a viewer's reports
// (LayerSelector) in any order, sizes and timing. Each 8-byte record of the input is one event.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "media/layer_meter.h"
#include "media/layer_selector.h"

namespace {

constexpr std::size_t kRecord = 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    onair::media::LayerMeter meter;
    onair::media::LayerSelector selector;
    std::int64_t now_us = 0;
    for (std::size_t at = 0; at + kRecord <= size; at += kRecord) {
        const std::uint8_t* record = data + at;
        now_us += static_cast<std::int64_t>(record[1]) * 20'000;  // up to ~5 s between events
        std::uint32_t value = 0;
        std::memcpy(&value, record + 4, sizeof value);
        if ((record[0] & 1) == 0) {
            // A packet of 0..65535 bytes on layer 0..3 (3: one the browser should not send).
            meter.add(record[2] % (onair::media::kMaxLayers + 1), value & 0xffff, now_us);
            continue;
        }
        onair::media::LinkFeedback feedback;
        feedback.estimate_bps = value;
        feedback.loss_reports = record[2] % 4;
        feedback.worst_loss = record[3] / 255.0;
        const int layer = selector.update(meter.rates(now_us), feedback, now_us);
        if (layer < -1 || layer >= onair::media::kMaxLayers) {
            __builtin_trap();  // only a layer a browser sends, or none
        }
    }
    return 0;
}
