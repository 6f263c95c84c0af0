// SPDX-License-Identifier: GPL-3.0-or-later
// Abuse limits (issue 12): what an admitted user could do to grow state or fill a broadcast, as
// the Janus layer would drive it, with a controlled clock.
#include <CUnit/CUnit.h>

#include "fixtures.h"
#include "model/broadcast.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr HandleId kAnna = 1;
constexpr HandleId kAnnaTab = 2;
constexpr HandleId kBoris = 3;
constexpr HandleId kBorisTab = 4;
constexpr HandleId kCyril = 5;
constexpr HandleId kAnnaThirdTab = 6;

// The viewers Admin list_viewers shows for the broadcast of "42".
std::size_t viewers_listed(World& world) {
    JsonPtr body = parse_json(R"({"request":"list_viewers","site":"demo","user":"42"})");
    Effects ignored;
    JsonPtr answer = world.hub().admin(body.get(), kNow, ignored);
    return json_array_size(json_object_get(answer.get(), "viewers"));
}

void granted_watches_are_rate_limited() {
    Settings settings;
    settings.watch_rate = 3;
    World world(settings);
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");  // the first watch, through the prompt
    for (int round = 1; round < 3; ++round) {
        expect_ok(world.request(kBoris, LeaveRequest{}, kNow + round));
        Reply again = expect_ok(world.watch(kBoris, "17", "42", "", kNow + round));
        CU_ASSERT_EQUAL(event_of(again.event.result.get()), "accepted");
        expect_ok(world.request(kBoris, StartRequest{}, kNow + round));
    }
    expect_ok(world.request(kBoris, LeaveRequest{}, kNow + 3));
    expect_code(world.watch(kBoris, "17", "42", "", kNow + 3), ErrorCode::RateLimited);
    // A minute after the first watch the viewer is welcome again, still without a prompt.
    Reply later = expect_ok(world.watch(kBoris, "17", "42", "", kNow + 60));
    CU_ASSERT_EQUAL(event_of(later.event.result.get()), "accepted");
    CU_ASSERT_PTR_NULL(notice(later.effects, kAnna, "watch_request"));
}

void new_handle_takes_over_the_session() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.hub().handle_created(kBorisTab);
    Reply taken = expect_ok(world.watch(kBorisTab, "17", "42", "", kNow + 1));
    CU_ASSERT_EQUAL(event_of(taken.event.result.get()), "accepted");
    CU_ASSERT_TRUE(flag_of(taken.event.result.get(), "resumed"));
    CU_ASSERT_EQUAL(taken.event.offer, ViewerOffer::Fresh);
    CU_ASSERT_PTR_NULL(notice(taken.effects, kAnna, "watch_request"));
    const json_t* ended = notice(taken.effects, kBoris, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "taken_over");
    CU_ASSERT_TRUE(closes(taken.effects, kBoris));
    CU_ASSERT_EQUAL(count_media<RouterRemoveViewer>(taken.effects), 1U);
    CU_ASSERT_EQUAL(viewers_listed(world), 1U);

    // The old handle lost it for good; the new one watches.
    expect_code(world.request(kBoris, StartRequest{}, kNow + 2), ErrorCode::WrongState);
    Reply watching = expect_ok(world.request(kBorisTab, StartRequest{}, kNow + 2));
    CU_ASSERT_EQUAL(event_of(watching.event.result.get()), "watching");
    Effects late = world.hub().media_down(kBoris, kNow + 3);
    CU_ASSERT_EQUAL(late.notices.size(), 0U);

    // A session accepted but not started is taken over the same way.
    world.hub().handle_created(kCyril);
    Reply third = expect_ok(world.watch(kCyril, "17", "42", "", kNow + 4));
    CU_ASSERT_EQUAL(event_of(third.event.result.get()), "accepted");
    CU_ASSERT_PTR_NOT_NULL(notice(third.effects, kBorisTab, "ended"));
    CU_ASSERT_EQUAL(viewers_listed(world), 1U);
}

void limits_count_users_not_handles() {
    Site small = demo_site();
    small.max_viewers = 1;
    World world({}, {small});
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.hub().handle_created(kBorisTab);
    Reply second = expect_ok(world.watch(kBorisTab, "17", "42", "", kNow + 1));
    CU_ASSERT_EQUAL(event_of(second.event.result.get()), "accepted");
    world.hub().handle_created(kCyril);
    expect_code(world.watch(kCyril, "18", "42", "", kNow + 2), ErrorCode::LimitExceeded);
}

void accepted_without_media_ends() {
    World world;  // publish_timeout 30
    world.go_live(kAnna, "42");
    world.accept(kAnna, world.ask(kBoris, "17", "42", kNow + 10), kNow + 10);
    CU_ASSERT_EQUAL(notices_to(world.hub().tick(kNow + 39), kBoris), 0U);
    Effects expired = world.hub().tick(kNow + 40);
    const json_t* ended = notice(expired, kBoris, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "start_timeout");
    CU_ASSERT_TRUE(closes(expired, kBoris));
    CU_ASSERT_EQUAL(viewers_listed(world), 0U);
    expect_code(world.request(kBoris, StartRequest{}, kNow + 41), ErrorCode::WrongState);
    // The grant stays: the viewer may come back without a prompt.
    Reply again = expect_ok(world.watch(kBoris, "17", "42", "", kNow + 42));
    CU_ASSERT_EQUAL(event_of(again.event.result.get()), "accepted");

    // A viewer that started is not touched.
    world.join(kCyril, "18", kAnna, "42", kNow + 50);
    CU_ASSERT_EQUAL(notices_to(world.hub().tick(kNow + 200), kCyril), 0U);
}

void re_registering_does_not_extend_an_interruption() {
    World world;  // resume_grace 20, publish_timeout 30
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.hub().handle_destroyed(kAnna, kNow + 100);  // interrupted until kNow + 120
    world.hub().handle_created(kAnnaTab);
    Reply first = expect_ok(world.broadcast(kAnnaTab, "42", "", kNow + 110));
    CU_ASSERT_TRUE(flag_of(first.event.result.get(), "resumed"));
    world.hub().handle_created(kAnnaThirdTab);
    expect_ok(world.broadcast(kAnnaThirdTab, "42", "", kNow + 118));
    Effects over = world.hub().tick(kNow + 120);
    const json_t* ended = notice(over, kBoris, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "hangup_timeout");
    CU_ASSERT_PTR_NOT_NULL(notice(over, kAnnaThirdTab, "ended"));
}

void grants_are_bounded() {
    World world;
    const std::string broadcast_id = world.go_live(kAnna, "42");
    // Viewers "v0" ... "v999" were each accepted once and left: the grants are full.
    const auto user = [](std::size_t n) {
        return "v" + std::to_string(n);
    };
    for (std::size_t n = 0; n <= Broadcast::kMaxGrants; ++n) {
        const HandleId viewer = 100 + n;
        world.accept(kAnna, world.ask(viewer, user(n), "42"));
        expect_ok(world.request(viewer, LeaveRequest{}));
    }
    // Accepting one more forgot the grant of a user not in the broadcast ("v0", the first by id).
    Result<std::map<std::string, std::string>> stored =
        open_store(world.store_path())->grants_of(broadcast_id);
    CU_ASSERT_FATAL(stored.ok());
    CU_ASSERT_EQUAL(stored.value().size(), Broadcast::kMaxGrants);
    CU_ASSERT_EQUAL(stored.value().count(user(0)), 0U);
    world.hub().handle_created(kCyril);
    Reply asked = expect_ok(world.watch(kCyril, user(0), "42"));
    CU_ASSERT_EQUAL(event_of(asked.event.result.get()), "waiting");
    world.hub().handle_created(kBorisTab);
    Reply back = expect_ok(world.watch(kBorisTab, user(1), "42"));
    CU_ASSERT_EQUAL(event_of(back.event.result.get()), "accepted");
}

CU_TestInfo tests[] = {
    {"granted watches are rate limited", granted_watches_are_rate_limited},
    {"a new handle takes over the user's session", new_handle_takes_over_the_session},
    {"max_viewers counts users, not handles", limits_count_users_not_handles},
    {"an accepted session without media ends", accepted_without_media_ends},
    {"re-registering does not extend an interruption", re_registering_does_not_extend_an_interruption},
    {"consent grants are bounded", grants_are_bounded},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_abuse_tests() { return add_suite("abuse", tests); }
