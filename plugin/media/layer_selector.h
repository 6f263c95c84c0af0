// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstdint>

namespace onair::media {

// Browsers send at most three simulcast layers; 0 is the lowest.
constexpr int kMaxLayers = 3;

// Measured bits per second of each layer a publisher sends, lowest first; 0 for a layer that is not
// flowing now (browsers pause their upper layers when their own uplink is short).
using LayerRates = std::array<std::uint32_t, kMaxLayers>;

// What one viewer's receiver reports said since the previous update.
struct LinkFeedback {
    std::uint32_t estimate_bps = 0;  // its latest REMB estimate; 0 while it has sent none (recently)
    int loss_reports = 0;            // video receiver report blocks received
    double worst_loss = 0;           // the highest fraction lost among them, 0..1
};

// Chooses which simulcast layer one viewer gets, from its browser's receive-side bandwidth estimate
// (REMB) and the packet loss its receiver reports show, with hysteresis so that a layer, once
// chosen, stays for a while. Time is passed in (microseconds, monotonic) so it can be tested.
//
// - A new viewer starts at the highest layer its estimate allows, or at the top without one.
// - Down: when the estimate falls well below the current layer's measured bitrate, to the highest
//   layer that fits the estimate; or one layer when loss stays high for a few seconds.
// - Up: one layer when the estimate stays comfortably above the next layer for a few seconds.
// - Probes: a receive-side estimate never climbs much beyond what the link currently carries (the
//   browser caps it at 1.5 times the incoming rate), so a viewer moved down would never qualify
//   for a higher layer again by its estimate alone. After a quiet while on a lower layer the viewer
//   tries the next layer; a probe that ends in a move down doubles the wait before the next one.
// - A layer the viewer just moved up to gets time to prove itself: its estimate lags behind the
//   new rate, so only a falling estimate (the browser saw queues build up) or loss moves it down.
// - A climbing estimate never moves a viewer down: it says the link carries what it gets, and is
//   still catching up with a publisher whose encoder ramps up faster (a browser's send-side
//   estimate probes, a receive-side one only grows by about 8% a second).
class LayerSelector {
public:
    static constexpr double kDownRatio = 0.75;     // estimate below this share of the layer: too little
    static constexpr double kFitShare = 0.9;       // a layer fits when it takes at most this much of it
    static constexpr double kFallRatio = 0.9;      // the estimate fell from its peak by more than this
    static constexpr double kUpRatio = 1.3;        // estimate above this many times the next layer: room
    static constexpr double kLossThreshold = 0.1;  // fraction lost that counts as lossy
    static constexpr std::int64_t kSecond = 1'000'000;
    static constexpr std::int64_t kUpHoldUs = 4 * kSecond;       // room needed this long to move up
    static constexpr std::int64_t kLossHoldUs = 2 * kSecond;     // loss needed this long to move down
    static constexpr std::int64_t kDownGapUs = 2 * kSecond;      // between two moves down
    static constexpr std::int64_t kSettleUs = 10 * kSecond;      // a raised layer's time to prove itself
    static constexpr std::int64_t kClimbUs = 2 * kSecond;        // an estimate that grew this recently climbs
    static constexpr std::int64_t kFirstProbeUs = 15 * kSecond;  // on a lower layer before a probe
    static constexpr std::int64_t kMaxProbeWaitUs = 120 * kSecond;

    // Takes the publisher's current layers and what the viewer reported since the previous call;
    // returns the layer to forward, or -1 while no layer flows.
    int update(const LayerRates& rates, const LinkFeedback& feedback, std::int64_t now_us);

    int layer() const { return layer_; }
    bool probing() const { return probing_; }
    std::uint32_t estimate_bps() const { return estimate_; }
    double last_loss() const { return last_loss_; }

private:
    void note_loss(const LinkFeedback& feedback, std::int64_t now_us);
    bool lossy() const;
    bool should_go_down(const LayerRates& rates, std::int64_t now_us) const;
    void go_down(int layer, std::int64_t now_us);
    void consider_going_up(const LayerRates& rates, int top, std::int64_t now_us);
    void set_layer(int layer, std::int64_t now_us);

    int ceiling_ = -1;  // the highest layer this viewer's link takes; -1 until the first decision
    int layer_ = -1;    // min(ceiling_, the publisher's top layer)
    std::uint32_t estimate_ = 0;
    std::uint32_t peak_ = 0;        // the highest estimate since the layer last changed
    std::int64_t rose_at_us_ = -1;  // when the estimate last grew from one report to the next
    double last_loss_ = 0;
    std::int64_t loss_since_us_ = -1;  // first report of the current run of lossy reports
    std::int64_t loss_last_us_ = -1;   // latest report of that run
    std::int64_t room_since_us_ = -1;  // since when the estimate leaves room for the next layer
    std::int64_t changed_at_us_ = 0;   // when layer_ last changed
    std::int64_t raised_at_us_ = -1;   // when layer_ last went up
    std::int64_t lowered_at_us_ = -1;  // when this selector last moved the viewer down
    std::int64_t probe_wait_us_ = kFirstProbeUs;
    bool probing_ = false;
};

}  // namespace onair::media
