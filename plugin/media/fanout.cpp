// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/fanout.h"

#include <algorithm>
#include <cstring>

namespace onair::media {

SessionPtr Fanout::set_publisher(SessionPtr publisher) {
    SessionPtr previous = std::move(publisher_);
    publisher_ = std::move(publisher);
    publisher_lines_ = publisher_ ? publisher_->publisher_lines() : MediaLines{};
    // A new PeerConnection: its layers have new SSRCs, learned again from its first packets.
    layer_ssrcs_ = publisher_lines_.simulcast.ssrcs;
    meter_.reset();
    for (auto& rate : shown_rates_)
        rate.store(0, std::memory_order_relaxed);
    // The viewers' decoders need a keyframe from the new source before its frames make sense:
    // none of its video reaches them before one, and one is asked for at once.
    for (auto& viewer : viewers_)
        viewer->new_source();
    keyframes_.restart();
    return previous;
}

void Fanout::update_publisher_lines(const MediaLines& lines) {
    adopt_simulcast(lines.simulcast);
    publisher_lines_ = lines;
    keyframes_.restart();
}

void Fanout::adopt_simulcast(const Simulcast& simulcast) {
    // A renegotiation (an ICE restart) keeps the PeerConnection and its SSRCs; browsers stop
    // sending the rid extension once they had receiver reports, so learned SSRCs must stay.
    if (simulcast == publisher_lines_.simulcast)
        return;
    layer_ssrcs_ = simulcast.ssrcs;
    meter_.reset();
}

void Fanout::add_viewer(SessionPtr viewer) {
    auto leg = std::make_unique<ViewerLeg>(std::move(viewer));
    // A viewer whose PeerConnection is not up yet could not receive a keyframe: it is asked for
    // in viewer_connected(), when it can.
    if (leg->session()->media_up())
        keyframes_.request_now();
    viewers_.push_back(std::move(leg));
}

SessionPtr Fanout::remove_viewer(HandleId viewer) {
    auto found = std::find_if(viewers_.begin(), viewers_.end(),
                              [viewer](const auto& leg) { return leg->session()->id() == viewer; });
    if (found == viewers_.end())
        return nullptr;
    SessionPtr session = (*found)->release();
    viewers_.erase(found);
    return session;
}

SessionPtr Fanout::remove_viewer(const janus_plugin_session* viewer) {
    auto found = std::find_if(viewers_.begin(), viewers_.end(),
                              [viewer](const auto& leg) { return leg->session()->handle() == viewer; });
    if (found == viewers_.end())
        return nullptr;
    SessionPtr session = (*found)->release();
    viewers_.erase(found);
    return session;
}

std::vector<SessionPtr> Fanout::take_all() {
    std::vector<SessionPtr> all;
    if (publisher_)
        all.push_back(std::move(publisher_));
    for (auto& leg : viewers_)
        all.push_back(leg->release());
    viewers_.clear();
    publisher_lines_ = MediaLines{};
    return all;
}

void Fanout::forward_rtp(janus_plugin_rtp* packet) {
    if (!publisher_ || !packet->buffer || packet->length < RTP_HEADER_SIZE)
        return;
    publisher_->note_media_received();  // airtime evidence for the broadcast
    const std::int64_t now = janus_get_monotonic_time();
    if (keyframes_.due(now) && publisher_lines_.has_video()) {
        // Asking the core keeps the PLI's SSRCs right for the publisher's PeerConnection (with
        // simulcast it asks every layer).
        gateway_->send_pli_stream(publisher_->handle(), publisher_lines_.video_mindex);
    }
    const auto* header = reinterpret_cast<const janus_rtp_header*>(packet->buffer);
    // Only the negotiated codec is forwarded (anything else would confuse the viewers' decoders).
    const int expected_pt = packet->video ? publisher_lines_.video_pt : publisher_lines_.audio_pt;
    if (expected_pt < 0 || header->type != expected_pt)
        return;
    if (packet->video && publisher_lines_.simulcast.enabled()) {
        forward_layer(packet, now);
        return;
    }
    for (auto& viewer : viewers_) {
        if (viewer->receiving())
            viewer->send(gateway_, packet);
    }
}

void Fanout::forward_layer(janus_plugin_rtp* packet, std::int64_t now_us) {
    const int layer = layer_of(packet);
    if (layer < 0)
        return;
    meter_.add(layer, static_cast<std::size_t>(packet->length), now_us);
    const bool choose = now_us - chosen_at_us_ >= kChoiceIntervalUs;
    LayerRates rates{};
    if (choose) {
        chosen_at_us_ = now_us;
        rates = meter_.rates(now_us);
        for (int index = 0; index < kMaxLayers; ++index)
            shown_rates_[index].store(rates[index], std::memory_order_relaxed);
    }
    for (auto& viewer : viewers_) {
        if (!viewer->receiving())
            continue;
        if (choose)
            viewer->choose_layer(rates, now_us);
        if (viewer->send_layer(gateway_, packet, layer_ssrcs_.data(), now_us))
            keyframes_.request();
    }
}

int Fanout::layer_of(const janus_plugin_rtp* packet) {
    const auto* header = reinterpret_cast<const janus_rtp_header*>(packet->buffer);
    const std::uint32_t ssrc = ntohl(header->ssrc);
    for (int layer = 0; layer < kMaxLayers; ++layer) {
        if (layer_ssrcs_[layer] == ssrc && ssrc != 0)
            return layer;
    }
    const Simulcast& simulcast = publisher_lines_.simulcast;
    if (!simulcast.by_rid())
        return -1;
    char rid[16];
    if (janus_rtp_header_extension_parse_rid(packet->buffer, packet->length, simulcast.rid_extension, rid,
                                             sizeof(rid)) != 0)
        return -1;
    for (int layer = 0; layer < kMaxLayers; ++layer) {
        if (!simulcast.rids[layer].empty() && simulcast.rids[layer] == rid) {
            layer_ssrcs_[layer] = ssrc;
            return layer;
        }
    }
    return -1;
}

void Fanout::viewer_feedback(const janus_plugin_session* viewer, bool video, const RtcpFeedback& feedback,
                             std::int64_t now_us) {
    if (video && feedback.keyframe_request)
        keyframes_.request();
    ViewerLeg* leg = find(viewer);
    if (!leg)
        return;
    if (feedback.estimate_bps > 0)
        leg->reports().estimate(feedback.estimate_bps, now_us);
    if (feedback.worst_fraction_lost >= 0)
        leg->session()->note_receiver_report(now_us);  // airtime evidence: the media reaches it
    if (video && feedback.worst_fraction_lost >= 0)
        leg->reports().loss(static_cast<std::uint8_t>(feedback.worst_fraction_lost));
}

ViewerLeg* Fanout::find(const janus_plugin_session* viewer) const {
    for (const auto& leg : viewers_) {
        if (leg->session() && leg->session()->handle() == viewer)
            return leg.get();
    }
    return nullptr;
}

void Fanout::describe_publisher(json_t* into) const {
    const bool simulcast = publisher_lines_.simulcast.enabled();
    json_object_set_new(into, "simulcast", json_boolean(simulcast));
    if (simulcast)
        json_object_set_new(into, "layer_bps", shown_rates_json());
    json_object_set_new(into, "viewers", json_integer(static_cast<json_int_t>(viewers_.size())));
}

void Fanout::describe_viewer(const janus_plugin_session* viewer, json_t* into) const {
    const ViewerLeg* leg = find(viewer);
    if (!leg)
        return;
    const bool simulcast = publisher_ && publisher_lines_.simulcast.enabled();
    json_object_set_new(into, "simulcast", json_boolean(simulcast));
    leg->describe(into, simulcast);
    if (simulcast)
        json_object_set_new(into, "layer_bps", shown_rates_json());
}

json_t* Fanout::shown_rates_json() const {
    json_t* rates = json_array();
    for (const auto& rate : shown_rates_)
        json_array_append_new(rates, json_integer(rate.load(std::memory_order_relaxed)));
    return rates;
}

}  // namespace onair::media
