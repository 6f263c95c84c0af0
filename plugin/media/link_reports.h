// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>

#include "media/layer_selector.h"

namespace onair::media {

// What a viewer's receiver reports say, handed without locks from the viewer's media thread (its
// incoming RTCP) to the publisher's media thread, which chooses the viewer's layer.
class LinkReports {
public:
    static constexpr std::int64_t kEstimateTtlUs = 5'000'000;  // an older estimate no longer counts

    void estimate(std::uint32_t bps, std::int64_t now_us) {
        estimate_at_us_.store(now_us, std::memory_order_relaxed);
        estimate_bps_.store(bps, std::memory_order_relaxed);
    }

    // One receiver report block's 8-bit fraction lost (lost / expected * 256).
    void loss(std::uint8_t fraction_lost) {
        std::uint32_t current = loss_.load(std::memory_order_relaxed);
        std::uint32_t wanted = 0;
        do {
            const std::uint32_t count = std::min<std::uint32_t>((current >> 8) + 1, kMaxCount);
            wanted = (count << 8) | std::max<std::uint32_t>(current & 0xff, fraction_lost);
        } while (!loss_.compare_exchange_weak(current, wanted, std::memory_order_relaxed));
    }

    // The latest estimate, however old; for display.
    std::uint32_t latest_estimate() const { return estimate_bps_.load(std::memory_order_relaxed); }

    // What arrived since the previous take (the estimate: the latest, while it is recent).
    LinkFeedback take(std::int64_t now_us) {
        LinkFeedback feedback;
        if (now_us - estimate_at_us_.load(std::memory_order_relaxed) < kEstimateTtlUs)
            feedback.estimate_bps = estimate_bps_.load(std::memory_order_relaxed);
        const std::uint32_t loss = loss_.exchange(0, std::memory_order_relaxed);
        feedback.loss_reports = static_cast<int>(loss >> 8);
        feedback.worst_loss = static_cast<double>(loss & 0xff) / 256.0;
        return feedback;
    }

private:
    static constexpr std::uint32_t kMaxCount = 0xffff;
    static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min() / 2;

    std::atomic<std::uint32_t> estimate_bps_{0};
    std::atomic<std::int64_t> estimate_at_us_{kNever};
    // Report blocks since the last take, packed so that one exchange takes them whole:
    // count << 8 | the worst fraction lost.
    std::atomic<std::uint32_t> loss_{0};
};

}  // namespace onair::media
