// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "janus_client.h"
#include "peer.h"

namespace loadgen {

struct TargetOptions {
    std::string site = "bench";          // OnAir: a site in `open` identity mode
    int streaming_threads = 0;           // Streaming: the mountpoint's helper threads
    std::string rtp_host = "127.0.0.1";  // Streaming: where the mountpoint receives plain RTP
    MediaSettings media;
};

// The signaling of one Janus plugin: how the broadcaster publishes into it and how a viewer
// subscribes. Every step is the plugin's real API over the Janus session.
class Target {
public:
    Target(JanusClient& janus, PayloadClock& clock, TargetOptions options)
        : janus_(janus), clock_(clock), options_(std::move(options)) {}
    virtual ~Target() = default;
    Target(const Target&) = delete;
    Target& operator=(const Target&) = delete;

    // Sets up the room/mountpoint/broadcast and returns once the broadcaster's media is up.
    virtual void publish() = 0;
    // Signals one viewer through to its `start`; ICE and DTLS then complete in the background.
    virtual void add_viewer(Viewer& viewer, int index) = 0;
    // What the target did, for the summary (room, mountpoint, broadcast ids).
    virtual std::string describe() const = 0;

    const Publisher& publisher() const { return *publisher_; }

protected:
    // Where a peer's candidates go: trickled to a handle.
    Viewer::CandidateSink trickle_to(std::uint64_t handle);
    // Answers the plugin's subscriber offer with the viewer's answer through `start_request`.
    void answer_offer(Viewer& viewer, std::uint64_t handle, json_t* event,
                      const char* start_request = "start");
    // Creates and plays the webrtc broadcaster (publish_webrtc does it when not done yet).
    void start_webrtc_publisher();
    // Publishes the webrtc broadcaster through `request` on a handle; returns the plugin's answer.
    Json publish_webrtc(std::uint64_t handle, Json request);

    JanusClient& janus_;
    PayloadClock& clock_;
    TargetOptions options_;
    std::unique_ptr<Publisher> publisher_;
};

// "onair", "videoroom" or "streaming"; null for anything else.
std::unique_ptr<Target> make_target(const std::string& name, JanusClient& janus, PayloadClock& clock,
                                    const TargetOptions& options);

}  // namespace loadgen
