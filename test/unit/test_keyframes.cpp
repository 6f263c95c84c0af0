// SPDX-License-Identifier: GPL-3.0-or-later
// Keyframe-request pacing (media/keyframe_requester.h): however many viewers ask for a keyframe, the
// broadcaster's browser gets at most one PLI per interval for repairs, and one at once for a viewer
// that just connected or a new publisher. Time is passed in, as the publisher's media thread does
// for every packet.
#include <CUnit/CUnit.h>

#include <cstdint>

#include "media/keyframe_requester.h"
#include "suites.h"

using onair::media::KeyframeRequester;

namespace {

constexpr std::int64_t kInterval = KeyframeRequester::kMinIntervalUs;
constexpr std::int64_t kPacketGap = 10'000;  // a packet every 10 ms, as a video stream has
constexpr std::int64_t kStart = 100 * kInterval;

// Runs the publisher's packets from `from` to `until` (exclusive), asking for a keyframe before each
// one when `asking`; returns how many PLIs went out.
int run(KeyframeRequester& requester, std::int64_t from, std::int64_t until, bool asking) {
    int plis = 0;
    for (std::int64_t now = from; now < until; now += kPacketGap) {
        if (asking) {
            requester.request();
            requester.request();  // several viewers at once
        }
        plis += requester.due(now) ? 1 : 0;
    }
    return plis;
}

void asks_nothing_unless_asked() {
    KeyframeRequester requester;
    CU_ASSERT_EQUAL(run(requester, kStart, kStart + 3 * kInterval, false), 0);
}

void asks_at_most_once_per_interval() {
    KeyframeRequester requester;
    // Asked before every packet for ten intervals: one PLI per interval, the first at once.
    CU_ASSERT_TRUE(run(requester, kStart, kStart + kPacketGap, true) == 1);
    CU_ASSERT_EQUAL(run(requester, kStart + kPacketGap, kStart + kInterval, true), 0);
    CU_ASSERT_EQUAL(run(requester, kStart + kInterval, kStart + 10 * kInterval, true), 9);
    // A burst of requests within one interval of the last PLI is one PLI, sent when it has passed.
    KeyframeRequester burst;
    burst.request();
    CU_ASSERT_TRUE(burst.due(kStart));
    for (int viewer = 0; viewer < 500; ++viewer)
        burst.request();
    CU_ASSERT_FALSE(burst.due(kStart + 1));
    CU_ASSERT_FALSE(burst.due(kStart + kInterval - 1));
    CU_ASSERT_TRUE(burst.due(kStart + kInterval));
    CU_ASSERT_FALSE(burst.due(kStart + kInterval + 1));  // the burst was answered
    CU_ASSERT_FALSE(burst.due(kStart + 5 * kInterval));
}

void asks_again_after_the_interval() {
    KeyframeRequester requester;
    requester.request();
    CU_ASSERT_TRUE(requester.due(kStart));
    // A request half an interval later waits for the interval, then goes out.
    requester.request();
    CU_ASSERT_EQUAL(run(requester, kStart + kInterval / 2, kStart + kInterval, false), 0);
    CU_ASSERT_TRUE(requester.due(kStart + kInterval));
    // Long after the last PLI, a request goes out with the next packet.
    requester.request();
    CU_ASSERT_TRUE(requester.due(kStart + 7 * kInterval));
    CU_ASSERT_FALSE(requester.due(kStart + 7 * kInterval + kPacketGap));
}

void a_connecting_viewer_is_not_kept_waiting() {
    KeyframeRequester requester;
    requester.request();
    CU_ASSERT_TRUE(requester.due(kStart));
    // A viewer whose PeerConnection just came up (or a new publisher) cannot show anything before a
    // keyframe: its request goes out with the next packet, and starts a new interval.
    requester.request_now();
    CU_ASSERT_TRUE(requester.due(kStart + kPacketGap));
    requester.request();
    CU_ASSERT_FALSE(requester.due(kStart + 2 * kPacketGap));
    CU_ASSERT_FALSE(requester.due(kStart + kInterval));
    CU_ASSERT_TRUE(requester.due(kStart + kPacketGap + kInterval));
    requester.restart();
    CU_ASSERT_TRUE(requester.due(kStart + kPacketGap + kInterval + 1));
    CU_ASSERT_FALSE(requester.due(kStart + kPacketGap + kInterval + 2));  // one PLI per request_now
}

CU_TestInfo tests[] = {
    {"asks nothing unless asked", asks_nothing_unless_asked},
    {"asks at most once per interval", asks_at_most_once_per_interval},
    {"asks again after the interval", asks_again_after_the_interval},
    {"a connecting viewer is not kept waiting", a_connecting_viewer_is_not_kept_waiting},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_keyframe_tests() { return add_suite("keyframes", tests); }
