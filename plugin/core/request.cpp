// SPDX-License-Identifier: GPL-3.0-or-later
#include "request.h"

#include <cstring>

#include "fields.h"

namespace onair {

namespace {

constexpr std::size_t kMaxBodyBytes = 16 * 1024;
constexpr std::int64_t kMaxPresenceUsers = 200;
constexpr std::int64_t kMaxHeartbeatPeers = 200;
constexpr std::size_t kMaxCandidateLength = 1024;

// The members of each request (docs/protocol.md), in the order they are checked.
constexpr Field kRequest[] = {{"request", FieldType::Text, Presence::Required}};
constexpr Field kCredentials[] = {{"site", FieldType::SiteKey, Presence::Required},
                                  {"user", FieldType::UserId, Presence::Required},
                                  {"name", FieldType::DisplayName},
                                  {"token", FieldType::Token}};
constexpr Field kWatch[] = {{"target", FieldType::UserId, Presence::Required}};
constexpr Field kAnswer[] = {{"request_id", FieldType::RequestId, Presence::Required},
                             {"accept", FieldType::Boolean, Presence::Required}};
constexpr Field kKick[] = {{"viewer", FieldType::UserId, Presence::Required}};
constexpr Field kPresence[] = {
    {"site", FieldType::SiteKey, Presence::Required},
    {"users", FieldType::UserIds, Presence::Required, 0, kMaxPresenceUsers, "presence users"}};
constexpr Field kHeartbeat[] = {
    {"peers", FieldType::PeerIds, Presence::Optional, 0, kMaxHeartbeatPeers, "heartbeat peers"}};
constexpr Field kUsage[] = {{"site", FieldType::SiteKey, Presence::Required},
                            {"token", FieldType::Token, Presence::Required},
                            {"from", FieldType::Text, Presence::Required},
                            {"to", FieldType::Text, Presence::Required}};
constexpr Field kSignal[] = {{"peer", FieldType::PeerId, Presence::Required}};

Result<Credentials> credentials(const json_t* body) {
    Result<Fields> fields = Fields::read(body, kCredentials);
    if (!fields) {
        return fields.error();
    }
    const Fields& who = fields.value();
    return Credentials{who.text("site"), who.text("user"), who.text("name"), who.text("token")};
}

Result<Request> parse_broadcast(const json_t* body) {
    Result<Credentials> who = credentials(body);
    if (!who) {
        return who.error();
    }
    return Request{BroadcastRequest{std::move(who.value())}};
}

Result<Request> parse_watch(const json_t* body) {
    Result<Credentials> who = credentials(body);
    if (!who) {
        return who.error();
    }
    Result<Fields> fields = Fields::read(body, kWatch);
    if (!fields) {
        return fields.error();
    }
    return Request{WatchRequest{std::move(who.value()), fields.value().text("target")}};
}

Result<Request> parse_answer(const json_t* body) {
    Result<Fields> fields = Fields::read(body, kAnswer);
    if (!fields) {
        return fields.error();
    }
    return Request{AnswerRequest{fields.value().text("request_id"), fields.value().flag("accept")}};
}

Result<Request> parse_kick(const json_t* body) {
    Result<Fields> fields = Fields::read(body, kKick);
    if (!fields) {
        return fields.error();
    }
    return Request{KickRequest{fields.value().text("viewer")}};
}

Result<Request> parse_presence(const json_t* body) {
    Result<Fields> fields = Fields::read(body, kPresence);
    if (!fields) {
        return fields.error();
    }
    return Request{PresenceRequest{fields.value().text("site"), fields.value().list("users")}};
}

Result<Request> parse_heartbeat(const json_t* body) {
    Result<Fields> fields = Fields::read(body, kHeartbeat);
    if (!fields) {
        return fields.error();
    }
    return Request{HeartbeatRequest{fields.value().list("peers")}};
}

Result<Request> parse_usage(const json_t* body) {
    Result<Fields> fields = Fields::read(body, kUsage);
    if (!fields) {
        return fields.error();
    }
    const Fields& usage = fields.value();
    return Request{
        UsageRequest{usage.text("site"), usage.text("token"), usage.text("from"), usage.text("to")}};
}

// {type: "offer"|"answer", sdp: "…"}: the kind it is and a copy of it.
Result<SignalKind> signal_sdp(const json_t* sdp) {
    if (!json_is_object(sdp)) {
        return invalid_element("sdp", "must be an object {type, sdp}");
    }
    const char* type = json_string_value(json_object_get(sdp, "type"));
    const json_t* text = json_object_get(sdp, "sdp");
    if (!json_is_string(text) || json_string_length(text) == 0) {
        return invalid_element("sdp", "must carry a non-empty sdp string");
    }
    if (type != nullptr && std::strcmp(type, "offer") == 0) {
        return SignalKind::Offer;
    }
    if (type != nullptr && std::strcmp(type, "answer") == 0) {
        return SignalKind::Answer;
    }
    return invalid_element("sdp", "type must be 'offer' or 'answer'");
}

// {candidate, sdpMid, sdpMLineIndex} as a browser's RTCIceCandidate.toJSON() gives it, or null.
Status signal_candidate(const json_t* candidate) {
    if (json_is_null(candidate)) {
        return Ok{};  // end of candidates
    }
    if (!json_is_object(candidate)) {
        return invalid_element("candidate", "must be an object {candidate, sdpMid, sdpMLineIndex} or null");
    }
    const json_t* text = json_object_get(candidate, "candidate");
    if (!json_is_string(text)) {
        return invalid_element("candidate", "must carry a candidate string");
    }
    if (json_string_length(text) > kMaxCandidateLength) {
        return fail(ErrorCode::TooLarge, "Request too large: a candidate is at most 1024 characters");
    }
    const json_t* mid = json_object_get(candidate, "sdpMid");
    if (mid != nullptr && !json_is_null(mid) && !json_is_string(mid)) {
        return invalid_element("candidate", "sdpMid must be a string or null");
    }
    const json_t* index = json_object_get(candidate, "sdpMLineIndex");
    if (index != nullptr && !json_is_null(index) && !json_is_integer(index)) {
        return invalid_element("candidate", "sdpMLineIndex must be an integer or null");
    }
    return Ok{};
}

Result<Request> parse_signal(const json_t* body) {
    Result<Fields> fields = Fields::read(body, kSignal);
    if (!fields) {
        return fields.error();
    }
    const char* const kinds[] = {"sdp", "candidate", "restart", "bye"};  // NOLINT(*-avoid-c-arrays)
    const char* present = nullptr;
    for (const char* kind : kinds) {
        if (json_object_get(body, kind) != nullptr) {
            if (present != nullptr) {
                return invalid_element(kind, "cannot come with another of sdp, candidate, restart, bye");
            }
            present = kind;
        }
    }
    if (present == nullptr) {
        return missing_element("sdp, candidate, restart or bye");
    }
    json_t* value = json_object_get(body, present);
    SignalRequest request{fields.value().text("peer"), SignalKind::Candidate, json_share(value)};
    if (std::strcmp(present, "sdp") == 0) {
        Result<SignalKind> kind = signal_sdp(value);
        if (!kind) {
            return kind.error();
        }
        request.kind = kind.value();
    } else if (std::strcmp(present, "candidate") == 0) {
        if (Status valid = signal_candidate(value); !valid) {
            return valid.error();
        }
    } else {
        if (!json_is_true(value)) {
            return invalid_element(present, "must be true");
        }
        request.kind = std::strcmp(present, "restart") == 0 ? SignalKind::Restart : SignalKind::Bye;
    }
    return Request{std::move(request)};
}

}  // namespace

Result<Request> parse_request(const json_t* body) {
    if (body == nullptr) {
        return fail(ErrorCode::NoMessage, "No message");
    }
    if (!json_is_object(body)) {
        return fail(ErrorCode::InvalidJson, "Invalid JSON: the body must be an object");
    }
    // json_dumpb with no buffer returns the size the compact serialization needs.
    if (json_dumpb(body, nullptr, 0, JSON_COMPACT) > kMaxBodyBytes) {
        return fail(ErrorCode::TooLarge, "Request too large: over 16 KiB of JSON");
    }
    Result<Fields> name = Fields::read(body, kRequest);
    if (!name) {
        return name.error();
    }
    const std::string& request = name.value().text("request");
    if (request == "broadcast") {
        return parse_broadcast(body);
    }
    if (request == "publish") {
        return Request{PublishRequest{}};
    }
    if (request == "answer") {
        return parse_answer(body);
    }
    if (request == "kick") {
        return parse_kick(body);
    }
    if (request == "stop") {
        return Request{StopRequest{}};
    }
    if (request == "watch") {
        return parse_watch(body);
    }
    if (request == "start") {
        return Request{StartRequest{}};
    }
    if (request == "leave") {
        return Request{LeaveRequest{}};
    }
    if (request == "presence") {
        return parse_presence(body);
    }
    if (request == "heartbeat") {
        return parse_heartbeat(body);
    }
    if (request == "usage") {
        return parse_usage(body);
    }
    if (request == "signal") {
        return parse_signal(body);
    }
    if (request == "ice_restart") {
        return Request{IceRestartRequest{}};
    }
    return fail(ErrorCode::UnknownRequest, "Unknown request '" + request + "'");
}

const char* request_name(const Request& request) {
    struct Namer {
        const char* operator()(const BroadcastRequest& /*unused*/) const { return "broadcast"; }
        const char* operator()(const PublishRequest& /*unused*/) const { return "publish"; }
        const char* operator()(const AnswerRequest& /*unused*/) const { return "answer"; }
        const char* operator()(const KickRequest& /*unused*/) const { return "kick"; }
        const char* operator()(const StopRequest& /*unused*/) const { return "stop"; }
        const char* operator()(const WatchRequest& /*unused*/) const { return "watch"; }
        const char* operator()(const StartRequest& /*unused*/) const { return "start"; }
        const char* operator()(const LeaveRequest& /*unused*/) const { return "leave"; }
        const char* operator()(const PresenceRequest& /*unused*/) const { return "presence"; }
        const char* operator()(const HeartbeatRequest& /*unused*/) const { return "heartbeat"; }
        const char* operator()(const UsageRequest& /*unused*/) const { return "usage"; }
        const char* operator()(const SignalRequest& /*unused*/) const { return "signal"; }
        const char* operator()(const IceRestartRequest& /*unused*/) const { return "ice_restart"; }
    };
    return std::visit(Namer{}, request);
}

}  // namespace onair
