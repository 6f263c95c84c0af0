// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/broadcast.h"

#include <algorithm>
#include <set>

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

HandleId Broadcast::granted_handle_of(const std::string& viewer_user) const {
    for (const auto& [handle, session] : sessions) {
        if (session.stage != ViewerStage::Pending && session.user == viewer_user) {
            return handle;
        }
    }
    return 0;
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
