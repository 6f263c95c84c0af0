// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/layer_meter.h"

#include <algorithm>

namespace onair::media {
namespace {

std::uint32_t bits_per_second(std::uint64_t bytes, std::int64_t elapsed_us) {
    return static_cast<std::uint32_t>(bytes * 8 * 1'000'000 / static_cast<std::uint64_t>(elapsed_us));
}

}  // namespace

void LayerMeter::add(int layer, std::size_t bytes, std::int64_t now_us) {
    if (layer < 0 || layer >= kMaxLayers)
        return;
    Layer& measured = layers_[layer];
    if (measured.last_packet_us >= 0 && now_us - measured.last_packet_us >= kSilenceUs)
        measured = Layer{};  // the layer paused: what it sent before says nothing about now
    if (measured.window_start_us < 0)
        measured.window_start_us = now_us;
    measured.window_bytes += bytes;
    measured.last_packet_us = now_us;
    const std::int64_t elapsed = now_us - measured.window_start_us;
    if (elapsed < kWindowUs)
        return;
    const std::uint32_t window_bps = bits_per_second(measured.window_bytes, elapsed);
    measured.bps = measured.bps == 0 ? window_bps : (measured.bps + window_bps) / 2;
    measured.window_start_us = now_us;
    measured.window_bytes = 0;
}

LayerRates LayerMeter::rates(std::int64_t now_us) const {
    LayerRates rates{};
    for (int layer = 0; layer < kMaxLayers; ++layer) {
        const Layer& measured = layers_[layer];
        if (measured.last_packet_us < 0 || now_us - measured.last_packet_us >= kSilenceUs)
            continue;
        std::uint32_t bps = measured.bps;
        if (bps == 0) {
            // No full window yet: what came so far, over at least a tenth of a second.
            const std::int64_t elapsed =
                std::max<std::int64_t>(now_us - measured.window_start_us, kWindowUs / 10);
            bps = bits_per_second(measured.window_bytes, elapsed);
        }
        rates[layer] = std::max<std::uint32_t>(bps, 1);
    }
    return rates;
}

}  // namespace onair::media
