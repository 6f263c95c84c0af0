// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "json.h"
#include "stats.h"
#include "viewer.h"

namespace loadgen {

// Owning reference to a GStreamer pipeline: stopped and released together.
struct PipelineRelease {
    void operator()(GstElement* pipeline) const {
        gst_element_set_state(pipeline, GST_STATE_NULL);
        gst_object_unref(pipeline);
    }
};
using Pipeline = std::unique_ptr<GstElement, PipelineRelease>;

// Call once after gst_init, before any peer: ICE defaults that suit many peers in one process.
void quiet_ice_defaults();

// A webrtcbin inside a pipeline: offer/answer and trickled ICE candidates. Candidates are gathered
// on webrtcbin's own threads and handed to `on_candidate` on the main context (null: gathering
// is complete), so signaling stays single-threaded.
class WebRtcPeer {
public:
    using CandidateSink = Viewer::CandidateSink;

    WebRtcPeer() = default;
    WebRtcPeer(const WebRtcPeer&) = delete;
    WebRtcPeer& operator=(const WebRtcPeer&) = delete;
    virtual ~WebRtcPeer();

    void on_candidate(CandidateSink sink) { *sink_ = std::move(sink); }
    std::string create_offer();                                  // sets and returns the local offer
    std::string create_answer(const std::string& remote_offer);  // sets both, returns the local answer
    void set_remote_answer(const std::string& sdp);

protected:
    void attach(GstElement* webrtc);  // the pipeline owns it
    GstElement* webrtc_ = nullptr;

private:
    static void on_ice_candidate(GstElement*, guint mline, gchar* candidate, gpointer self);
    static void on_gathering(GstElement*, GParamSpec*, gpointer self);
    void deliver(Json candidate);
    std::shared_ptr<CandidateSink> sink_ = std::make_shared<CandidateSink>();
};

// Video and audio shape of the synthetic broadcast.
struct MediaSettings {
    int width = 640, height = 360, fps = 30;
    int video_kbps = 500, keyframe_seconds = 2, audio_kbps = 32;
    // Bars scrolling sideways: every frame changes, so the encoder spends its bitrate steadily.
    std::string pattern = "smpte horizontal-speed=2";  // videotestsrc pattern and properties
};

// The simulated broadcaster: a live VP8 (videotestsrc, vp8enc realtime, constant bitrate) and
// Opus source, sent through webrtcbin, or as plain RTP to a host and two ports (a Streaming
// mountpoint). Every payload leaving the payloaders is stamped into the PayloadClock.
class Publisher : public WebRtcPeer {
public:
    struct PlainRtp {
        std::string host;
        int video_port = 0, audio_port = 0;
    };
    Publisher(const MediaSettings& media, PayloadClock& clock, const PlainRtp* plain = nullptr);
    // Plays the sources and returns once both payloaders produced packets, so their caps (and SSRCs)
    // are fixed before an offer is made: Janus needs every SSRC of a bundle in the offer.
    void start();
    std::uint64_t sent_video() const { return sent_[0]; }
    std::uint64_t sent_audio() const { return sent_[1]; }
    std::uint64_t sent_bytes() const { return sent_bytes_; }  // RTP packets, both streams

private:
    static GstPadProbeReturn on_payload(GstPad*, GstPadProbeInfo* info, gpointer self);
    std::uint64_t stamp(GstBuffer* buffer);  // returns the packet's size
    PayloadClock& clock_;
    Pipeline pipeline_;
    const GstObject* video_payloader_ = nullptr;   // tells the probes' streams apart
    std::atomic<std::uint64_t> sent_[2] = {0, 0};  // video, audio, inside the window
    std::atomic<std::uint64_t> sent_bytes_ = 0;
    std::atomic<bool> flowing_[2] = {false, false};  // video, audio produced a packet
};

// One simulated viewer on webrtcbin: its own pipeline and receive-only webrtcbin. RTP is observed as
// it enters webrtcbin's rtpbin, after SRTP and before the jitter buffer, so the jitter buffer's
// latency never counts as delay. By default the packet ends there (the observer is the sink: no
// jitter buffer, no RTCP receiver reports); with `full_receive` it continues through rtpbin into
// fakesinks, as in a browser minus the decoder.
class WebRtcViewer : public Viewer, private WebRtcPeer {
public:
    WebRtcViewer(int index, const PayloadClock& clock, bool full_receive);
    void on_candidate(Viewer::CandidateSink sink) override { WebRtcPeer::on_candidate(std::move(sink)); }
    std::string answer(const std::string& offer_sdp) override;
    ViewerReport report() const override { return reception_.report(); }

private:
    static void on_pad_added(GstElement*, GstPad* pad, gpointer self);
    static void on_rtpbin_pad(GstElement*, GstPad* pad, gpointer self);
    static GstPadProbeReturn on_rtp(GstPad*, GstPadProbeInfo* info, gpointer self);
    void observe(GstBuffer* buffer, std::int64_t arrival_us);

    const bool full_receive_;
    Pipeline pipeline_;
    Reception reception_;
};

}  // namespace loadgen
