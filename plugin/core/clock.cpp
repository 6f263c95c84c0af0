// SPDX-License-Identifier: GPL-3.0-or-later
#include "clock.h"

#include <chrono>
#include <utility>

namespace onair {

namespace {
template <typename Clock>
std::int64_t microseconds_of() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}
}  // namespace

CoreClock::CoreClock()
    : CoreClock(microseconds_of<std::chrono::system_clock>, microseconds_of<std::chrono::steady_clock>) {}

CoreClock::CoreClock(const Source& wall_us, Source monotonic_us)
    : monotonic_us_(std::move(monotonic_us)),
      wall_at_start_us_(wall_us()),
      monotonic_at_start_us_(monotonic_us_()) {}

std::int64_t CoreClock::now() const {
    constexpr std::int64_t kMicroseconds = 1'000'000;
    return (wall_at_start_us_ + (monotonic_us_() - monotonic_at_start_us_)) / kMicroseconds;
}

}  // namespace onair
