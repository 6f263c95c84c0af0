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

// The wall time (Unix seconds) at the steady time `steady_now`: what the core stamps as a time of
// day and compares with other machines' clocks. A function of the steady time on purpose: the core
// reads no clock, it is handed the `now` of each call, and this says which wall time goes with it.
// - The plugin's reads the real wall clock and ignores the argument: the `now` it passes is always
//   the present, and a corrected wall clock must show in the next stamp at once.
// - Tests choose each `now` by hand, and wall_same_as_steady makes the stamps follow it, so no test
//   has a second clock to move in step. Tests of a wall-clock step pass the plugin's kind of clock
//   over hand-moved sources (test_clock.cpp).
// A seam of steady time plus an offset would stamp the moment a call began rather than the present,
// which changes what the plugin stamps; one without the argument would give every test two clocks.
using WallClock = std::function<std::int64_t(std::int64_t steady_now)>;

// A wall clock that never steps: the wall time is the steady time (the default of a Hub in tests).
std::int64_t wall_same_as_steady(std::int64_t steady_now);

}  // namespace onair
