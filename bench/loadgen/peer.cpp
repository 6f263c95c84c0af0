// SPDX-License-Identifier: GPL-3.0-or-later
#include "peer.h"

#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include <sstream>
#include <stdexcept>

namespace loadgen {

namespace {

GstWebRTCSessionDescription* parse_description(GstWebRTCSDPType type, const std::string& text) {
    GstSDPMessage* sdp = nullptr;
    if (gst_sdp_message_new_from_text(text.c_str(), &sdp) != GST_SDP_OK)
        throw std::runtime_error("unparsable SDP:\n" + text);
    return gst_webrtc_session_description_new(type, sdp);  // takes the message
}

// Emits a webrtcbin action that answers through a promise and waits for it (webrtcbin does the
// work on its own thread, so blocking the main thread here is fine).
GstWebRTCSessionDescription* create_description(GstElement* webrtc, const char* action, const char* field) {
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc, action, nullptr, promise);
    gst_promise_wait(promise);
    const GstStructure* reply = gst_promise_get_reply(promise);
    GstWebRTCSessionDescription* description = nullptr;
    if (reply)
        gst_structure_get(reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, nullptr);
    gst_promise_unref(promise);
    if (!description)
        throw std::runtime_error(std::string("webrtcbin could not ") + action);
    return description;
}

void set_description(GstElement* webrtc, const char* action, GstWebRTCSessionDescription* description) {
    GstPromise* promise = gst_promise_new();
    g_signal_emit_by_name(webrtc, action, description, promise);
    gst_promise_wait(promise);
    gst_promise_unref(promise);
}

std::string sdp_text(const GstWebRTCSessionDescription* description) {
    gchar* text = gst_sdp_message_as_text(description->sdp);
    std::string result = text;
    g_free(text);
    return result;
}

GstElement* make(const char* factory) {
    GstElement* element = gst_element_factory_make(factory, nullptr);
    if (!element)
        throw std::runtime_error(std::string("GStreamer element missing: ") + factory);
    return element;
}

}  // namespace

void quiet_ice_defaults() {
    // libnice maps ports through UPnP by default: per agent a UPnP context on every interface, its
    // threads and sockets, which dwarf one viewer's media and mean nothing in a private namespace.
    // webrtcbin does not expose its NiceAgent, so change the class default (a construct property)
    // once the type exists.
    GstElement* probe = make("webrtcbin");
    gst_object_unref(probe);
    const GType agent = g_type_from_name("NiceAgent");
    if (!agent)
        return;
    auto* agent_class = static_cast<GObjectClass*>(g_type_class_ref(agent));
    if (GParamSpec* upnp = g_object_class_find_property(agent_class, "upnp");
        upnp && G_IS_PARAM_SPEC_BOOLEAN(upnp))
        G_PARAM_SPEC_BOOLEAN(upnp)->default_value = FALSE;
    g_type_class_unref(agent_class);
}

WebRtcPeer::~WebRtcPeer() { *sink_ = nullptr; }

void WebRtcPeer::attach(GstElement* webrtc) {
    webrtc_ = webrtc;
    g_object_set(webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
    // UDP only: Janus never uses ICE-TCP here, and passive TCP candidates cost a listening socket.
    GstWebRTCICE* ice = nullptr;
    g_object_get(webrtc, "ice-agent", &ice, nullptr);
    if (ice) {
        g_object_set(ice, "ice-tcp", FALSE, nullptr);
        gst_object_unref(ice);
    }
    g_signal_connect(webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate), this);
    g_signal_connect(webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering), this);
}

void WebRtcPeer::on_ice_candidate(GstElement*, guint mline, gchar* candidate, gpointer self) {
    static_cast<WebRtcPeer*>(self)->deliver(
        json_take(json_pack("{s:s,s:i}", "candidate", candidate, "sdpMLineIndex", static_cast<int>(mline))));
}

void WebRtcPeer::on_gathering(GstElement* webrtc, GParamSpec*, gpointer self) {
    GstWebRTCICEGatheringState state{};
    g_object_get(webrtc, "ice-gathering-state", &state, nullptr);
    if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
        static_cast<WebRtcPeer*>(self)->deliver(nullptr);
}

void WebRtcPeer::deliver(Json candidate) {
    struct Delivery {
        std::shared_ptr<CandidateSink> sink;
        Json candidate;
    };
    auto delivery = std::make_unique<Delivery>(Delivery{sink_, std::move(candidate)});
    g_idle_add_full(
        G_PRIORITY_DEFAULT,
        [](gpointer data) -> gboolean {
            auto* d = static_cast<Delivery*>(data);
            if (*d->sink)
                (*d->sink)(std::move(d->candidate));
            return G_SOURCE_REMOVE;
        },
        delivery.release(), [](gpointer data) { delete static_cast<Delivery*>(data); });
}

std::string WebRtcPeer::create_offer() {
    GstWebRTCSessionDescription* offer = create_description(webrtc_, "create-offer", "offer");
    set_description(webrtc_, "set-local-description", offer);
    std::string text = sdp_text(offer);
    gst_webrtc_session_description_free(offer);
    return text;
}

std::string WebRtcPeer::create_answer(const std::string& remote_offer) {
    GstWebRTCSessionDescription* offer = parse_description(GST_WEBRTC_SDP_TYPE_OFFER, remote_offer);
    set_description(webrtc_, "set-remote-description", offer);
    gst_webrtc_session_description_free(offer);
    GstWebRTCSessionDescription* answer = create_description(webrtc_, "create-answer", "answer");
    set_description(webrtc_, "set-local-description", answer);
    std::string text = sdp_text(answer);
    gst_webrtc_session_description_free(answer);
    return text;
}

void WebRtcPeer::set_remote_answer(const std::string& sdp) {
    GstWebRTCSessionDescription* answer = parse_description(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
    set_description(webrtc_, "set-remote-description", answer);
    gst_webrtc_session_description_free(answer);
}

Publisher::Publisher(const MediaSettings& media, PayloadClock& clock, const PlainRtp* plain) : clock_(clock) {
    // Realtime deadline and the fastest preset keep the encoder cheap next to N viewers.
    std::ostringstream launch;
    launch << "videotestsrc is-live=true pattern=" << media.pattern
           << " ! video/x-raw,format=I420,width=" << media.width << ",height=" << media.height
           << ",framerate=" << media.fps << "/1"
           << " ! vp8enc deadline=1 cpu-used=16 threads=1 end-usage=cbr target-bitrate="
           << media.video_kbps * 1000 << " keyframe-max-dist=" << media.keyframe_seconds * media.fps
           << " ! rtpvp8pay name=vpay pt=96 mtu=1200 picture-id-mode=15-bit"
           << " ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! ";
    if (plain)
        launch << "udpsink host=" << plain->host << " port=" << plain->video_port
               << " sync=false async=false ";
    else
        launch << "webrtcbin name=rtc ";
    launch << "audiotestsrc is-live=true wave=pink-noise volume=0.2 ! audio/x-raw,rate=48000,channels=2"
           << " ! opusenc bitrate=" << media.audio_kbps * 1000 << " frame-size=20"
           << " ! rtpopuspay name=apay pt=111"
           << " ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! ";
    if (plain)
        launch << "udpsink host=" << plain->host << " port=" << plain->audio_port
               << " sync=false async=false";
    else
        launch << "rtc.";
    GError* error = nullptr;
    pipeline_.reset(gst_parse_launch(launch.str().c_str(), &error));
    if (error) {
        std::string message = error->message;
        g_error_free(error);
        throw std::runtime_error("broadcaster pipeline: " + message);
    }
    for (const char* name : {"vpay", "apay"}) {
        GstElement* payloader = gst_bin_get_by_name(GST_BIN(pipeline_.get()), name);
        if (g_str_equal(name, "vpay"))
            video_payloader_ = GST_OBJECT(payloader);
        GstPad* pad = gst_element_get_static_pad(payloader, "src");
        gst_pad_add_probe(
            pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
            on_payload, this, nullptr);
        gst_object_unref(pad);
        gst_object_unref(payloader);  // the pipeline keeps it
    }
    if (!plain) {
        GstElement* webrtc = gst_bin_get_by_name(GST_BIN(pipeline_.get()), "rtc");
        attach(webrtc);
        gst_object_unref(webrtc);  // the pipeline keeps it
        GArray* transceivers = nullptr;
        g_signal_emit_by_name(webrtc_, "get-transceivers", &transceivers);
        for (guint i = 0; transceivers && i < transceivers->len; ++i) {
            auto* transceiver = g_array_index(transceivers, GstWebRTCRTPTransceiver*, i);
            g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, nullptr);
        }
        if (transceivers)
            g_array_unref(transceivers);
    }
}

void Publisher::start() {
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        throw std::runtime_error("broadcaster pipeline does not start");
    for (int waited_ms = 0; !(flowing_[0] && flowing_[1]); waited_ms += 10) {
        if (waited_ms > 10000)
            throw std::runtime_error("broadcaster sources produce nothing");
        g_usleep(10000);
    }
}

GstPadProbeReturn Publisher::on_payload(GstPad* pad, GstPadProbeInfo* info, gpointer self) {
    auto* publisher = static_cast<Publisher*>(self);
    const bool video = GST_OBJECT_CAST(GST_PAD_PARENT(pad)) == publisher->video_payloader_;
    std::uint64_t packets = 0, bytes = 0;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        bytes = publisher->stamp(GST_PAD_PROBE_INFO_BUFFER(info));
        packets = 1;
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList* list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
        packets = gst_buffer_list_length(list);
        for (guint i = 0; i < packets; ++i)
            bytes += publisher->stamp(gst_buffer_list_get(list, i));
    }
    publisher->flowing_[video ? 0 : 1] = true;
    if (g_phase.load(std::memory_order_relaxed) == Phase::measuring) {
        publisher->sent_[video ? 0 : 1] += packets;
        publisher->sent_bytes_ += bytes;
    }
    return GST_PAD_PROBE_OK;
}

std::uint64_t Publisher::stamp(GstBuffer* buffer) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (!gst_rtp_buffer_map(buffer, GST_MAP_READ, &rtp))
        return 0;
    const auto* payload = static_cast<const char*>(gst_rtp_buffer_get_payload(&rtp));
    const std::string_view bytes(payload, gst_rtp_buffer_get_payload_len(&rtp));
    gst_rtp_buffer_unmap(&rtp);
    clock_.sent(payload_hash(bytes), now_us());
    return gst_buffer_get_size(buffer);
}

WebRtcViewer::WebRtcViewer(int index, const PayloadClock& clock, bool full_receive)
    : full_receive_(full_receive), reception_(clock) {
    const std::string name = "viewer-" + std::to_string(index);
    pipeline_.reset(gst_pipeline_new(name.c_str()));
    GstElement* webrtc = make("webrtcbin");
    gst_bin_add(GST_BIN(pipeline_.get()), webrtc);
    attach(webrtc);
    g_signal_connect(webrtc, "pad-added", G_CALLBACK(on_pad_added), this);
    GstElement* rtpbin = gst_bin_get_by_name(GST_BIN(webrtc), "rtpbin");
    if (!rtpbin)
        throw std::runtime_error("webrtcbin has no child named rtpbin");
    g_signal_connect(rtpbin, "pad-added", G_CALLBACK(on_rtpbin_pad), this);
    gst_object_unref(rtpbin);
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        throw std::runtime_error("viewer pipeline does not start");
}

std::string WebRtcViewer::answer(const std::string& offer_sdp) {
    reception_.learn_codecs(offer_sdp);
    return create_answer(offer_sdp);
}

void WebRtcViewer::on_pad_added(GstElement*, GstPad* pad, gpointer self) {
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    auto* viewer = static_cast<WebRtcViewer*>(self);
    GstElement* sink = make("fakesink");
    g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(GST_BIN(viewer->pipeline_.get()), sink);
    gst_element_sync_state_with_parent(sink);
    GstPad* sink_pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_link(pad, sink_pad);
    gst_object_unref(sink_pad);
}

void WebRtcViewer::on_rtpbin_pad(GstElement*, GstPad* pad, gpointer self) {
    if (!g_str_has_prefix(GST_PAD_NAME(pad), "recv_rtp_sink_"))
        return;
    gst_pad_add_probe(
        pad, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST), on_rtp,
        self, nullptr);
}

GstPadProbeReturn WebRtcViewer::on_rtp(GstPad*, GstPadProbeInfo* info, gpointer self) {
    auto* viewer = static_cast<WebRtcViewer*>(self);
    const std::int64_t arrival = now_us();
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        viewer->observe(GST_PAD_PROBE_INFO_BUFFER(info), arrival);
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList* list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
        for (guint i = 0; i < gst_buffer_list_length(list); ++i)
            viewer->observe(gst_buffer_list_get(list, i), arrival);
    }
    return viewer->full_receive_ ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void WebRtcViewer::observe(GstBuffer* buffer, std::int64_t arrival_us) {
    GstRTPBuffer mapped = GST_RTP_BUFFER_INIT;
    if (!gst_rtp_buffer_map(buffer, GST_MAP_READ, &mapped))
        return;
    RtpPacket rtp;
    rtp.payload_type = gst_rtp_buffer_get_payload_type(&mapped);
    if (const Reception::Codec* codec = reception_.codec(rtp.payload_type)) {  // else RTCP or unknown
        rtp.ssrc = gst_rtp_buffer_get_ssrc(&mapped);
        rtp.seq = gst_rtp_buffer_get_seq(&mapped);
        rtp.timestamp = gst_rtp_buffer_get_timestamp(&mapped);
        rtp.payload = {static_cast<const char*>(gst_rtp_buffer_get_payload(&mapped)),
                       gst_rtp_buffer_get_payload_len(&mapped)};
        reception_.packet(rtp, *codec, arrival_us);
    }
    gst_rtp_buffer_unmap(&mapped);
}

}  // namespace loadgen
