// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "media/layer_selector.h"

namespace onair::media {

// Measures the bitrate of each simulcast layer from the publisher's own packets (what the browser
// really sends, which is often less than the encoder's configured maximum), on the publisher's
// media thread. Rates are averaged over one-second windows and smoothed across windows, so one
// keyframe does not make a layer look twice its size.
class LayerMeter {
public:
    static constexpr std::int64_t kWindowUs = 1'000'000;
    static constexpr std::int64_t kSilenceUs = 1'000'000;  // a layer silent this long is not flowing

    void add(int layer, std::size_t bytes, std::int64_t now_us);
    // 0 for layers not flowing; a flowing layer is at least 1 bps, even before its first full window.
    LayerRates rates(std::int64_t now_us) const;
    void reset() { layers_ = {}; }

private:
    struct Layer {
        std::int64_t window_start_us = -1;
        std::uint64_t window_bytes = 0;
        std::uint32_t bps = 0;  // smoothed over completed windows; 0 before the first
        std::int64_t last_packet_us = -1;
    };

    std::array<Layer, kMaxLayers> layers_{};
};

}  // namespace onair::media
