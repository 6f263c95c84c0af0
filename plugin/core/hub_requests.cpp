// SPDX-License-Identifier: GPL-3.0-or-later
// The plugin requests of docs/protocol.md: each to its handler (a broadcaster's in
// hub_broadcast.cpp, a viewer's in hub_viewer.cpp, direct signaling in pairing.cpp), and the
// handlers of presence, heartbeat and usage.
#include <variant>

#include "hub_state.h"
#include "model/events.h"

namespace onair {

Reply reply(PluginEvent event, Effects effects) { return Reply{std::move(event), std::move(effects)}; }

Error not_broadcasting(const char* request) {
    return fail(ErrorCode::WrongState,
                std::string("Not allowed: '") + request + "' needs a broadcast registered on this handle");
}

Result<Reply> HubState::handle_request(HandleId handle, const Request& request, std::int64_t now,
                                       const SdpCheck& check_sdp) {
    if (Status allowed = check_media_request(handle, request, check_sdp); !allowed) {
        return allowed.error();
    }
    // While the store holds back too much, nothing new starts; endings still go through (each
    // session and broadcast ends once, so what they add is bounded by what exists).
    const bool starts_something =
        std::holds_alternative<BroadcastRequest>(request) ||
        std::holds_alternative<PublishRequest>(request) || std::holds_alternative<WatchRequest>(request) ||
        std::holds_alternative<AnswerRequest>(request) || std::holds_alternative<StartRequest>(request);
    if (starts_something) {
        if (Status room = writes_.check_backlog(); !room) {
            return room.error();
        }
    }
    handles_.try_emplace(handle);
    if (const auto* r = std::get_if<BroadcastRequest>(&request)) {
        return on_broadcast(handle, *r, now);
    }
    if (const auto* r = std::get_if<PublishRequest>(&request)) {
        return on_publish(handle, *r, now);
    }
    if (const auto* r = std::get_if<AnswerRequest>(&request)) {
        return on_answer(handle, *r, now);
    }
    if (const auto* r = std::get_if<KickRequest>(&request)) {
        return on_kick(handle, *r, now);
    }
    if (std::holds_alternative<StopRequest>(request)) {
        return on_stop(handle, now);
    }
    if (const auto* r = std::get_if<WatchRequest>(&request)) {
        return on_watch(handle, *r, now);
    }
    if (std::holds_alternative<StartRequest>(request)) {
        return on_start(handle, now);
    }
    if (const auto* r = std::get_if<SignalRequest>(&request)) {
        return on_signal(handle, *r);
    }
    if (std::holds_alternative<IceRestartRequest>(request)) {
        return on_ice_restart(handle);
    }
    if (std::holds_alternative<LeaveRequest>(request)) {
        return on_leave(handle, now);
    }
    if (const auto* r = std::get_if<HeartbeatRequest>(&request)) {
        return on_heartbeat(handle, *r, now);
    }
    if (const auto* r = std::get_if<UsageRequest>(&request)) {
        return on_usage(*r, now);
    }
    return on_presence(handle, std::get<PresenceRequest>(request));
}

Status HubState::check_media_request(HandleId handle, const Request& request, const SdpCheck& check_sdp) {
    const auto* publish = std::get_if<PublishRequest>(&request);
    const auto* start = std::get_if<StartRequest>(&request);
    if (publish == nullptr && start == nullptr) {
        return Ok{};
    }
    Status allowed = Ok{};
    if (publish != nullptr) {
        const Broadcast* broadcast = broadcast_held_by(handle);
        allowed = broadcast == nullptr ? not_broadcasting("publish") : broadcast->may_publish(publish->offer);
    } else {
        Broadcast* broadcast = nullptr;
        const ViewerSession* session = accepted_session(handle, broadcast);
        allowed = session == nullptr
                      ? fail(ErrorCode::WrongState, "Not allowed: start needs an accepted watch request")
                      : session->may_start(start->answer);
    }
    if (!allowed) {
        return allowed;
    }
    return check_sdp ? check_sdp() : Status(Ok{});
}

// ---- direct signaling ----

Result<Reply> HubState::on_signal(HandleId handle, const SignalRequest& request) {
    Broadcast* held = broadcast_held_by(handle);
    Broadcast* broadcast = held != nullptr ? held : broadcasts_.find(handles_[handle].watching);
    Effects effects;
    Result<PluginEvent> signalled = pairing_.signal(broadcast, handle, held != nullptr, request, effects);
    if (!signalled) {
        return signalled.error();
    }
    return reply(std::move(signalled.value()), std::move(effects));
}

// ---- presence ----

Result<Reply> HubState::on_presence(HandleId handle, const PresenceRequest& request) {
    if (sites_.find(request.site) == nullptr) {
        return unknown_site(request.site);
    }
    presence_.subscribe(handle, request.site, request.users);
    JsonPtr users(json_object());
    for (const std::string& user : request.users) {
        json_object_set_new(users.get(), user.c_str(),
                            json_boolean(broadcasts_.is_visible(request.site, user)));
    }
    return reply(Event(EventName::Presence).object("users", std::move(users)).take());
}

// ---- billing ----

Result<Reply> HubState::on_heartbeat(HandleId handle, const HeartbeatRequest& request, std::int64_t now) {
    heartbeat_evidence(handle, request.peers, now);
    return reply(Event(EventName::Heartbeat).take());
}

Result<Reply> HubState::on_usage(const UsageRequest& request, std::int64_t now) {
    const Site* site = sites_.find(request.site);
    if (site == nullptr) {
        return unknown_site(request.site);
    }
    if (Status allowed = verify_usage_token(*site, request.token, wall_at(now)); !allowed) {
        return allowed.error();
    }
    Result<JsonPtr> usage = billing_.usage(request.site, request.from, request.to, now);
    if (!usage) {
        return usage.error();
    }
    return reply(Event(EventName::Usage)
                     .text("site", request.site)
                     .text("from", request.from)
                     .text("to", request.to)
                     .object("usage", std::move(usage.value()))
                     .take());
}

}  // namespace onair
