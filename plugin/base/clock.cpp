// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/clock.h"

#include <chrono>
#include <utility>

namespace onair {

namespace {
constexpr std::int64_t kMicroseconds = 1'000'000;

template <typename Clock>
std::int64_t microseconds_of() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}
}  // namespace

CoreClock::CoreClock()
    : CoreClock(microseconds_of<std::chrono::system_clock>, microseconds_of<std::chrono::steady_clock>) {}

CoreClock::CoreClock(Source wall_us, Source monotonic_us)
    : wall_us_(std::move(wall_us)),
      monotonic_us_(std::move(monotonic_us)),
      wall_at_start_us_(wall_us_()),
      monotonic_at_start_us_(monotonic_us_()) {}

std::int64_t CoreClock::steady_now() const {
    return (wall_at_start_us_ + (monotonic_us_() - monotonic_at_start_us_)) / kMicroseconds;
}

std::int64_t CoreClock::wall_now() const { return wall_us_() / kMicroseconds; }

std::int64_t wall_same_as_steady(std::int64_t steady_now) { return steady_now; }

}  // namespace onair
