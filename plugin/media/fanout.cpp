// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/fanout.h"

#include <algorithm>
#include <cstring>

namespace onair::media {

janus::SessionPtr Fanout::set_publisher(janus::SessionPtr publisher) {
    janus::SessionPtr previous = std::move(publisher_);
    publisher_ = std::move(publisher);
    publisher_lines_ = publisher_ ? publisher_->publisher_lines() : MediaLines{};
    // The viewers' decoders need a keyframe from the new source before its frames make sense.
    keyframes_.restart();
    return previous;
}

void Fanout::update_publisher_lines(const MediaLines& lines) {
    publisher_lines_ = lines;
    keyframes_.restart();
}

void Fanout::add_viewer(janus::SessionPtr viewer) {
    auto leg = std::make_unique<Viewer>();
    leg->lines = viewer->viewer_lines();
    leg->session = std::move(viewer);
    janus_rtp_switching_context_reset(&leg->audio_context);
    janus_rtp_switching_context_reset(&leg->video_context);
    // A viewer whose PeerConnection is not up yet could not receive a keyframe: it is asked for
    // in viewer_connected(), when it can.
    if (leg->session->media_up())
        keyframes_.request_now();
    viewers_.push_back(std::move(leg));
}

janus::SessionPtr Fanout::remove_viewer(HandleId viewer) {
    auto found = std::find_if(viewers_.begin(), viewers_.end(),
                              [viewer](const auto& leg) { return leg->session->id() == viewer; });
    if (found == viewers_.end())
        return nullptr;
    janus::SessionPtr session = std::move((*found)->session);
    viewers_.erase(found);
    return session;
}

janus::SessionPtr Fanout::remove_viewer(const janus_plugin_session* viewer) {
    auto found = std::find_if(viewers_.begin(), viewers_.end(),
                              [viewer](const auto& leg) { return leg->session->handle() == viewer; });
    if (found == viewers_.end())
        return nullptr;
    janus::SessionPtr session = std::move((*found)->session);
    viewers_.erase(found);
    return session;
}

std::vector<janus::SessionPtr> Fanout::take_all() {
    std::vector<janus::SessionPtr> all;
    if (publisher_)
        all.push_back(std::move(publisher_));
    for (auto& leg : viewers_)
        all.push_back(std::move(leg->session));
    viewers_.clear();
    publisher_lines_ = MediaLines{};
    return all;
}

void Fanout::relay_rtp(janus_plugin_rtp* packet) {
    if (!publisher_ || !packet->buffer || packet->length < RTP_HEADER_SIZE)
        return;
    publisher_->note_media();  // airtime evidence for the broadcast
    if (keyframes_.due(janus_get_monotonic_time()) && publisher_lines_.has_video()) {
        // Asking the core keeps the PLI's SSRCs right for the publisher's PeerConnection.
        gateway_->send_pli_stream(publisher_->handle(), publisher_lines_.video_mindex);
    }
    const auto* header = reinterpret_cast<const janus_rtp_header*>(packet->buffer);
    // Only the negotiated codec is relayed (anything else would confuse the viewers' decoders).
    const int expected_pt = packet->video ? publisher_lines_.video_pt : publisher_lines_.audio_pt;
    if (expected_pt < 0 || header->type != expected_pt)
        return;
    for (auto& viewer : viewers_)
        send_to(*viewer, packet);
}

void Fanout::send_to(Viewer& viewer, janus_plugin_rtp* packet) {
    const janus::Session& session = *viewer.session;
    if (!session.media_up() || session.destroyed())
        return;
    const bool video = packet->video;
    const int pt = video ? viewer.lines.video_pt : viewer.lines.audio_pt;
    const int mindex = video ? viewer.lines.video_mindex : viewer.lines.audio_mindex;
    if (pt < 0 || mindex < 0)
        return;
    // The buffer is the publisher's packet, shared by all viewers: rewrite the header for this
    // viewer, hand it to the core (which copies it), then restore it for the next one.
    auto* header = reinterpret_cast<janus_rtp_header*>(packet->buffer);
    char original[RTP_HEADER_SIZE];
    std::memcpy(original, packet->buffer, sizeof(original));
    janus_rtp_header_update(header, video ? &viewer.video_context : &viewer.audio_context,
                            video ? TRUE : FALSE, 0);
    header->type = static_cast<uint16_t>(pt);
    janus_plugin_rtp out = {
        .mindex = mindex,
        .video = video,
        .buffer = packet->buffer,
        .length = packet->length,
        .extensions = packet->extensions,
    };
    gateway_->relay_rtp(session.handle(), &out);
    session.note_media();  // airtime evidence for the viewer's session
    std::memcpy(packet->buffer, original, sizeof(original));
}

}  // namespace onair::media
