// SPDX-License-Identifier: GPL-3.0-or-later
#include "rate_limiter.h"

namespace onair {

void RateLimiter::drop_old(std::deque<std::int64_t>& times, std::int64_t now) const {
    while (!times.empty() && times.front() + window_ <= now) {
        times.pop_front();
    }
}

bool RateLimiter::allow(const std::string& key, std::int64_t now) {
    std::deque<std::int64_t>& times = events_[key];
    drop_old(times, now);
    if (static_cast<int>(times.size()) >= limit_) {
        return false;
    }
    times.push_back(now);
    return true;
}

void RateLimiter::forget_idle(std::int64_t now) {
    for (auto it = events_.begin(); it != events_.end();) {
        drop_old(it->second, now);
        it = it->second.empty() ? events_.erase(it) : std::next(it);
    }
}

}  // namespace onair
