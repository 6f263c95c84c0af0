// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace onair {

// At most `limit` events per key in any sliding window of `window` seconds. Not thread-safe: the
// Hub's lock guards it.
class RateLimiter {
public:
    RateLimiter(int limit, std::int64_t window) : limit_(limit), window_(window) {}

    // Counts one event for `key` when it is within the limit; false (and nothing counted) otherwise.
    bool allow(const std::string& key, std::int64_t now);

    // Forgets keys whose events all left the window, so idle keys cost nothing.
    void forget_idle(std::int64_t now);

private:
    void drop_old(std::deque<std::int64_t>& times, std::int64_t now) const;

    int limit_;
    std::int64_t window_;
    std::map<std::string, std::deque<std::int64_t>> events_;
};

}  // namespace onair
