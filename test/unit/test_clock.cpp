// SPDX-License-Identifier: GPL-3.0-or-later
// Wall-clock steps (issue 12, design.md section 7): durations come from the monotonic-anchored
// steady clock, so a step adds or removes no billed second; what is stamped as a time of day (event
// timestamps, started_at, ended_at) and a token's exp follow the real wall clock at once, and usage
// days from the next airtime segment on. The Hub runs on a CoreClock whose wall and monotonic
// sources the test moves, wired as the plugin wires it.
#include <CUnit/CUnit.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "base/clock.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr std::int64_t kSecond = 1'000'000;  // the sources count microseconds
constexpr std::int64_t kHour = 3600;
constexpr int kMinute = 60;
// 2025-11-25 00:00:00 UTC, before kNow so the tokens' exp still holds.
constexpr std::int64_t kMidnight = 1'764'028'800;

// The system's two clocks, as the test moves them.
struct Clocks {
    Clocks() = default;
    explicit Clocks(std::int64_t wall_at_start) : wall_us(wall_at_start * kSecond) {}

    std::int64_t wall_us = kNow * kSecond;
    std::int64_t monotonic_us = 123 * kSecond;
    CoreClock clock{[this] { return wall_us; },
                    [this] {
                        return monotonic_us;
                    }};

    void pass(int seconds) {  // real time passes: both clocks move
        wall_us += seconds * kSecond;
        monotonic_us += seconds * kSecond;
    }
    void step_wall(std::int64_t seconds) { wall_us += seconds * kSecond; }  // NTP, an operator
    [[nodiscard]] std::int64_t now() const { return clock.steady_now(); }
    [[nodiscard]] WallClock wall() const {
        return [this](std::int64_t /*steady_now*/) {
            return clock.wall_now();
        };
    }
};

Site billed_site() {
    Site site = demo_site();
    site.callback_url = "http://127.0.0.1:9/hook";
    return site;
}

// The one event of that type (and, for viewer events, that viewer) in the outbox.
OutboxEntry event_of_type(const std::string& store_path, const std::string& type) {
    std::unique_ptr<Store> store = open_store(store_path);
    Result<std::vector<OutboxEntry>> entries = store->list_outbox("", std::nullopt, 1000);
    CU_ASSERT_FATAL(entries.ok());
    std::vector<OutboxEntry> found;
    std::copy_if(entries.value().begin(), entries.value().end(), std::back_inserter(found),
                 [&type](const OutboxEntry& entry) { return entry.type == type; });
    CU_ASSERT_EQUAL_FATAL(found.size(), 1U);
    return found.front();
}

// A broadcast with one relay viewer, 30 s of media, a wall-clock step of `step` seconds, 30 s more
// media, then the viewer leaves and the broadcaster stops. Checks what a receiver sees.
void step_mid_broadcast(std::int64_t step) {
    Clocks clocks;
    World world(Settings{}, {billed_site()}, clocks.wall());
    world.go_live(1, "42", clocks.now());
    world.join(2, "43", 1, "42", clocks.now());
    const auto media_for = [&](int seconds) {
        for (int i = 0; i < seconds; ++i) {
            clocks.pass(1);
            world.hub().evidence({1, 2}, clocks.now());
            world.hub().tick(clocks.now());
        }
    };
    world.hub().evidence({1, 2}, clocks.now());
    media_for(30);
    clocks.step_wall(step);
    media_for(30);
    expect_ok(world.request(2, LeaveRequest{}, clocks.now()));
    expect_ok(world.request(1, StopRequest{}, clocks.now()));

    // Durations: exactly the 60 s that passed, whichever way the wall clock went.
    const OutboxEntry left = event_of_type(world.store_path(), "viewer.left");
    CU_ASSERT_EQUAL(number_of(parse_json(left.data).get(), "watch_seconds"), 60);
    const OutboxEntry ended = event_of_type(world.store_path(), "broadcast.ended");
    JsonPtr ended_data = parse_json(ended.data);
    CU_ASSERT_EQUAL(number_of(ended_data.get(), "broadcast_seconds"), 60);

    // Stamps: before the step on the old wall time, after it on the new one.
    const OutboxEntry started = event_of_type(world.store_path(), "broadcast.started");
    CU_ASSERT_EQUAL(started.timestamp, kNow);
    CU_ASSERT_EQUAL(number_of(parse_json(started.data).get(), "started_at"), kNow);
    const OutboxEntry joined = event_of_type(world.store_path(), "viewer.joined");
    CU_ASSERT_EQUAL(joined.timestamp, kNow);
    CU_ASSERT_EQUAL(left.timestamp, kNow + 60 + step);
    CU_ASSERT_EQUAL(ended.timestamp, kNow + 60 + step);
    CU_ASSERT_EQUAL(number_of(ended_data.get(), "ended_at"), kNow + 60 + step);
    // The report due at 60 s of broadcast came after the step.
    const OutboxEntry report = event_of_type(world.store_path(), "airtime.report");
    CU_ASSERT_EQUAL(report.timestamp, kNow + 60 + step);
    CU_ASSERT_EQUAL(number_of(parse_json(report.data).get(), "broadcast_seconds"), 60);
    // Delivery is due at once on the sender's steady clock, whatever the wall clock says: an event
    // made after a step forward is not held back for the length of the step.
    CU_ASSERT_EQUAL(left.next_attempt_at, clocks.now());
    CU_ASSERT_EQUAL(report.next_attempt_at, clocks.now());
}

void an_hour_forward_mid_broadcast_bills_nothing_and_stamps_follow() { step_mid_broadcast(kHour); }

void an_hour_back_mid_broadcast_takes_nothing_and_stamps_follow() { step_mid_broadcast(-kHour); }

// Seconds per user on one day in the Admin `usage` answer (42 only broadcasts, 43 only watches).
std::map<std::string, std::int64_t> usage_on(Hub& hub, const std::string& day, std::int64_t now) {
    JsonPtr request =
        parse_json(R"({"request":"usage","site":"demo","from":")" + day + R"(","to":")" + day + R"("})");
    Effects effects;
    JsonPtr answer = hub.admin(request.get(), now, effects);
    const json_t* rows = json_object_get(answer.get(), "usage");
    CU_ASSERT_FATAL(json_is_array(rows));
    std::map<std::string, std::int64_t> seconds;
    for (std::size_t i = 0; i < json_array_size(rows); ++i) {
        const json_t* row = json_array_get(rows, i);
        CU_ASSERT_EQUAL(text_of(row, "day"), day);
        seconds[text_of(row, "user")] = number_of(row, "broadcast_seconds") + number_of(row, "watch_seconds");
    }
    return seconds;
}

// A broadcast with one relay viewer, starting `before_midnight` seconds before kMidnight on both
// clocks: 30 min of media, 30 min of silence (the ledger closes the segment), a wall-clock step of
// `step`, 60 min of media in a new segment, then the viewer leaves and the broadcaster stops. The
// 90 min are billed whichever way the wall clock went; the usage answer puts each segment on the
// days of the wall clock as it was when the segment opened: `first_day` and `second_day` seconds.
void usage_days_follow_a_step(std::int64_t step, std::int64_t before_midnight, std::int64_t first_day,
                              std::int64_t second_day) {
    constexpr int kEvidenceEvery = 30;  // under evidence_timeout: one segment while media flows
    Clocks clocks(kMidnight - before_midnight);
    World world(Settings{}, {billed_site()}, clocks.wall());
    world.go_live(1, "42", clocks.now());
    world.join(2, "43", 1, "42", clocks.now());
    const auto media_for = [&](int seconds) {
        world.hub().evidence({1, 2}, clocks.now());
        for (int sent = 0; sent < seconds; sent += kEvidenceEvery) {
            clocks.pass(kEvidenceEvery);
            world.hub().evidence({1, 2}, clocks.now());
            world.hub().tick(clocks.now());
        }
    };
    const auto silence_for = [&](int seconds) {
        for (int quiet = 0; quiet < seconds; quiet += kEvidenceEvery) {
            clocks.pass(kEvidenceEvery);
            world.hub().tick(clocks.now());
        }
    };
    media_for(30 * kMinute);
    silence_for(30 * kMinute);
    clocks.step_wall(step);
    media_for(60 * kMinute);
    expect_ok(world.request(2, LeaveRequest{}, clocks.now()));
    expect_ok(world.request(1, StopRequest{}, clocks.now()));

    const std::int64_t billed = 90 * kMinute;
    CU_ASSERT_EQUAL(
        number_of(parse_json(event_of_type(world.store_path(), "viewer.left").data).get(), "watch_seconds"),
        billed);
    CU_ASSERT_EQUAL(number_of(parse_json(event_of_type(world.store_path(), "broadcast.ended").data).get(),
                              "broadcast_seconds"),
                    billed);
    CU_ASSERT_EQUAL(first_day + second_day, billed);
    const auto both_users = [](std::int64_t seconds) {
        return seconds == 0 ? std::map<std::string, std::int64_t>{}
                            : std::map<std::string, std::int64_t>{{"42", seconds}, {"43", seconds}};
    };
    // One day at a time: the store must find a segment by its wall-clock span too.
    CU_ASSERT(usage_on(world.hub(), "2025-11-24", clocks.now()) == both_users(first_day));
    CU_ASSERT(usage_on(world.hub(), "2025-11-25", clocks.now()) == both_users(second_day));
}

// The second segment is 90 to 30 min before midnight on the steady clock, but 30 min before to 30
// min after on the wall clock stepped forward at its start: 30 of its minutes count on the next day.
void an_hour_forward_moves_usage_to_the_next_day() {
    usage_days_follow_a_step(kHour, 150 * kMinute, 60 * kMinute, 30 * kMinute);
}

// The second segment runs from 30 min before to 30 min after midnight on the steady clock, all of
// it before midnight on the wall clock stepped back at its start.
void an_hour_back_keeps_usage_on_the_day_before() {
    usage_days_follow_a_step(-kHour, 90 * kMinute, 90 * kMinute, 0);
}

void the_steady_clock_ignores_steps_and_the_wall_clock_follows_them() {
    Clocks clocks;
    clocks.pass(10);
    CU_ASSERT_EQUAL(clocks.clock.steady_now(), kNow + 10);
    CU_ASSERT_EQUAL(clocks.clock.wall_now(), kNow + 10);
    clocks.step_wall(kHour);
    CU_ASSERT_EQUAL(clocks.clock.steady_now(), kNow + 10);
    CU_ASSERT_EQUAL(clocks.clock.wall_now(), kNow + 10 + kHour);
    clocks.step_wall(-2 * kHour);  // back, further than it went: steady time only moves forward
    clocks.pass(1);
    CU_ASSERT_EQUAL(clocks.clock.steady_now(), kNow + 11);
    CU_ASSERT_EQUAL(clocks.clock.wall_now(), kNow + 11 - kHour);
}

// A token's exp is the site backend's wall clock: it is checked against the real wall clock, so a
// corrected clock does not keep honouring tokens that expired an hour ago.
void a_token_exp_is_checked_against_the_wall_clock() {
    Clocks clocks;
    World world(Settings{}, {billed_site()}, clocks.wall());
    world.hub().handle_created(1);
    world.hub().handle_created(2);
    expect_ok(world.broadcast(1, "42", "", clocks.now()));  // exp kNow + 1 h: valid
    clocks.step_wall(2 * kHour);                            // the steady time has not moved
    expect_code(world.broadcast(2, "44", "", clocks.now()), ErrorCode::Unauthorized);
}

CU_TestInfo tests[] = {
    {"an hour forward mid-broadcast bills nothing and stamps follow",
     an_hour_forward_mid_broadcast_bills_nothing_and_stamps_follow},
    {"an hour back mid-broadcast takes nothing and stamps follow",
     an_hour_back_mid_broadcast_takes_nothing_and_stamps_follow},
    {"the steady clock ignores steps and the wall clock follows them",
     the_steady_clock_ignores_steps_and_the_wall_clock_follows_them},
    {"a token's exp is checked against the wall clock", a_token_exp_is_checked_against_the_wall_clock},
    {"an hour forward moves usage to the next day", an_hour_forward_moves_usage_to_the_next_day},
    {"an hour back keeps usage on the day before", an_hour_back_keeps_usage_on_the_day_before},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_clock_tests() { return add_suite("clock steps", tests); }
