// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/viewer_leg.h"

#include <cstring>

namespace onair::media {
namespace {

// The router asks for a keyframe when a viewer got no video for this long (its layer stopped,
// or packets were lost before a switch completed).
constexpr std::int64_t kStarvedUs = 1'000'000;
// janus_vp8_simulcast_descriptor_update rewrites at most this much of a VP8 payload's start.
constexpr int kVp8DescriptorMax = 6;

// Picks the layer a VP8 packet belongs to by its SSRC. Janus 1.2.0 added a dependency descriptor
// to this call (configure's probe defines ONAIR_JANUS_SIMULCAST_DD); we never use one.
bool simulcast_process(janus_rtp_simulcasting_context* layers, janus_plugin_rtp* packet,
                       std::uint32_t* layer_ssrcs, janus_rtp_switching_context* video) {
#ifdef ONAIR_JANUS_SIMULCAST_DD
    return janus_rtp_simulcasting_context_process_rtp(layers, packet->buffer, packet->length, nullptr, 0,
                                                      layer_ssrcs, nullptr, JANUS_VIDEOCODEC_VP8, video,
                                                      nullptr);
#else
    return janus_rtp_simulcasting_context_process_rtp(layers, packet->buffer, packet->length, layer_ssrcs,
                                                      nullptr, JANUS_VIDEOCODEC_VP8, video, nullptr);
#endif
}

}  // namespace

ViewerLeg::ViewerLeg(SessionPtr session) : session_(std::move(session)), lines_(session_->viewer_lines()) {
    janus_rtp_switching_context_reset(&audio_context_);
    janus_rtp_switching_context_reset(&video_context_);
    janus_rtp_simulcasting_context_reset(&layer_context_);
    // New viewers start at the top until the selector has seen the publisher's layers; all temporal
    // layers, always: the layer choice is spatial only.
    layer_context_.substream_target = kMaxLayers - 1;
    layer_context_.templayer_target = 2;
    janus_vp8_simulcast_context_reset(&vp8_context_);
}

void ViewerLeg::send(janus_callbacks* gateway, janus_plugin_rtp* packet) {
    const bool video = packet->video;
    const int pt = video ? lines_.video_pt : lines_.audio_pt;
    const int mindex = video ? lines_.video_mindex : lines_.audio_mindex;
    if (pt < 0 || mindex < 0)
        return;
    // The buffer is the publisher's packet, shared by all viewers: rewrite the header for this
    // viewer, hand it to the core (which copies it), then restore it for the next one.
    auto* header = reinterpret_cast<janus_rtp_header*>(packet->buffer);
    char original[RTP_HEADER_SIZE];
    std::memcpy(original, packet->buffer, sizeof(original));
    janus_rtp_header_update(header, video ? &video_context_ : &audio_context_, video ? TRUE : FALSE, 0);
    header->type = static_cast<uint16_t>(pt);
    janus_plugin_rtp out = {
        .mindex = mindex,
        .video = video,
        .buffer = packet->buffer,
        .length = packet->length,
        .extensions = packet->extensions,
    };
    gateway->relay_rtp(session_->handle(), &out);
    session_->note_media_relayed();  // airtime evidence for the viewer's session, with its reports
    std::memcpy(packet->buffer, original, sizeof(original));
}

bool ViewerLeg::send_layer(janus_callbacks* gateway, janus_plugin_rtp* packet, std::uint32_t* layer_ssrcs,
                           std::int64_t now_us) {
    if (lines_.video_pt < 0 || lines_.video_mindex < 0)
        return false;
    const bool in_layer = simulcast_process(&layer_context_, packet, layer_ssrcs, &video_context_);
    const bool needs_keyframe = layer_context_.need_pli ||
                                layer_context_.substream != layer_context_.substream_target ||
                                (!in_layer && now_us - layer_context_.last_relayed >= kStarvedUs);
    if (!in_layer)
        return needs_keyframe;
    if (layer_context_.changed_substream)
        shown_layer_.store(layer_context_.substream, std::memory_order_relaxed);
    int payload_length = 0;
    char* payload = janus_rtp_payload(packet->buffer, packet->length, &payload_length);
    if (!payload || payload_length < kVp8DescriptorMax)
        return needs_keyframe;
    // Each layer numbers its VP8 pictures on its own: the viewer's decoder must see one sequence.
    char descriptor[kVp8DescriptorMax];
    std::memcpy(descriptor, payload, sizeof(descriptor));
    janus_vp8_simulcast_descriptor_update(payload, payload_length, &vp8_context_,
                                          layer_context_.changed_substream);
    send(gateway, packet);
    std::memcpy(payload, descriptor, sizeof(descriptor));
    return needs_keyframe;
}

void ViewerLeg::new_source() {
    const int target = layer_context_.substream_target;
    janus_rtp_simulcasting_context_reset(&layer_context_);
    layer_context_.substream_target = target;
    layer_context_.templayer_target = 2;
    shown_layer_.store(-1, std::memory_order_relaxed);
}

void ViewerLeg::choose_layer(const LayerRates& rates, std::int64_t now_us) {
    const int layer = selector_.update(rates, reports_.take(now_us), now_us);
    if (layer >= 0)
        layer_context_.substream_target = layer;
    shown_target_.store(layer, std::memory_order_relaxed);
    shown_estimate_.store(selector_.estimate_bps(), std::memory_order_relaxed);
    shown_loss_permille_.store(static_cast<int>(selector_.last_loss() * 1000), std::memory_order_relaxed);
    shown_probing_.store(selector_.probing(), std::memory_order_relaxed);
}

void ViewerLeg::describe(json_t* into, bool simulcast) const {
    if (!simulcast) {
        json_object_set_new(into, "estimate_bps", json_integer(reports_.latest_estimate()));
        return;
    }
    json_object_set_new(into, "substream", json_integer(shown_layer_.load(std::memory_order_relaxed)));
    json_object_set_new(into, "target_substream",
                        json_integer(shown_target_.load(std::memory_order_relaxed)));
    json_object_set_new(into, "estimate_bps", json_integer(shown_estimate_.load(std::memory_order_relaxed)));
    json_object_set_new(into, "loss",
                        json_real(shown_loss_permille_.load(std::memory_order_relaxed) / 1000.0));
    json_object_set_new(into, "probing", json_boolean(shown_probing_.load(std::memory_order_relaxed)));
}

}  // namespace onair::media
