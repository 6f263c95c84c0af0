// SPDX-License-Identifier: GPL-3.0-or-later
// Simulcast layer choice: the selector's decisions over simulated time, the per-layer meter, the
// lock-free report mailbox and the RTCP reader that feeds it.
#include <CUnit/CUnit.h>

#include <cstdint>
#include <vector>

#include "media/layer_meter.h"
#include "media/layer_selector.h"
#include "media/link_reports.h"
#include "media/rtcp_feedback.h"
#include "suites.h"

using namespace onair::media;

namespace {

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kStep = kSecond / 4;  // the relay re-evaluates four times a second
const LayerRates kThreeLayers = {150'000, 500'000, 1'500'000};

// Drives one selector through time the way the relay does.
struct Viewer {
    LayerSelector selector;
    std::int64_t now = 0;
    std::uint32_t estimate = 0;
    LayerRates rates = kThreeLayers;

    int step(LinkFeedback feedback = {}) {
        feedback.estimate_bps = estimate;
        return selector.update(rates, feedback, now);
    }
    // Runs until `until` (exclusive of further reports); returns the layer at the end.
    int run_until(std::int64_t until) {
        int layer = selector.layer();
        for (; now < until; now += kStep)
            layer = step();
        return layer;
    }
    int report_loss(double fraction) {
        const int layer = step(LinkFeedback{0, 1, fraction});
        now += kStep;
        return layer;
    }
    // Brings a fresh viewer to layer 1 by an estimate drop after its first layer settled.
    void settle_on_middle_layer() {
        estimate = 2'200'000;
        run_until(12 * kSecond);
        estimate = 600'000;
        CU_ASSERT_EQUAL(step(), 1);
        now += kStep;
    }
};

void starts_at_the_top_without_an_estimate() {
    Viewer viewer;
    CU_ASSERT_EQUAL(viewer.step(), 2);
    CU_ASSERT_FALSE(viewer.selector.probing());
}

void starts_at_the_layer_its_estimate_allows() {
    Viewer viewer;
    viewer.estimate = 600'000;  // the middle layer (500k) fits, the top one does not
    CU_ASSERT_EQUAL(viewer.step(), 1);
    Viewer poor;
    poor.estimate = 100'000;  // nothing fits: the lowest layer is the least a viewer gets
    CU_ASSERT_EQUAL(poor.step(), 0);
}

void follows_the_layers_the_publisher_sends() {
    Viewer viewer;
    viewer.rates = {0, 0, 0};
    CU_ASSERT_EQUAL(viewer.step(), -1);
    viewer.rates = {150'000, 0, 0};  // browsers start with the lowest layer only
    CU_ASSERT_EQUAL(viewer.step(), 0);
    viewer.rates = kThreeLayers;
    CU_ASSERT_EQUAL(viewer.step(), 2);
    viewer.rates = {150'000, 500'000, 0};  // the publisher's uplink got short
    CU_ASSERT_EQUAL(viewer.step(), 1);
}

void stays_high_on_a_good_link() {
    Viewer viewer;
    viewer.run_until(5 * kSecond);
    viewer.estimate = 2'200'000;  // about 1.5 times what it receives, as browsers report
    CU_ASSERT_EQUAL(viewer.run_until(120 * kSecond), 2);
    CU_ASSERT_FALSE(viewer.selector.probing());
}

void a_collapsing_estimate_goes_down_to_what_fits() {
    Viewer viewer;
    viewer.estimate = 2'200'000;
    viewer.run_until(12 * kSecond);
    viewer.estimate = 400'000;  // only the lowest layer (150k) fits
    CU_ASSERT_EQUAL(viewer.step(), 0);
    CU_ASSERT_EQUAL(viewer.selector.estimate_bps(), 400'000u);
}

void a_lagging_estimate_gets_time_after_a_raise() {
    Viewer viewer;
    viewer.run_until(5 * kSecond);
    // Below 75% of the top layer, but not falling: the estimate is still catching up.
    viewer.estimate = 900'000;
    CU_ASSERT_EQUAL(viewer.run_until(10 * kSecond - kStep), 2);
    // Once the layer had its time, an estimate that stayed low means the link cannot take it.
    CU_ASSERT_EQUAL(viewer.run_until(10 * kSecond + kStep), 1);
}

void a_falling_estimate_goes_down_even_while_settling() {
    Viewer viewer;
    viewer.run_until(5 * kSecond);
    viewer.estimate = 900'000;
    viewer.run_until(6 * kSecond);
    viewer.estimate = 700'000;  // the browser saw queues grow and cut its estimate
    CU_ASSERT_EQUAL(viewer.step(), 1);
}

void a_climbing_estimate_keeps_a_layer_whose_rate_ramps_faster() {
    // Seen in Chromium: the publisher's encoder ramps its top layer up faster than the viewer's
    // receive-side estimate can follow, long after the viewer's layer settled.
    Viewer viewer;
    viewer.rates = {60'000, 150'000, 190'000};
    CU_ASSERT_EQUAL(viewer.step(), 2);  // no estimate yet: the top
    viewer.estimate = 160'000;
    CU_ASSERT_EQUAL(viewer.run_until(12 * kSecond), 2);
    viewer.rates = {60'000, 150'000, 400'000};
    for (int second = 0; second < 8; ++second) {
        viewer.estimate = viewer.estimate * 108 / 100;  // below 75% of 400k, but growing
        CU_ASSERT_EQUAL(viewer.run_until(viewer.now + kSecond), 2);
    }
    // An estimate that stops climbing that far below the rate means the link cannot take it.
    CU_ASSERT_EQUAL(viewer.run_until(viewer.now + LayerSelector::kClimbUs + kStep), 1);
}

void sustained_loss_goes_down_one_layer() {
    Viewer viewer;
    viewer.estimate = 2'200'000;
    viewer.run_until(12 * kSecond);
    CU_ASSERT_EQUAL(viewer.report_loss(0.2), 2);
    viewer.run_until(13 * kSecond);
    CU_ASSERT_EQUAL(viewer.report_loss(0.2), 2);
    viewer.run_until(14 * kSecond);
    CU_ASSERT_EQUAL(viewer.report_loss(0.2), 1);  // lossy for two seconds
    CU_ASSERT(viewer.selector.last_loss() > 0.19);
}

void a_short_loss_burst_changes_nothing() {
    Viewer viewer;
    viewer.estimate = 2'200'000;
    viewer.run_until(12 * kSecond);
    viewer.report_loss(0.3);
    viewer.run_until(13 * kSecond);
    viewer.report_loss(0.0);
    viewer.run_until(14 * kSecond);
    viewer.report_loss(0.3);
    CU_ASSERT_EQUAL(viewer.run_until(20 * kSecond), 2);
}

void goes_up_after_room_lasts_a_few_seconds() {
    Viewer viewer;
    viewer.settle_on_middle_layer();
    const std::int64_t room_from = viewer.now;
    viewer.estimate = 2'500'000;  // comfortably above the top layer
    CU_ASSERT_EQUAL(viewer.run_until(room_from + LayerSelector::kUpHoldUs), 1);
    CU_ASSERT_EQUAL(viewer.run_until(room_from + LayerSelector::kUpHoldUs + kStep), 2);
    CU_ASSERT_FALSE(viewer.selector.probing());
}

void room_that_does_not_last_does_not_go_up() {
    Viewer viewer;
    viewer.settle_on_middle_layer();
    for (int round = 0; round < 3; ++round) {  // within the wait before a probe
        viewer.estimate = 2'500'000;
        viewer.run_until(viewer.now + 3 * kSecond);
        viewer.estimate = 1'200'000;  // enough for the middle layer, not for the top one
        CU_ASSERT_EQUAL(viewer.run_until(viewer.now + kSecond), 1);
    }
}

void probes_the_next_layer_after_a_quiet_while() {
    Viewer viewer;
    viewer.settle_on_middle_layer();
    const std::int64_t lowered = viewer.now - kStep;
    // Capped near what the middle layer carries, as a receiver-side estimate is.
    viewer.estimate = 800'000;
    CU_ASSERT_EQUAL(viewer.run_until(lowered + LayerSelector::kFirstProbeUs), 1);
    CU_ASSERT_EQUAL(viewer.step(), 2);
    CU_ASSERT_TRUE(viewer.selector.probing());
    // The link takes it: the estimate follows the higher rate, and the probe holds.
    viewer.estimate = 2'200'000;
    CU_ASSERT_EQUAL(viewer.run_until(viewer.now + LayerSelector::kSettleUs + kSecond), 2);
    CU_ASSERT_FALSE(viewer.selector.probing());
}

void a_failed_probe_doubles_the_wait() {
    Viewer viewer;
    viewer.settle_on_middle_layer();
    viewer.estimate = 800'000;
    viewer.run_until(viewer.now + LayerSelector::kFirstProbeUs);
    CU_ASSERT_TRUE(viewer.selector.probing());
    viewer.run_until(viewer.now + kSecond);
    viewer.estimate = 600'000;  // the link could not take it
    CU_ASSERT_EQUAL(viewer.step(), 1);
    CU_ASSERT_FALSE(viewer.selector.probing());
    const std::int64_t lowered = viewer.now;
    viewer.now += kStep;
    viewer.estimate = 800'000;
    CU_ASSERT_EQUAL(viewer.run_until(lowered + 2 * LayerSelector::kFirstProbeUs), 1);
    CU_ASSERT_EQUAL(viewer.run_until(lowered + 2 * LayerSelector::kFirstProbeUs + kStep), 2);
}

void no_probe_while_the_current_layer_barely_fits() {
    Viewer viewer;
    viewer.settle_on_middle_layer();
    viewer.estimate = 450'000;  // below the middle layer's 500k, not low enough to go down
    CU_ASSERT_EQUAL(viewer.run_until(viewer.now + 3 * LayerSelector::kMaxProbeWaitUs), 1);
}

void no_probe_from_the_lowest_layer_while_lossy() {
    Viewer viewer;
    viewer.estimate = 2'200'000;
    viewer.run_until(12 * kSecond);
    viewer.estimate = 200'000;
    CU_ASSERT_EQUAL(viewer.step(), 0);
    for (int second = 0; second < 60; ++second) {
        viewer.report_loss(0.25);
        viewer.run_until(viewer.now + kSecond - kStep);
        CU_ASSERT_EQUAL(viewer.selector.layer(), 0);
    }
}

void meter_measures_each_layer() {
    LayerMeter meter;
    std::int64_t now = 0;
    // 1250-byte packets every 20 ms on layer 0 (500 kbps) and every 10 ms on layer 2 (1 Mbps).
    for (; now < 3 * kSecond; now += 10'000) {
        meter.add(2, 1250, now);
        if (now % 20'000 == 0)
            meter.add(0, 1250, now);
    }
    const LayerRates rates = meter.rates(now);
    CU_ASSERT(rates[0] > 475'000 && rates[0] < 525'000);
    CU_ASSERT_EQUAL(rates[1], 0u);
    CU_ASSERT(rates[2] > 950'000 && rates[2] < 1'050'000);
}

void meter_drops_silent_layers_and_counts_new_ones_at_once() {
    LayerMeter meter;
    meter.add(1, 1000, 0);
    CU_ASSERT(meter.rates(kStep)[1] > 0);  // flowing before its first full window
    CU_ASSERT_EQUAL(meter.rates(LayerMeter::kSilenceUs)[1], 0u);
    meter.add(7, 1000, 0);  // not a layer: ignored
    meter.add(-1, 1000, 0);
    const LayerRates rates = meter.rates(kStep);
    CU_ASSERT_EQUAL(rates[0], 0u);
    CU_ASSERT_EQUAL(rates[2], 0u);
}

void reports_hand_over_estimate_and_worst_loss() {
    LinkReports reports;
    CU_ASSERT_EQUAL(reports.take(0).estimate_bps, 0u);
    reports.estimate(1'000'000, 10 * kSecond);
    reports.loss(13);
    reports.loss(77);
    reports.loss(40);
    LinkFeedback feedback = reports.take(11 * kSecond);
    CU_ASSERT_EQUAL(feedback.estimate_bps, 1'000'000u);
    CU_ASSERT_EQUAL(feedback.loss_reports, 3);
    CU_ASSERT_DOUBLE_EQUAL(feedback.worst_loss, 77.0 / 256.0, 1e-9);
    feedback = reports.take(12 * kSecond);
    CU_ASSERT_EQUAL(feedback.loss_reports, 0);           // taken once
    CU_ASSERT_EQUAL(feedback.estimate_bps, 1'000'000u);  // the estimate stays while recent
    CU_ASSERT_EQUAL(reports.take(10 * kSecond + LinkReports::kEstimateTtlUs).estimate_bps, 0u);
}

// RTCP building blocks, in network byte order.
void put32(std::vector<std::uint8_t>& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void header(std::vector<std::uint8_t>& out, int count, int type, int words_after) {
    out.push_back(static_cast<std::uint8_t>(0x80 | count));
    out.push_back(static_cast<std::uint8_t>(type));
    out.push_back(static_cast<std::uint8_t>(words_after >> 8));
    out.push_back(static_cast<std::uint8_t>(words_after & 0xff));
}

void receiver_report(std::vector<std::uint8_t>& out, const std::vector<std::uint8_t>& fractions) {
    header(out, static_cast<int>(fractions.size()), 201, 1 + 6 * static_cast<int>(fractions.size()));
    put32(out, 0x11111111);
    for (std::uint8_t fraction : fractions) {
        put32(out, 0x22222222);                                               // source
        put32(out, (static_cast<std::uint32_t>(fraction) << 24) | 0x000010);  // fraction lost, cumulative
        for (int word = 0; word < 4; ++word)
            put32(out, 0);
    }
}

void remb(std::vector<std::uint8_t>& out, unsigned exponent, std::uint32_t mantissa) {
    header(out, 15, 206, 5);
    put32(out, 0x11111111);
    put32(out, 0);
    put32(out, 0x52454d42);  // "REMB"
    out.push_back(1);
    out.push_back(static_cast<std::uint8_t>((exponent << 2) | (mantissa >> 16)));
    out.push_back(static_cast<std::uint8_t>(mantissa >> 8));
    out.push_back(static_cast<std::uint8_t>(mantissa));
    put32(out, 0x22222222);
}

void rtcp_reader_finds_loss_estimate_and_keyframe_requests() {
    std::vector<std::uint8_t> compound;
    receiver_report(compound, {10, 40});
    remb(compound, 3, 187'500);  // 1.5 Mbps
    RtcpFeedback feedback = read_rtcp_feedback(compound.data(), compound.size());
    CU_ASSERT_EQUAL(feedback.worst_fraction_lost, 40);
    CU_ASSERT_EQUAL(feedback.estimate_bps, 1'500'000u);
    CU_ASSERT_FALSE(feedback.keyframe_request);

    std::vector<std::uint8_t> pli;
    header(pli, 1, 206, 2);
    put32(pli, 0x11111111);
    put32(pli, 0x22222222);
    CU_ASSERT_TRUE(read_rtcp_feedback(pli.data(), pli.size()).keyframe_request);
    CU_ASSERT_EQUAL(read_rtcp_feedback(pli.data(), pli.size()).worst_fraction_lost, -1);
    std::vector<std::uint8_t> fir;
    header(fir, 4, 206, 4);
    for (int word = 0; word < 4; ++word)
        put32(fir, 0x01020304);
    CU_ASSERT_TRUE(read_rtcp_feedback(fir.data(), fir.size()).keyframe_request);
}

void rtcp_reader_stops_at_malformed_parts() {
    std::vector<std::uint8_t> compound;
    receiver_report(compound, {30});
    std::vector<std::uint8_t> truncated = compound;
    remb(truncated, 3, 187'500);
    truncated.resize(truncated.size() - 8);  // the REMB claims more than there is
    RtcpFeedback feedback = read_rtcp_feedback(truncated.data(), truncated.size());
    CU_ASSERT_EQUAL(feedback.worst_fraction_lost, 30);  // what came before still counts
    CU_ASSERT_EQUAL(feedback.estimate_bps, 0u);

    std::vector<std::uint8_t> version_one = compound;
    version_one[0] = static_cast<std::uint8_t>((version_one[0] & 0x3f) | 0x40);
    CU_ASSERT_EQUAL(read_rtcp_feedback(version_one.data(), version_one.size()).worst_fraction_lost, -1);
    CU_ASSERT_EQUAL(read_rtcp_feedback(nullptr, 40).worst_fraction_lost, -1);
    CU_ASSERT_EQUAL(read_rtcp_feedback(compound.data(), 3).worst_fraction_lost, -1);

    std::vector<std::uint8_t> huge;
    remb(huge, 63, 0x3ffff);  // beyond 32 bits: saturates
    CU_ASSERT_EQUAL(read_rtcp_feedback(huge.data(), huge.size()).estimate_bps, UINT32_MAX);
}

CU_TestInfo tests[] = {
    {"a new viewer starts at the top without an estimate", starts_at_the_top_without_an_estimate},
    {"a new viewer starts at the layer its estimate allows", starts_at_the_layer_its_estimate_allows},
    {"the layer follows the layers the publisher sends", follows_the_layers_the_publisher_sends},
    {"a good link stays on the top layer", stays_high_on_a_good_link},
    {"a collapsing estimate goes down to the layer that fits", a_collapsing_estimate_goes_down_to_what_fits},
    {"a lagging estimate gets time after a raise", a_lagging_estimate_gets_time_after_a_raise},
    {"a falling estimate goes down even while settling", a_falling_estimate_goes_down_even_while_settling},
    {"a climbing estimate keeps a layer whose rate ramps faster",
     a_climbing_estimate_keeps_a_layer_whose_rate_ramps_faster},
    {"sustained loss goes down one layer", sustained_loss_goes_down_one_layer},
    {"a short loss burst changes nothing", a_short_loss_burst_changes_nothing},
    {"room that lasts a few seconds goes up", goes_up_after_room_lasts_a_few_seconds},
    {"room that does not last does not go up", room_that_does_not_last_does_not_go_up},
    {"a quiet while on a lower layer probes the next one", probes_the_next_layer_after_a_quiet_while},
    {"a failed probe doubles the wait for the next", a_failed_probe_doubles_the_wait},
    {"no probe while the current layer barely fits", no_probe_while_the_current_layer_barely_fits},
    {"no probe while the link is lossy", no_probe_from_the_lowest_layer_while_lossy},
    {"the meter measures each layer", meter_measures_each_layer},
    {"the meter drops silent layers and counts new ones at once",
     meter_drops_silent_layers_and_counts_new_ones_at_once},
    {"reports hand over the estimate and the worst loss", reports_hand_over_estimate_and_worst_loss},
    {"RTCP: loss, estimate and keyframe requests", rtcp_reader_finds_loss_estimate_and_keyframe_requests},
    {"RTCP: malformed parts end the reading", rtcp_reader_stops_at_malformed_parts},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_simulcast_tests() { return add_suite("simulcast", tests); }
