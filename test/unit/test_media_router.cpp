// SPDX-License-Identifier: GPL-3.0-or-later
// The router (media/router.cpp, fanout.cpp, viewer_leg.cpp) on Janus' own rtp.c, as a viewer sees it:
// when the broadcaster's page reloads, its new PeerConnection sends with a new SSRC, sequence base
// and timestamp base, and the viewer's stream must go on as if nothing happened (no sequence jump,
// timestamps that never go back); the old PeerConnection's stragglers are not forwarded; the new
// source is asked for a keyframe at once, and viewers' repair requests are paced.
#include <CUnit/CUnit.h>

#include <cstdint>
#include <string>
#include <vector>

#include "media/router.h"
#include "media/rtcp_feedback.h"
#include "media_fixture.h"
#include "suites.h"

using namespace media_test;
using onair::media::Router;

namespace {

const std::string kBroadcast = "b1";

// A publisher's PeerConnection: its SSRCs and where its sequence numbers and timestamps are.
struct Source {
    Handle& handle;
    std::uint32_t audio_ssrc;
    std::uint32_t video_ssrc;
    std::uint16_t audio_seq;
    std::uint16_t video_seq;
    std::uint32_t audio_ts;
    std::uint32_t video_ts;
    std::uint16_t picture_id = 1;

    // `count` packets of each medium, 20 ms apart (Opus' 960 ticks at 48 kHz, 1800 at 90 kHz).
    void send(Router& router, int count, bool keyframe_first = false) {
        for (int index = 0; index < count; ++index) {
            Packet audio = Packet::audio(audio_ssrc, audio_seq++, audio_ts);
            audio_ts += 960;
            janus_plugin_rtp audio_rtp = audio.plugin_rtp();
            router.incoming_rtp(&handle.janus, &audio_rtp);
            Packet video =
                Packet::vp8(video_ssrc, video_seq++, video_ts, picture_id++, keyframe_first && index == 0);
            video_ts += 1800;
            const std::vector<char> original = video.bytes;
            janus_plugin_rtp video_rtp = video.plugin_rtp();
            router.incoming_rtp(&handle.janus, &video_rtp);
            // Every viewer's rewrite is undone: the core still owns the publisher's packet.
            CU_ASSERT_TRUE(video.bytes == original);
        }
    }
};

// The index of the first packet of `stream` from `ssrc`, or -1.
int first_from(const std::vector<Sent>& stream, std::uint32_t ssrc) {
    for (std::size_t index = 0; index < stream.size(); ++index) {
        if (stream[index].ssrc == ssrc)
            return static_cast<int>(index);
    }
    return -1;
}

void checks_switch(const std::vector<Sent>& stream, std::uint32_t old_ssrc, std::uint32_t new_ssrc, int pt,
                   std::size_t expected) {
    CU_ASSERT_EQUAL(stream.size(), expected);
    CU_ASSERT_EQUAL(discontinuities(stream), 0);
    const int at = first_from(stream, new_ssrc);
    CU_ASSERT_FATAL(at > 0);
    CU_ASSERT_EQUAL(stream[at - 1].ssrc, old_ssrc);
    // The new source's first packet follows the last one of the old source directly, and comes
    // later in the viewer's timeline (the time between them, at least one tick).
    CU_ASSERT_EQUAL(stream[at].seq, static_cast<std::uint16_t>(stream[at - 1].seq + 1));
    CU_ASSERT_TRUE(static_cast<std::int32_t>(stream[at].ts - stream[at - 1].ts) > 0);
    CU_ASSERT_TRUE(static_cast<std::int32_t>(stream[at].ts - stream[at - 1].ts) < 90'000);
    for (const Sent& sent : stream)
        CU_ASSERT_EQUAL(sent.pt, pt);
}

void continues_across_a_broadcaster_reload() {
    Gateway gateway;
    Handle first(1, publisher_lines()), viewer(2, viewer_lines()), second(3, publisher_lines());
    Router router(gateway.callbacks());
    router.set_publisher(kBroadcast, first.session);
    router.add_viewer(kBroadcast, viewer.session);
    Source before{first, 0x1111, 0x2222, 1000, 30000, 160000, 900000};
    before.send(router, 30, true);

    // The page reloads: the Hub makes the new handle the broadcast's publisher. Its sequence
    // numbers start elsewhere (here, about to wrap) and so do its timestamps.
    router.set_publisher(kBroadcast, second.session);
    before.send(router, 5);  // the old PeerConnection's last packets: not relayed any more
    Source after{second, 0x3333, 0x4444, 65530, 12, 4'000'000'000U, 77};
    after.send(router, 30, true);

    checks_switch(gateway.sent_to(viewer, false), 0x1111, 0x3333, kViewerAudioPt, 60);
    checks_switch(gateway.sent_to(viewer, true), 0x2222, 0x4444, kViewerVideoPt, 60);
    for (const Sent& sent : gateway.sent_to(viewer, true))
        CU_ASSERT_EQUAL(sent.mindex, 1);
    router.clear();
}

void continues_across_a_reload_with_several_viewers() {
    Gateway gateway;
    Handle first(1, publisher_lines()), second(2, publisher_lines());
    Handle early(3, viewer_lines()), late(4, viewer_lines());
    Router router(gateway.callbacks());
    router.set_publisher(kBroadcast, first.session);
    router.add_viewer(kBroadcast, early.session);
    Source before{first, 0x10, 0x20, 500, 7000, 0, 0};
    before.send(router, 10, true);
    router.add_viewer(kBroadcast, late.session);  // joins mid-stream
    before.send(router, 10);
    router.set_publisher(kBroadcast, nullptr);  // the broadcaster is away for a while
    router.set_publisher(kBroadcast, second.session);
    Source after{second, 0x30, 0x40, 9, 40000, 123456, 654321};
    after.send(router, 10, true);

    for (const Handle* viewer : {&early, &late}) {
        CU_ASSERT_EQUAL(discontinuities(gateway.sent_to(*viewer, false)), 0);
        CU_ASSERT_EQUAL(discontinuities(gateway.sent_to(*viewer, true)), 0);
    }
    CU_ASSERT_EQUAL(gateway.sent_to(early, true).size(), 30u);
    CU_ASSERT_EQUAL(gateway.sent_to(late, true).size(), 20u);
    router.clear();
}

void asks_a_new_source_for_a_keyframe_and_paces_repairs() {
    Gateway gateway;
    Handle first(1, publisher_lines()), viewer(2, viewer_lines()), second(3, publisher_lines());
    Router router(gateway.callbacks());
    router.set_publisher(kBroadcast, first.session);
    router.add_viewer(kBroadcast, viewer.session);
    const std::int64_t started = janus_get_monotonic_time();
    Source source{first, 0x10, 0x20, 1, 1, 0, 0};
    source.send(router, 1);
    CU_ASSERT_EQUAL(gateway.plis(), 1);  // the new publisher, and a viewer already up
    // Each viewer PLI (RTCP PSFB, FMT 1) asks again; within a second, the publisher gets none.
    const std::uint8_t pli[12] = {0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0x20};
    janus_plugin_rtcp rtcp{.mindex = 1,
                           .video = TRUE,
                           .buffer = const_cast<char*>(reinterpret_cast<const char*>(pli)),
                           .length = sizeof(pli)};
    for (int burst = 0; burst < 50; ++burst) {
        router.incoming_rtcp(&viewer.janus, &rtcp);
        source.send(router, 1);
    }
    if (janus_get_monotonic_time() - started < onair::media::KeyframeRequester::kMinIntervalUs)
        CU_ASSERT_EQUAL(gateway.plis(), 1);  // (a machine that stalled for a second would see two)
    // A reload is a new source: its keyframe is asked for with its first packet.
    const int before = gateway.plis();
    router.set_publisher(kBroadcast, second.session);
    Source next{second, 0x30, 0x40, 1, 1, 0, 0};
    next.send(router, 1);
    CU_ASSERT_EQUAL(gateway.plis(), before + 1);
    router.clear();
}

CU_TestInfo tests[] = {
    {"a viewer's stream continues across a broadcaster reload", continues_across_a_broadcaster_reload},
    {"every viewer's stream continues across a reload", continues_across_a_reload_with_several_viewers},
    {"a new source is asked for a keyframe, repairs are paced",
     asks_a_new_source_for_a_keyframe_and_paces_repairs},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_media_router_tests() { return add_suite("media router", tests); }
