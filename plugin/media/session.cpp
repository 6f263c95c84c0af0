// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/session.h"

#include <cinttypes>

#include "media/janus_api.h"

namespace onair::media {

Session::Session(janus_plugin_session* handle, HandleId id) : handle_(handle), id_(id) {}

Session::~Session() {
    JANUS_LOG(LOG_VERB, "OnAir: handle %" PRIu64 " released\n", id_);
    // The core counted one reference for us when it attached the handle (janus_ice_handle_attach_plugin);
    // giving it back lets the core free the janus_plugin_session once it is done with it too.
    janus_refcount_decrease(&handle_->ref);
}

bool Session::take_evidence(std::int64_t now_us) {
    const bool received = media_received_.exchange(false, std::memory_order_relaxed);
    const bool relayed = media_relayed_.exchange(false, std::memory_order_relaxed);
    // Relayed RTP alone proves nothing: a viewer whose PeerConnection never came up is sent nothing,
    // but one whose path broke silently still is. Its receiver reports prove the media arrives.
    const std::int64_t report_at = report_at_us_.load(std::memory_order_relaxed);
    return received || (relayed && report_at != 0 && now_us - report_at <= kReportWindowUs);
}

void Session::set_publisher_lines(const MediaLines& lines) {
    std::lock_guard lock(mutex_);
    publisher_lines_ = lines;
}

MediaLines Session::publisher_lines() const {
    std::lock_guard lock(mutex_);
    return publisher_lines_;
}

void Session::set_viewer_lines(const MediaLines& lines) {
    std::lock_guard lock(mutex_);
    viewer_lines_ = lines;
}

MediaLines Session::viewer_lines() const {
    std::lock_guard lock(mutex_);
    return viewer_lines_;
}

void Session::note_broadcast(const std::string& broadcast_id, bool audio_wanted) {
    std::lock_guard lock(mutex_);
    info_.broadcast_id = broadcast_id;
    audio_wanted_ = audio_wanted;
}

bool Session::audio_wanted() const {
    std::lock_guard lock(mutex_);
    return audio_wanted_;
}

void Session::note_event(EventName event) {
    std::lock_guard lock(mutex_);
    if (event == EventName::Presence) {
        if (info_.role.empty())
            info_.role = "presence";
        return;  // presence updates say nothing about the handle's own state
    }
    info_.state = to_string(event);
}

void Session::note_identity(const std::string& role, const std::string& site, const std::string& user,
                            const std::string& target) {
    std::lock_guard lock(mutex_);
    info_.role = role;
    info_.site = site;
    info_.user = user;
    info_.target = target;
}

SessionInfo Session::info() const {
    std::lock_guard lock(mutex_);
    return info_;
}

JsonPtr Session::describe() const {
    const SessionInfo current = info();
    JsonPtr json = json_take(json_object());
    auto put = [&json](const char* key, const std::string& value) {
        if (!value.empty())
            json_object_set_new(json.get(), key, json_string(value.c_str()));
    };
    json_object_set_new(json.get(), "handle", json_integer(static_cast<json_int_t>(id_)));
    put("role", current.role.empty() ? std::string("none") : current.role);
    put("site", current.site);
    put("user", current.user);
    put("target", current.target);
    put("broadcast_id", current.broadcast_id);
    put("state", current.state.empty() ? std::string("idle") : current.state);
    json_object_set_new(json.get(), "destroyed", json_boolean(destroyed()));
    return json;
}

}  // namespace onair::media
