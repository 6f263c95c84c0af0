// SPDX-License-Identifier: GPL-3.0-or-later
// Airtime that a site's backend can trust (issue 12): reports stay small however often a viewer
// comes and goes, a report never announces seconds the store does not have (so totals never go
// backwards after a crash), a crash loses at most a second, and only evidence bills (design.md
// section 7: media for relay sessions, heartbeats naming each other for direct pairs).
#include <CUnit/CUnit.h>

#include <variant>

#include "billing_fixture.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

void a_report_has_one_entry_per_viewer_however_often_it_came_back() {
    Settings settings;
    settings.watch_rate = 1000;  // this test is about the report, not about the rate limit
    settings.report_interval = 600;
    World world(settings, {billed_site()});
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow);
    std::string last_watch;
    std::int64_t t = kNow;
    for (int round = 0; round < 300; ++round) {  // the granted viewer's loop of issue 12, item 2
        world.hub().evidence({1, 2}, ++t);
        expect_ok(world.request(2, LeaveRequest{}, t));
        Result<Reply> accepted = world.watch(2, "43", "42", "", t);
        CU_ASSERT_FATAL(accepted.ok());
        CU_ASSERT_EQUAL_FATAL(event_of(accepted.value().event.result.get()), "accepted");
        expect_ok(world.request(2, StartRequest{}, t));
        world.hub().tick(t);
    }
    world.hub().evidence({1, 2}, ++t);
    world.hub().tick(kNow + settings.report_interval);
    const std::vector<OutboxEntry> reports = events_of(world.store_path(), "airtime.report");
    CU_ASSERT_EQUAL_FATAL(reports.size(), 1U);
    CU_ASSERT(reports[0].data.size() < 300);  // was 27 KB: one entry per finished watch
    JsonPtr data = parse_json(reports[0].data);
    const json_t* viewers = json_object_get(data.get(), "viewers");
    CU_ASSERT_EQUAL_FATAL(json_array_size(viewers), 1U);
    CU_ASSERT_EQUAL(text_of(json_array_get(viewers, 0), "viewer"), "43");
    // Every watch session's final seconds went out in its own viewer.left.
    CU_ASSERT_EQUAL(events_of(world.store_path(), "viewer.left").size(), 300U);
}

void a_report_lists_who_left_since_the_last_one_then_forgets_them() {
    Settings settings;
    settings.report_interval = 10;
    World world(settings, {billed_site()});
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow);
    world.join(3, "44", 1, "42", kNow);
    world.hub().evidence({1, 2, 3}, kNow);
    world.hub().evidence({1, 2, 3}, kNow + 4);
    expect_ok(world.request(3, LeaveRequest{}, kNow + 5));
    world.hub().evidence({1, 2}, kNow + 8);
    world.hub().tick(kNow + 10);
    world.hub().evidence({1, 2}, kNow + 18);
    world.hub().tick(kNow + 20);
    const std::vector<OutboxEntry> reports = events_of(world.store_path(), "airtime.report");
    CU_ASSERT_EQUAL_FATAL(reports.size(), 2U);
    JsonPtr first = parse_json(reports[0].data);
    const json_t* viewers = json_object_get(first.get(), "viewers");
    CU_ASSERT_EQUAL_FATAL(json_array_size(viewers), 2U);
    CU_ASSERT_EQUAL(text_of(json_array_get(viewers, 0), "viewer"), "43");
    CU_ASSERT_EQUAL(number_of(json_array_get(viewers, 0), "watch_seconds"), 8);
    CU_ASSERT_EQUAL(text_of(json_array_get(viewers, 1), "viewer"), "44");
    CU_ASSERT_EQUAL(number_of(json_array_get(viewers, 1), "watch_seconds"), 4);
    JsonPtr second = parse_json(reports[1].data);
    viewers = json_object_get(second.get(), "viewers");
    CU_ASSERT_EQUAL_FATAL(json_array_size(viewers), 1U);
    CU_ASSERT_EQUAL(text_of(json_array_get(viewers, 0), "viewer"), "43");
    CU_ASSERT_EQUAL(number_of(json_array_get(viewers, 0), "watch_seconds"), 18);
}

// Media every second with the timer ticking, a report at +7, then kill -9 at +`killed_at`.
void crash_after_a_report(const TempDir& dir, std::int64_t killed_at) {
    Settings settings;
    settings.store_path = dir.file("onair.sqlite");
    settings.report_interval = 7;
    auto hub = std::make_unique<Hub>(settings, open_store(settings.store_path));
    CU_ASSERT_FATAL(hub->start({billed_site()}, kNow - 10).ok());
    hub->handle_created(1);
    Credentials who{"demo", "42", "", make_token(kSecret, Claims{"42"})};
    CU_ASSERT_FATAL(hub->handle_request(1, BroadcastRequest{who}, kNow).ok());
    CU_ASSERT_FATAL(hub->handle_request(1, PublishRequest{}, kNow).ok());
    hub->media_up(1, kNow);
    for (std::int64_t t = 1; t <= killed_at; ++t) {
        hub->evidence({1}, kNow + t);
        hub->tick(kNow + t);
    }
}  // kill -9: nothing ends, nothing more is written

std::int64_t seconds_after_restart(const TempDir& dir) {
    Settings settings;
    settings.store_path = dir.file("onair.sqlite");
    auto hub = std::make_unique<Hub>(settings, open_store(settings.store_path));
    CU_ASSERT_FATAL(hub->start({billed_site()}, kNow + 100).ok());
    hub->tick(kNow + 100 + settings.restart_grace);
    const std::vector<OutboxEntry> ended = events_of(settings.store_path, "broadcast.ended");
    CU_ASSERT_EQUAL_FATAL(ended.size(), 1U);
    return number_of(parse_json(ended[0].data).get(), "broadcast_seconds");
}

void totals_never_go_backwards_after_a_crash_right_after_a_report() {
    TempDir dir;
    crash_after_a_report(dir, 7);
    const std::vector<OutboxEntry> reports = events_of(dir.file("onair.sqlite"), "airtime.report");
    CU_ASSERT_EQUAL_FATAL(reports.size(), 1U);
    const std::int64_t reported = number_of(parse_json(reports[0].data).get(), "broadcast_seconds");
    CU_ASSERT_EQUAL(reported, 7);
    CU_ASSERT(seconds_after_restart(dir) >= reported);
}

void a_crash_loses_at_most_a_second() {
    for (std::int64_t killed_at : {8, 9, 10, 11, 12}) {
        TempDir dir;
        crash_after_a_report(dir, killed_at);
        const std::int64_t seconds = seconds_after_restart(dir);
        CU_ASSERT(seconds >= killed_at - 1 && seconds <= killed_at);
    }
}

std::int64_t watch_seconds_left(const std::string& store_path, const std::string& viewer) {
    for (const OutboxEntry& entry : events_of(store_path, "viewer.left")) {
        JsonPtr data = parse_json(entry.data);
        if (text_of(data.get(), "viewer") == viewer) {
            return number_of(data.get(), "watch_seconds");
        }
    }
    CU_FAIL_FATAL("no viewer.left for this viewer");
    return -1;
}

void a_relay_viewer_bills_from_its_first_media_and_never_on_heartbeats() {
    World world(Settings{}, {billed_site()});
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow);  // `start` at +0: nothing billed yet
    world.join(3, "44", 1, "42", kNow);
    for (std::int64_t t = 5; t <= 60; t += 5) {  // heartbeats, but no media ever reaches 44
        expect_ok(world.request(3, HeartbeatRequest{}, kNow + t));
        expect_ok(world.request(2, HeartbeatRequest{}, kNow + t));
    }
    world.hub().evidence({1, 2}, kNow + 20);  // 43's first relayed media (and receiver reports)
    world.hub().evidence({1, 2}, kNow + 50);
    expect_ok(world.request(2, LeaveRequest{}, kNow + 60));
    expect_ok(world.request(3, LeaveRequest{}, kNow + 60));
    CU_ASSERT_EQUAL(watch_seconds_left(world.store_path(), "43"), 30);
    CU_ASSERT_EQUAL(watch_seconds_left(world.store_path(), "44"), 0);
}

void a_direct_pair_bills_only_while_both_ends_name_it() {
    Site site = billed_site();
    site.media = MediaMode::P2p;
    World world(Settings{}, {site});
    world.hub().handle_created(1);
    expect_ok(world.broadcast(1, "42", "", kNow));
    expect_ok(world.request(1, PublishRequest{false}, kNow));
    Effects accepted = world.accept(1, world.ask(2, "43", "42", kNow), kNow);
    const json_t* pairing = notice(accepted, 2, "accepted");
    CU_ASSERT_FATAL(pairing != nullptr);
    const std::string peer = text_of(pairing, "peer");
    expect_ok(world.request(2, StartRequest{false}, kNow + 5));
    // The viewer alone names the pairing: nothing is proved about the other end.
    expect_ok(world.request(2, HeartbeatRequest{{peer}}, kNow + 10));
    expect_ok(world.request(2, HeartbeatRequest{{peer}}, kNow + 20));
    expect_ok(world.request(1, HeartbeatRequest{}, kNow + 20));  // the broadcast, but not the pair
    // Both ends name it: billed up to the earlier of their latest heartbeats.
    expect_ok(world.request(1, HeartbeatRequest{{peer}}, kNow + 25));  // both there at +20
    expect_ok(world.request(2, HeartbeatRequest{{peer}}, kNow + 30));  // both there at +25
    expect_ok(world.request(2, HeartbeatRequest{{peer}}, kNow + 40));  // the broadcaster is silent
    expect_ok(world.request(2, LeaveRequest{}, kNow + 41));
    CU_ASSERT_EQUAL(watch_seconds_left(world.store_path(), "43"), 5);
    // The direct broadcast itself bills on its broadcaster's heartbeats.
    expect_ok(world.request(1, StopRequest{}, kNow + 42));
    const std::vector<OutboxEntry> ended = events_of(world.store_path(), "broadcast.ended");
    CU_ASSERT_EQUAL_FATAL(ended.size(), 1U);
    CU_ASSERT_EQUAL(number_of(parse_json(ended[0].data).get(), "broadcast_seconds"), 25);
}

void heartbeat_peers_are_checked() {
    const auto parsed = [](const std::string& text) {
        return parse_request(parse_json(text).get());
    };
    Result<Request> beat =
        parsed(R"({"request":"heartbeat","peers":["p-0123456789abcdef0123456789abcdef"]})");
    CU_ASSERT_FATAL(beat.ok());
    CU_ASSERT_EQUAL(std::get<HeartbeatRequest>(beat.value()).peers.size(), 1U);
    // Optional: null reads as no peers, like a heartbeat without them.
    Result<Request> without = parsed(R"({"request":"heartbeat","peers":null})");
    CU_ASSERT_FATAL(without.ok());
    CU_ASSERT(std::get<HeartbeatRequest>(without.value()).peers.empty());
    CU_ASSERT_EQUAL(parsed(R"({"request":"heartbeat","peers":"p-1"})").error().code,
                    ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(
        parsed(R"({"request":"heartbeat","peers":["w-0123456789abcdef0123456789abcdef"]})").error().code,
        ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(parsed(R"({"request":"heartbeat","peers":[42]})").error().code,
                    ErrorCode::InvalidElement);
    std::string many = R"({"request":"heartbeat","peers":[)";
    for (int i = 0; i < 201; ++i) {
        many += std::string(i == 0 ? "" : ",") + R"("p-0123456789abcdef0123456789abcdef")";
    }
    CU_ASSERT_EQUAL(parsed(many + "]}").error().code, ErrorCode::TooLarge);
}

CU_TestInfo tests[] = {
    {"a relay viewer bills from its first media and never on heartbeats",
     a_relay_viewer_bills_from_its_first_media_and_never_on_heartbeats},
    {"a direct pair bills only while both ends name it", a_direct_pair_bills_only_while_both_ends_name_it},
    {"heartbeat peers are checked", heartbeat_peers_are_checked},
    {"a report has one entry per viewer however often it came back",
     a_report_has_one_entry_per_viewer_however_often_it_came_back},
    {"a report lists who left since the last one, then forgets them",
     a_report_lists_who_left_since_the_last_one_then_forgets_them},
    {"totals never go backwards after a crash right after a report",
     totals_never_go_backwards_after_a_crash_right_after_a_report},
    {"a crash loses at most a second", a_crash_loses_at_most_a_second},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_airtime_tests() { return add_suite("airtime integrity", tests); }
