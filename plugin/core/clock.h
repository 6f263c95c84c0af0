// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>

namespace onair {

// The core's "now" in Unix seconds: the wall clock read once, when the clock is made, then advanced
// by a monotonic clock. Every duration the core measures (airtime, timeouts, report intervals) is
// therefore free of wall-clock steps: a clock set an hour forward mid-broadcast bills nothing, and
// one set back never shortens anything. Wall time only stamps days and events (design.md section 7).
class CoreClock {
public:
    using Source = std::function<std::int64_t()>;  // microseconds
    CoreClock();                                   // the system's realtime and monotonic clocks
    CoreClock(const Source& wall_us, Source monotonic_us);

    [[nodiscard]] std::int64_t now() const;

private:
    Source monotonic_us_;
    std::int64_t wall_at_start_us_;
    std::int64_t monotonic_at_start_us_;
};

}  // namespace onair
