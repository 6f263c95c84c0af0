// SPDX-License-Identifier: GPL-3.0-or-later
#include "media/router.h"

#include <mutex>
#include <vector>

#include "media/rtcp_feedback.h"

namespace onair::media {

Router::FanoutPtr& Router::fanout_for(const std::string& broadcast_id) {
    FanoutPtr& fanout = fanouts_[broadcast_id];
    if (!fanout)
        fanout = std::make_shared<Fanout>(gateway_);
    return fanout;
}

void Router::drop_if_empty(const std::string& broadcast_id) {
    auto found = fanouts_.find(broadcast_id);
    if (found != fanouts_.end() && found->second->empty())
        fanouts_.erase(found);
}

void Router::set_publisher(const std::string& broadcast_id, SessionPtr publisher) {
    std::vector<SessionPtr> released;  // destroyed after the lock is released
    std::unique_lock lock(mutex_);
    FanoutPtr fanout = fanout_for(broadcast_id);
    if (const SessionPtr& old = fanout->publisher()) {
        publishing_.erase(old->handle());
        by_publisher_.erase(old->handle());
    }
    if (publisher) {
        // A handle publishes one broadcast at a time.
        if (auto other = publishing_.find(publisher->handle()); other != publishing_.end()) {
            const std::string other_id = other->second;
            if (other_id != broadcast_id) {
                released.push_back(fanouts_[other_id]->set_publisher(nullptr));
                publishing_.erase(other);
                by_publisher_.erase(publisher->handle());
                drop_if_empty(other_id);
            }
        }
        publishing_[publisher->handle()] = broadcast_id;
        by_publisher_[publisher->handle()] = fanout;
    }
    released.push_back(fanout->set_publisher(std::move(publisher)));
    drop_if_empty(broadcast_id);
}

void Router::add_viewer(const std::string& broadcast_id, SessionPtr viewer) {
    if (!viewer)
        return;
    std::vector<SessionPtr> released;
    std::unique_lock lock(mutex_);
    if (auto other = watching_.find(viewer->handle()); other != watching_.end()) {
        const std::string other_id = other->second;
        if (auto fanout = fanouts_.find(other_id); fanout != fanouts_.end())
            released.push_back(fanout->second->remove_viewer(viewer->handle()));
        watching_.erase(other);
        drop_if_empty(other_id);
    }
    watching_[viewer->handle()] = broadcast_id;
    fanout_for(broadcast_id)->add_viewer(std::move(viewer));
}

void Router::remove_viewer(const std::string& broadcast_id, HandleId viewer) {
    std::vector<SessionPtr> released;
    std::unique_lock lock(mutex_);
    auto fanout = fanouts_.find(broadcast_id);
    if (fanout == fanouts_.end())
        return;
    SessionPtr removed = fanout->second->remove_viewer(viewer);
    if (removed)
        watching_.erase(removed->handle());
    released.push_back(std::move(removed));
    drop_if_empty(broadcast_id);
}

void Router::end(const std::string& broadcast_id) {
    std::vector<SessionPtr> released;
    std::unique_lock lock(mutex_);
    auto fanout = fanouts_.find(broadcast_id);
    if (fanout == fanouts_.end())
        return;
    released = fanout->second->take_all();
    for (const SessionPtr& session : released) {
        auto published = publishing_.find(session->handle());
        if (published != publishing_.end() && published->second == broadcast_id) {
            publishing_.erase(published);
            by_publisher_.erase(session->handle());
        }
        auto watched = watching_.find(session->handle());
        if (watched != watching_.end() && watched->second == broadcast_id)
            watching_.erase(watched);
    }
    fanouts_.erase(fanout);
}

void Router::publisher_renegotiated(const Session& publisher) {
    std::unique_lock lock(mutex_);
    auto found = by_publisher_.find(publisher.handle());
    if (found != by_publisher_.end())
        found->second->update_publisher_lines(publisher.publisher_lines());
}

void Router::media_up(const janus_plugin_session* handle) {
    std::shared_lock lock(mutex_);
    auto watched = watching_.find(handle);
    if (watched == watching_.end())
        return;
    if (auto fanout = fanouts_.find(watched->second); fanout != fanouts_.end())
        fanout->second->viewer_connected();
}

void Router::forget(const janus_plugin_session* handle) {
    std::vector<SessionPtr> released;
    std::unique_lock lock(mutex_);
    if (auto published = publishing_.find(handle); published != publishing_.end()) {
        const std::string broadcast_id = published->second;
        publishing_.erase(published);
        by_publisher_.erase(handle);
        if (auto fanout = fanouts_.find(broadcast_id); fanout != fanouts_.end())
            released.push_back(fanout->second->set_publisher(nullptr));
        drop_if_empty(broadcast_id);
    }
    if (auto watched = watching_.find(handle); watched != watching_.end()) {
        const std::string broadcast_id = watched->second;
        watching_.erase(watched);
        if (auto fanout = fanouts_.find(broadcast_id); fanout != fanouts_.end())
            released.push_back(fanout->second->remove_viewer(handle));
        drop_if_empty(broadcast_id);
    }
}

void Router::clear() {
    std::vector<SessionPtr> released;
    std::unique_lock lock(mutex_);
    for (auto& [id, fanout] : fanouts_) {
        auto sessions = fanout->take_all();
        released.insert(released.end(), sessions.begin(), sessions.end());
    }
    fanouts_.clear();
    publishing_.clear();
    watching_.clear();
    by_publisher_.clear();
}

void Router::incoming_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet) {
    std::shared_lock lock(mutex_);
    auto found = by_publisher_.find(handle);
    if (found != by_publisher_.end())
        found->second->forward_rtp(packet);
}

void Router::incoming_rtcp(janus_plugin_session* handle, janus_plugin_rtcp* packet) {
    // Only viewers' feedback matters: the core answers NACKs from its own buffers and terminates
    // receiver reports; the publisher's RTCP is not forwarded to viewers.
    if (!packet->buffer || packet->length <= 0)
        return;
    const RtcpFeedback feedback = read_rtcp_feedback(reinterpret_cast<const std::uint8_t*>(packet->buffer),
                                                     static_cast<std::size_t>(packet->length));
    if (!feedback.keyframe_request && feedback.estimate_bps == 0 && feedback.worst_fraction_lost < 0)
        return;
    std::shared_lock lock(mutex_);
    auto watched = watching_.find(handle);
    if (watched == watching_.end())
        return;
    if (auto fanout = fanouts_.find(watched->second); fanout != fanouts_.end())
        fanout->second->viewer_feedback(handle, packet->video, feedback, janus_get_monotonic_time());
}

std::size_t Router::broadcast_count() const {
    std::shared_lock lock(mutex_);
    return fanouts_.size();
}

JsonPtr Router::describe(const janus_plugin_session* handle) const {
    std::shared_lock lock(mutex_);
    JsonPtr media;
    if (auto published = publishing_.find(handle); published != publishing_.end()) {
        if (auto fanout = fanouts_.find(published->second); fanout != fanouts_.end()) {
            media = json_take(json_object());
            fanout->second->describe_publisher(media.get());
        }
    } else if (auto watched = watching_.find(handle); watched != watching_.end()) {
        if (auto fanout = fanouts_.find(watched->second); fanout != fanouts_.end()) {
            media = json_take(json_object());
            fanout->second->describe_viewer(handle, media.get());
        }
    }
    return media;
}

}  // namespace onair::media
