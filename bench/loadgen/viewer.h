// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <string>

#include "json.h"
#include "reception.h"

namespace loadgen {

// One simulated viewer as a Target signals it, whatever its WebRTC stack: it answers the plugin's
// offer, hands out its ICE candidates, and reports what it received.
class Viewer {
public:
    using CandidateSink = std::function<void(Json candidate)>;  // null candidate: gathering complete

    Viewer() = default;
    Viewer(const Viewer&) = delete;
    Viewer& operator=(const Viewer&) = delete;
    virtual ~Viewer() = default;

    virtual void on_candidate(CandidateSink sink) = 0;
    // Answers a subscriber offer (receive only).
    virtual std::string answer(const std::string& offer_sdp) = 0;
    virtual ViewerReport report() const = 0;
};

}  // namespace loadgen
