// SPDX-License-Identifier: GPL-3.0-or-later
// Abuse limits (issue 12): what an admitted user could do to grow state or fill a broadcast, as
// the Janus layer would drive it, with a controlled clock.
#include <CUnit/CUnit.h>

#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr HandleId kAnna = 1;
constexpr HandleId kAnnaTab = 2;
constexpr HandleId kBoris = 3;
constexpr HandleId kAnnaThirdTab = 6;

void granted_watches_are_rate_limited() {
    Settings settings;
    settings.watch_rate = 3;
    World world(settings);
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");  // the first watch, through the prompt
    for (int round = 1; round < 3; ++round) {
        expect_ok(world.request(kBoris, LeaveRequest{}, kNow + round));
        Reply again = expect_ok(world.watch(kBoris, "17", "42", "", kNow + round));
        CU_ASSERT_EQUAL(event_of(again.result.get()), "accepted");
        expect_ok(world.request(kBoris, StartRequest{}, kNow + round));
    }
    expect_ok(world.request(kBoris, LeaveRequest{}, kNow + 3));
    expect_code(world.watch(kBoris, "17", "42", "", kNow + 3), ErrorCode::RateLimited);
    // A minute after the first watch the viewer is welcome again, still without a prompt.
    Reply later = expect_ok(world.watch(kBoris, "17", "42", "", kNow + 60));
    CU_ASSERT_EQUAL(event_of(later.result.get()), "accepted");
    CU_ASSERT_PTR_NULL(notice(later.effects, kAnna, "watch_request"));
}

void re_registering_does_not_extend_an_interruption() {
    World world;  // resume_grace 20, publish_timeout 30
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.hub().handle_destroyed(kAnna, kNow + 100);  // interrupted until kNow + 120
    world.hub().handle_created(kAnnaTab);
    Reply first = expect_ok(world.broadcast(kAnnaTab, "42", "", kNow + 110));
    CU_ASSERT_TRUE(flag_of(first.result.get(), "resumed"));
    world.hub().handle_created(kAnnaThirdTab);
    expect_ok(world.broadcast(kAnnaThirdTab, "42", "", kNow + 118));
    Effects over = world.hub().tick(kNow + 120);
    const json_t* ended = notice(over, kBoris, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "hangup_timeout");
    CU_ASSERT_PTR_NOT_NULL(notice(over, kAnnaThirdTab, "ended"));
}

CU_TestInfo tests[] = {
    {"granted watches are rate limited", granted_watches_are_rate_limited},
    {"re-registering does not extend an interruption", re_registering_does_not_extend_an_interruption},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_abuse_tests() { return add_suite("abuse", tests); }
