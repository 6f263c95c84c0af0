// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>

namespace onair {

// The core's two kinds of time, both in Unix seconds (design.md section 7):
// - steady_now(): the wall clock read once, when the clock is made, then advanced by a monotonic
//   clock. Every duration and deadline the core measures (airtime, evidence_timeout, prompts,
//   publish and resume timeouts, rate limits, report intervals) uses it, so a wall-clock step
//   never moves one: a clock set an hour forward mid-broadcast bills nothing, and one set back
//   never shortens anything. Being anchored to the wall clock, it stays comparable across restarts
//   (the ledger stores it).
// - wall_now(): the real wall clock at the moment it is read, for what a receiver or an operator
//   reads as a time of day (event timestamps, started_at/ended_at) and for comparisons with other
//   machines' clocks (a token's exp, TURN credentials' expiry). After a correction of the wall
//   clock (NTP stepping a machine that booted with a wrong time) these follow it at once. Usage
//   days too, from the next airtime segment on: each segment stores the wall clock's offset from
//   the steady clock when it opens, and its days are cut from its steady times moved by that
//   offset (its seconds stay steady).
class CoreClock {
public:
    using Source = std::function<std::int64_t()>;  // microseconds
    CoreClock();                                   // the system's realtime and monotonic clocks
    CoreClock(Source wall_us, Source monotonic_us);

    [[nodiscard]] std::int64_t steady_now() const;
    [[nodiscard]] std::int64_t wall_now() const;

private:
    Source wall_us_;
    Source monotonic_us_;
    std::int64_t wall_at_start_us_;
    std::int64_t monotonic_at_start_us_;
};

// How the core turns the steady `now` of a call into the wall time to stamp: the real wall clock
// in the plugin (it ignores the steady time); in tests, a function of it, so a test can step it.
using WallClock = std::function<std::int64_t(std::int64_t steady_now)>;

// A wall clock that never steps: the wall time is the steady time (the default of a Hub in tests).
std::int64_t wall_same_as_steady(std::int64_t steady_now);

}  // namespace onair
