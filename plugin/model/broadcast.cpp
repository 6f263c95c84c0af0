// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/broadcast.h"

#include <algorithm>
#include <set>

#include "model/events.h"

namespace onair {

const char* to_string(BroadcastState state) {
    switch (state) {
        case BroadcastState::Registered:
            return "registered";
        case BroadcastState::Live:
            return "live";
        case BroadcastState::Interrupted:
            return "interrupted";
    }
    return "registered";
}

const char* to_string(ViewerStage stage) {
    switch (stage) {
        case ViewerStage::Pending:
            return "pending";
        case ViewerStage::Accepted:
            return "accepted";
        case ViewerStage::Watching:
            return "watching";
        case ViewerStage::Held:
            return "held";
    }
    return "pending";
}

int Broadcast::count(ViewerStage stage) const {
    return static_cast<int>(std::count_if(sessions.begin(), sessions.end(), [stage](const auto& entry) {
        return entry.second.stage == stage;
    }));
}

bool Broadcast::has_pending_from(const std::string& viewer_user) const {
    return std::any_of(sessions.begin(), sessions.end(), [&viewer_user](const auto& entry) {
        return entry.second.stage == ViewerStage::Pending && entry.second.user == viewer_user;
    });
}

HandleId Broadcast::prompt_handle(const std::string& request_id) const {
    for (const auto& [handle, session] : sessions) {
        if (session.stage == ViewerStage::Pending && session.request_id == request_id) {
            return handle;
        }
    }
    return 0;
}

bool Broadcast::admits_other_than(const std::string& viewer_user) const {
    return std::any_of(sessions.begin(), sessions.end(), [&viewer_user](const auto& entry) {
        return entry.second.admitted() && entry.second.user != viewer_user;
    });
}

int Broadcast::users_other_than(const std::string& viewer_user) const {
    std::set<std::string> users;
    for (const auto& [handle, session] : sessions) {
        if (session.user != viewer_user) {
            users.insert(session.user);
        }
    }
    return static_cast<int>(users.size());
}

bool Broadcast::has_session_of(const std::string& viewer_user) const {
    return std::any_of(sessions.begin(), sessions.end(),
                       [&viewer_user](const auto& entry) { return entry.second.user == viewer_user; });
}

Status ViewerSession::may_start(bool with_answer) const {
    const bool relayed = !direct || switching;
    if (!relayed && with_answer) {
        return fail(ErrorCode::WrongState, "Not allowed: a direct (peer-to-peer) viewer starts without jsep");
    }
    if (relayed && !with_answer) {
        return fail(ErrorCode::MissingElement, "Missing mandatory element (jsep)");
    }
    return Ok{};
}

std::vector<HandleId> Broadcast::granted_handles_of(const std::string& viewer_user) const {
    std::vector<HandleId> handles;
    for (const auto& [handle, session] : sessions) {
        if (session.user == viewer_user && session.stage != ViewerStage::Pending) {
            handles.push_back(handle);
        }
    }
    return handles;
}

std::vector<HandleId> Broadcast::held() const {
    std::vector<HandleId> handles;
    for (const auto& [handle, session] : sessions) {
        if (session.stage == ViewerStage::Held) {
            handles.push_back(handle);
        }
    }
    return handles;
}

std::vector<HandleId> Broadcast::unstarted(std::int64_t now, std::int64_t timeout) const {
    std::vector<HandleId> handles;
    if (state != BroadcastState::Live) {
        return handles;  // a viewer cannot bring media up while the broadcaster is away
    }
    for (const auto& [handle, session] : sessions) {
        if (session.stage == ViewerStage::Accepted && session.since + timeout <= now) {
            handles.push_back(handle);
        }
    }
    return handles;
}

MediaPath Broadcast::path_for(const std::string& viewer_user) const {
    if (relayed()) {
        return MediaPath::Relay;
    }
    if (!admits_other_than(viewer_user)) {
        return MediaPath::Direct;
    }
    return media == MediaMode::P2p ? MediaPath::Full : MediaPath::RelayNeeded;
}

Status Broadcast::may_publish(bool with_offer) const {
    if (with_offer && media == MediaMode::P2p) {
        return fail(ErrorCode::WrongState,
                    "Not allowed: a peer-to-peer broadcast sends no media to the "
                    "server (publish without jsep)");
    }
    if (with_offer && !relayed()) {
        return fail(ErrorCode::WrongState, "Not allowed: publish to the relay only after relay_needed");
    }
    if (!with_offer && relayed()) {
        return fail(ErrorCode::MissingElement, "Missing mandatory element (jsep)");
    }
    return Ok{};
}

void Broadcast::await_media(std::int64_t until) {
    deadline = until;
    deadline_reason = "publish_timeout";
}

BroadcastState Broadcast::go_live() {
    const BroadcastState before = state;
    state = BroadcastState::Live;
    deadline = 0;
    deadline_reason.clear();
    return before;
}

void Broadcast::interrupt(std::int64_t until, Effects& effects) {
    state = BroadcastState::Interrupted;
    deadline = until;
    deadline_reason = "hangup_timeout";
    relay_up = false;
    notify_viewers(EventName::Interrupted, effects);
    effects.media.emplace_back(RouterSetPublisher{record.broadcast_id, 0});
}

void Broadcast::move_to_relay(Effects& effects) {
    record.relay = true;
    if (broadcaster != 0) {
        effects.notify(broadcaster, Event(EventName::RelayNeeded).take());
    }
}

void Broadcast::end(const std::string& reason, bool notify_broadcaster, Effects& effects) const {
    for (const auto& [viewer, session] : sessions) {
        if (!session.admitted()) {
            effects.notify(viewer, Event(EventName::Declined)
                                       .text("request_id", session.request_id)
                                       .text("reason", "ended")
                                       .take());
            continue;
        }
        if (!session.peer.empty()) {
            effects.notify(viewer, bye_event(session.peer));
        }
        effects.notify(viewer, Event(EventName::Ended).text("reason", reason).take());
        effects.media.emplace_back(ClosePeerConnection{viewer});
    }
    if (broadcaster != 0) {
        if (notify_broadcaster) {
            effects.notify(broadcaster, Event(EventName::Ended).text("reason", reason).take());
        }
        effects.media.emplace_back(ClosePeerConnection{broadcaster});
    }
    effects.media.emplace_back(RouterEnd{record.broadcast_id});
}

void Broadcast::notify_viewers(EventName event, Effects& effects) const {
    for (const auto& [viewer, session] : sessions) {
        if (session.admitted()) {
            effects.notify(viewer, Event(event).take());
        }
    }
}

JsonPtr viewer_json(const ViewerSession& session) {
    return JsonObject()
        .text("user", session.user)
        .text("name", session.name)
        .flag("name_verified", session.name_verified)
        .take();
}

JsonPtr Broadcast::viewers_json() const {
    JsonPtr list(json_array());
    std::set<std::string> listed;
    for (const auto& [handle, session] : sessions) {
        if (session.admitted() && listed.insert(session.user).second) {
            json_array_append_new(list.get(), viewer_json(session).release());
        }
    }
    return list;
}

JsonPtr Broadcast::granted_json() const {
    JsonPtr list(json_array());
    for (const auto& [user, name] : grants) {
        json_array_append_new(list.get(), json_stringn(user.data(), user.size()));
    }
    return list;
}

}  // namespace onair
