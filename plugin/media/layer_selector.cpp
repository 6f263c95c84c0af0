// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/layer_selector.h"

#include <algorithm>

namespace onair::media {
namespace {

int highest_flowing(const LayerRates& rates) {
    for (int layer = kMaxLayers - 1; layer >= 0; --layer) {
        if (rates[layer] > 0)
            return layer;
    }
    return -1;
}

int next_flowing_above(const LayerRates& rates, int layer) {
    for (int above = layer + 1; above < kMaxLayers; ++above) {
        if (rates[above] > 0)
            return above;
    }
    return -1;
}

// The highest flowing layer up to `limit` that fits in `estimate`; the lowest flowing one when none
// does (a viewer always gets some video: the lowest layer is the least it can be given).
int fitting_layer(const LayerRates& rates, std::uint32_t estimate, int limit) {
    int lowest = -1;
    int best = -1;
    for (int layer = 0; layer <= limit && layer < kMaxLayers; ++layer) {
        if (rates[layer] == 0)
            continue;
        if (lowest < 0)
            lowest = layer;
        if (rates[layer] <= LayerSelector::kFitShare * estimate)
            best = layer;
    }
    return best >= 0 ? best : std::max(lowest, 0);
}

}  // namespace

int LayerSelector::update(const LayerRates& rates, const LinkFeedback& feedback, std::int64_t now_us) {
    if (estimate_ > 0 && feedback.estimate_bps > estimate_)
        rose_at_us_ = now_us;
    estimate_ = feedback.estimate_bps;
    peak_ = std::max(peak_, estimate_);
    note_loss(feedback, now_us);
    const int top = highest_flowing(rates);
    if (top < 0) {
        set_layer(-1, now_us);
        return layer_;
    }
    if (ceiling_ < 0)
        ceiling_ = estimate_ > 0 ? fitting_layer(rates, estimate_, top) : kMaxLayers - 1;
    set_layer(std::min(ceiling_, top), now_us);

    if (layer_ > 0 && should_go_down(rates, now_us)) {
        go_down(lossy() ? layer_ - 1 : fitting_layer(rates, estimate_, layer_ - 1), now_us);
    } else if (layer_ < top) {
        consider_going_up(rates, top, now_us);
    }
    if (probing_ && now_us - raised_at_us_ >= kSettleUs) {
        // The probe held: the link takes this layer, and the next probe may come early again.
        probing_ = false;
        probe_wait_us_ = kFirstProbeUs;
    }
    return layer_;
}

void LayerSelector::note_loss(const LinkFeedback& feedback, std::int64_t now_us) {
    if (feedback.loss_reports == 0)
        return;
    last_loss_ = feedback.worst_loss;
    if (feedback.worst_loss < kLossThreshold) {
        loss_since_us_ = -1;
        return;
    }
    if (loss_since_us_ < 0)
        loss_since_us_ = now_us;
    loss_last_us_ = now_us;
}

bool LayerSelector::lossy() const {
    // Measured between lossy reports, so a pause in reporting does not stretch a short loss burst.
    return loss_since_us_ >= 0 && loss_last_us_ - loss_since_us_ >= kLossHoldUs;
}

bool LayerSelector::should_go_down(const LayerRates& rates, std::int64_t now_us) const {
    if (lowered_at_us_ >= 0 && now_us - lowered_at_us_ < kDownGapUs)
        return false;  // the last move down has not taken effect yet (it waits for a keyframe)
    if (lossy())
        return true;
    if (estimate_ == 0 || estimate_ >= kDownRatio * rates[layer_])
        return false;
    if (rose_at_us_ >= 0 && now_us - rose_at_us_ < kClimbUs)
        return false;  // still climbing: the browser has not caught up with the rate yet
    // A freshly raised layer's estimate is still catching up with its rate: only a falling
    // estimate says the link cannot take it.
    const bool settling = raised_at_us_ >= 0 && now_us - raised_at_us_ < kSettleUs;
    return !settling || estimate_ < kFallRatio * peak_;
}

void LayerSelector::go_down(int layer, std::int64_t now_us) {
    if (raised_at_us_ >= 0 && now_us - raised_at_us_ < kSettleUs)
        probe_wait_us_ = std::min(2 * probe_wait_us_, kMaxProbeWaitUs);  // the raise did not hold
    probing_ = false;
    ceiling_ = layer;
    lowered_at_us_ = now_us;
    loss_since_us_ = -1;  // the lower layer needs its own evidence
    set_layer(layer, now_us);
}

void LayerSelector::consider_going_up(const LayerRates& rates, int top, std::int64_t now_us) {
    const int next = next_flowing_above(rates, layer_);
    if (next < 0 || next > top || loss_since_us_ >= 0) {
        room_since_us_ = -1;
        return;
    }
    if (estimate_ > 0 && estimate_ >= kUpRatio * rates[next]) {
        if (room_since_us_ < 0)
            room_since_us_ = now_us;
        if (now_us - room_since_us_ >= kUpHoldUs) {
            ceiling_ = next;
            set_layer(next, now_us);
        }
        return;
    }
    room_since_us_ = -1;
    const bool current_fits = estimate_ == 0 || (layer_ >= 0 && estimate_ >= rates[layer_]);
    if (current_fits && now_us - changed_at_us_ >= probe_wait_us_) {
        ceiling_ = next;
        probing_ = true;
        set_layer(next, now_us);
    }
}

void LayerSelector::set_layer(int layer, std::int64_t now_us) {
    if (layer == layer_)
        return;
    if (layer > layer_)
        raised_at_us_ = now_us;
    layer_ = layer;
    changed_at_us_ = now_us;
    peak_ = estimate_;
    room_since_us_ = -1;
}

}  // namespace onair::media
