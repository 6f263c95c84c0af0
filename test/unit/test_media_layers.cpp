// SPDX-License-Identifier: GPL-3.0-or-later
// Simulcast layer switching as a viewer sees it (media/viewer_leg.cpp, fanout.cpp on Janus' own
// rtp.c): a viewer gets one layer of the publisher's three; when its target layer changes, it keeps
// getting the old layer until a keyframe of the new one arrives (a decoder cannot start on a delta
// frame), and it never gets packets of the other layers. Across the switch its stream stays
// continuous: sequence numbers, timestamps and VP8 picture ids.
#include <CUnit/CUnit.h>

#include <array>
#include <cstdint>
#include <vector>

#include "base/json.h"
#include "media/fanout.h"
#include "media/viewer_leg.h"
#include "media_fixture.h"
#include "suites.h"

using namespace media_test;
using onair::media::LayerRates;
using onair::media::ViewerLeg;

namespace {

constexpr std::array<std::uint32_t, 3> kLayerSsrcs = {0x100, 0x200, 0x300};
const LayerRates kRates = {150'000, 500'000, 1'500'000};

// The publisher's three layers, each with its own sequence numbers, timestamps and picture ids, as
// a browser's three encoders number them.
class Publisher {
public:
    // One packet (one frame) of `layer` to the viewer; returns whether the viewer was sent it.
    bool send(ViewerLeg& leg, Gateway& gateway, int layer, bool keyframe) {
        Packet packet = next(layer, keyframe);
        janus_plugin_rtp rtp = packet.plugin_rtp();
        std::array<std::uint32_t, 3> ssrcs = kLayerSsrcs;
        const std::size_t before = gateway.sent_to(*viewer_, true).size();
        wants_keyframe = leg.send_layer(gateway.callbacks(), &rtp, ssrcs.data(), janus_get_monotonic_time());
        return gateway.sent_to(*viewer_, true).size() == before + 1;
    }
    Packet next(int layer, bool keyframe) {
        Layer& state = layers_[layer];
        Packet packet = Packet::vp8(kLayerSsrcs[layer], state.seq++, state.ts, state.picture_id++, keyframe);
        state.ts += 3000;  // 30 frames a second
        return packet;
    }
    explicit Publisher(const Handle& viewer) : viewer_(&viewer) {}

    bool wants_keyframe = false;  // what send_layer said last: the viewer needs a keyframe

private:
    struct Layer {
        std::uint16_t seq;
        std::uint32_t ts;
        std::uint16_t picture_id;
    };
    std::array<Layer, 3> layers_{{{100, 1000, 10}, {20000, 5'000'000, 3000}, {65000, 70'000, 32700}}};
    const Handle* viewer_;
};

int layer_of(const Sent& sent) {
    for (int layer = 0; layer < 3; ++layer) {
        if (kLayerSsrcs[layer] == sent.ssrc)
            return layer;
    }
    return -1;
}

// The viewer's layers in order, one entry per packet it was sent.
std::vector<int> layers_sent(const Gateway& gateway, const Handle& viewer) {
    std::vector<int> layers;
    for (const Sent& sent : gateway.sent_to(viewer, true))
        layers.push_back(layer_of(sent));
    return layers;
}

// Checks the viewer's video: continuous, with picture ids one apart (one packet per frame here), and
// every change of layer on a keyframe.
void check_stream(const Gateway& gateway, const Handle& viewer) {
    const std::vector<Sent> stream = gateway.sent_to(viewer, true);
    CU_ASSERT_EQUAL(discontinuities(stream), 0);
    for (std::size_t index = 1; index < stream.size(); ++index) {
        CU_ASSERT_EQUAL(stream[index].picture_id, (stream[index - 1].picture_id + 1) & 0x7fff);
        if (stream[index].ssrc != stream[index - 1].ssrc)
            CU_ASSERT_TRUE(stream[index].keyframe);
        CU_ASSERT_EQUAL(stream[index].pt, kViewerVideoPt);
    }
}

int shown(const ViewerLeg& leg, const char* key) {
    onair::JsonPtr into = onair::json_take(json_object());
    leg.describe(into.get(), true);
    return static_cast<int>(json_integer_value(json_object_get(into.get(), key)));
}

void waits_for_a_keyframe_to_start() {
    Gateway gateway;
    Handle viewer(1, viewer_lines());
    ViewerLeg leg(viewer.session);
    Publisher publisher(viewer);
    for (int round = 0; round < 5; ++round) {
        for (int layer = 0; layer < 3; ++layer) {
            CU_ASSERT_FALSE(publisher.send(leg, gateway, layer, false));
            CU_ASSERT_TRUE(publisher.wants_keyframe);
        }
    }
    // The viewer starts at the top: it begins with the top layer's keyframe, then gets only that.
    CU_ASSERT_TRUE(publisher.send(leg, gateway, 2, true));
    CU_ASSERT_FALSE(publisher.wants_keyframe);
    for (int round = 0; round < 5; ++round) {
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 0, round == 2));
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 1, round == 3));
        CU_ASSERT_TRUE(publisher.send(leg, gateway, 2, false));
    }
    CU_ASSERT_TRUE(layers_sent(gateway, viewer) == std::vector<int>(6, 2));
    CU_ASSERT_EQUAL(shown(leg, "substream"), 2);
    check_stream(gateway, viewer);
}

void moves_down_at_a_keyframe_of_the_lower_layer() {
    Gateway gateway;
    Handle viewer(1, viewer_lines());
    ViewerLeg leg(viewer.session);
    Publisher publisher(viewer);
    CU_ASSERT_TRUE(publisher.send(leg, gateway, 2, true));
    CU_ASSERT_TRUE(publisher.send(leg, gateway, 2, false));

    // The viewer's estimate fits the middle layer only.
    const std::int64_t now = janus_get_monotonic_time();
    leg.reports().estimate(600'000, now);
    leg.choose_layer(kRates, now);
    CU_ASSERT_EQUAL(shown(leg, "target_substream"), 1);
    // Until the middle layer's keyframe, the viewer keeps its picture: the top layer, and it asks
    // for the keyframe it waits for.
    for (int round = 0; round < 4; ++round) {
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 1, false));
        CU_ASSERT_TRUE(publisher.wants_keyframe);
        CU_ASSERT_TRUE(publisher.send(leg, gateway, 2, false));
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 0, false));
    }
    CU_ASSERT_EQUAL(shown(leg, "substream"), 2);
    CU_ASSERT_TRUE(publisher.send(leg, gateway, 1, true));
    CU_ASSERT_FALSE(publisher.wants_keyframe);
    CU_ASSERT_EQUAL(shown(leg, "substream"), 1);
    // From then on: the middle layer only, whatever the others send.
    for (int round = 0; round < 4; ++round) {
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 2, round == 1));
        CU_ASSERT_TRUE(publisher.send(leg, gateway, 1, false));
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 0, round == 2));
        CU_ASSERT_FALSE(publisher.wants_keyframe);
    }
    const std::vector<int> expected = {2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1};
    CU_ASSERT_TRUE(layers_sent(gateway, viewer) == expected);
    check_stream(gateway, viewer);
}

void moves_up_at_a_keyframe_of_the_higher_layer() {
    Gateway gateway;
    Handle viewer(1, viewer_lines());
    ViewerLeg leg(viewer.session);
    Publisher publisher(viewer);
    // A viewer takes the first keyframe it can show, here the lowest layer's (a browser starting
    // its upper layers late), then climbs to its target, the top, at that layer's keyframe.
    CU_ASSERT_TRUE(publisher.send(leg, gateway, 0, true));
    CU_ASSERT_TRUE(publisher.wants_keyframe);
    for (int round = 0; round < 4; ++round) {
        CU_ASSERT_TRUE(publisher.send(leg, gateway, 0, false));
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 1, false));
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 2, false));
    }
    CU_ASSERT_TRUE(publisher.send(leg, gateway, 2, true));
    CU_ASSERT_FALSE(publisher.wants_keyframe);
    for (int round = 0; round < 4; ++round) {
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 0, round == 0));
        CU_ASSERT_FALSE(publisher.send(leg, gateway, 1, round == 1));
        CU_ASSERT_TRUE(publisher.send(leg, gateway, 2, false));
    }
    const std::vector<int> expected = {0, 0, 0, 0, 0, 2, 2, 2, 2, 2};
    CU_ASSERT_TRUE(layers_sent(gateway, viewer) == expected);
    check_stream(gateway, viewer);
}

// Through the fanout (its layer lookup by SSRC, its layer choice, its keyframe requests), keyframes
// on every layer now and then: the viewer gets at most one packet of each round of three, and
// changes layer only at keyframes.
void the_fanout_relays_one_layer() {
    Gateway gateway;
    onair::media::MediaLines lines = publisher_lines();
    lines.simulcast.ssrcs = kLayerSsrcs;
    Handle publisher_handle(1, lines), viewer(2, viewer_lines());
    onair::media::Fanout fanout(gateway.callbacks());
    fanout.set_publisher(publisher_handle.session);
    fanout.add_viewer(viewer.session);
    Publisher publisher(viewer);
    constexpr int kRounds = 60;
    for (int round = 0; round < kRounds; ++round) {
        for (int layer = 0; layer < 3; ++layer) {
            Packet packet = publisher.next(layer, (round + layer) % 7 == 0);
            janus_plugin_rtp rtp = packet.plugin_rtp();
            fanout.forward_rtp(&rtp);
        }
        CU_ASSERT_TRUE(gateway.sent_to(viewer, true).size() <= static_cast<std::size_t>(round + 1));
    }
    CU_ASSERT_TRUE(gateway.sent_to(viewer, true).size() >= kRounds / 2);
    CU_ASSERT_TRUE(gateway.plis() >= 1);
    check_stream(gateway, viewer);
    fanout.take_all();
}

// A reloaded broadcaster page publishes new layers (new SSRCs, numbered on their own): a viewer
// gets none of their video before one of their keyframes, then carries on with one continuous
// stream, changing layers only at keyframes.
void waits_for_a_keyframe_of_a_new_publisher() {
    Gateway gateway;
    onair::media::MediaLines lines = publisher_lines();
    lines.simulcast.ssrcs = kLayerSsrcs;
    Handle first_page(1, lines), viewer(3, viewer_lines());
    onair::media::Fanout fanout(gateway.callbacks());
    fanout.set_publisher(first_page.session);
    fanout.add_viewer(viewer.session);
    const auto relay = [&fanout](Packet packet) {
        janus_plugin_rtp rtp = packet.plugin_rtp();
        fanout.forward_rtp(&rtp);
    };
    Publisher publisher(viewer);
    for (int round = 0; round < 10; ++round) {
        for (int layer = 0; layer < 3; ++layer)
            relay(publisher.next(layer, round == 0));
    }
    const std::size_t before = gateway.sent_to(viewer, true).size();
    CU_ASSERT_FATAL(before > 0);

    onair::media::MediaLines reloaded_lines = publisher_lines();
    reloaded_lines.simulcast.ssrcs = {0x400, 0x500, 0x600};
    Handle reloaded(2, reloaded_lines);
    fanout.set_publisher(reloaded.session);
    std::array<std::uint16_t, 3> seqs = {40000, 1000, 65530};
    std::uint32_t ts = 9'000'000;
    std::uint16_t picture_id = 500;
    const auto frame = [&](bool keyframe) {
        for (int layer = 0; layer < 3; ++layer)
            relay(
                Packet::vp8(reloaded_lines.simulcast.ssrcs[layer], seqs[layer]++, ts, picture_id, keyframe));
        ts += 3000;
        ++picture_id;
    };
    for (int count = 0; count < 5; ++count)
        frame(false);
    CU_ASSERT_EQUAL(gateway.sent_to(viewer, true).size(), before);  // no delta frame of the new page
    frame(true);
    for (int count = 0; count < 5; ++count)
        frame(false);
    const std::vector<Sent> stream = gateway.sent_to(viewer, true);
    CU_ASSERT_FATAL(stream.size() > before);
    CU_ASSERT_TRUE(stream[before].keyframe);
    for (std::size_t index = before; index < stream.size(); ++index)
        CU_ASSERT_TRUE(stream[index].ssrc >= 0x400);
    check_stream(gateway, viewer);
    fanout.take_all();
}

CU_TestInfo tests[] = {
    {"a viewer waits for a keyframe to start", waits_for_a_keyframe_to_start},
    {"a lower layer takes over at its keyframe", moves_down_at_a_keyframe_of_the_lower_layer},
    {"a higher layer takes over at its keyframe", moves_up_at_a_keyframe_of_the_higher_layer},
    {"the fanout relays one layer to a viewer", the_fanout_relays_one_layer},
    {"a viewer waits for a keyframe of a new publisher", waits_for_a_keyframe_of_a_new_publisher},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_media_layer_tests() { return add_suite("media layers", tests); }
