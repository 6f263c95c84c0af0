// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>

namespace onair::media {

// Collects keyframe wishes (a viewer connected, a viewer's decoder lost sync, the publisher changed)
// from any thread and lets the publisher's media thread turn them into PLIs: at most one a second
// for repair requests, since browsers answer every PLI with a full keyframe and forwarding each
// viewer's PLI would flood the broadcaster's uplink; but a viewer that has just connected cannot
// show anything before a keyframe, so its request goes out at once.
class KeyframeRequester {
public:
    static constexpr std::int64_t kMinIntervalUs = 1'000'000;

    void request() { pending_.store(true, std::memory_order_relaxed); }
    void request_now() { urgent_.store(true, std::memory_order_relaxed); }

    // Forgets the last PLI time so the next one goes out at once (a new publisher).
    void restart() { request_now(); }

    // On the publisher's media thread, for every packet: true when a PLI should be sent now.
    bool due(std::int64_t now_us) {
        if (urgent_.exchange(false, std::memory_order_relaxed)) {
            pending_.store(false, std::memory_order_relaxed);
            last_sent_us_ = now_us;
            return true;
        }
        if (!pending_.load(std::memory_order_relaxed) || now_us - last_sent_us_ < kMinIntervalUs)
            return false;
        pending_.store(false, std::memory_order_relaxed);
        last_sent_us_ = now_us;
        return true;
    }

private:
    std::atomic<bool> pending_{false};
    std::atomic<bool> urgent_{false};
    std::int64_t last_sent_us_ = 0;  // only the publisher's media thread (or a writer holding the
                                     // router's exclusive lock) touches it
};

}  // namespace onair::media
