// SPDX-License-Identifier: GPL-3.0-or-later
#include "request.h"

#include <cstring>
#include <optional>
#include <string_view>

#include "ids.h"
#include "text.h"

namespace onair {

namespace {

constexpr std::size_t kMaxBodyBytes = 16 * 1024;
constexpr std::size_t kMaxPresenceUsers = 200;
constexpr std::size_t kMaxHeartbeatPeers = 200;
constexpr std::size_t kMaxTokenLength = 4096;
constexpr std::size_t kMaxCandidateLength = 1024;

Error missing(const char* field) {
    return fail(ErrorCode::MissingElement, std::string("Missing element: ") + field);
}

Error invalid(const char* field, const char* why) {
    return fail(ErrorCode::InvalidElement, std::string("Invalid element: ") + field + " " + why);
}

// A mandatory or optional string member. An absent optional member reads as "".
Result<std::string> string_field(const json_t* body, const char* field, bool mandatory) {
    const json_t* value = json_object_get(body, field);
    if (value == nullptr || json_is_null(value)) {
        if (mandatory) {
            return missing(field);
        }
        return std::string();
    }
    if (!json_is_string(value)) {
        return invalid(field, "must be a string");
    }
    return std::string(json_string_value(value), json_string_length(value));
}

Result<std::string> site_field(const json_t* body) {
    Result<std::string> site = string_field(body, "site", true);
    if (site && !is_site_key(site.value())) {
        return invalid("site", "must be 1-64 characters of A-Z a-z 0-9 _ . -");
    }
    return site;
}

Result<std::string> user_field(const json_t* body, const char* field) {
    Result<std::string> user = string_field(body, field, true);
    if (user && !is_user_id(user.value())) {
        return invalid(field, "must be 1-64 characters without control, bidi or zero-width characters");
    }
    return user;
}

Result<Credentials> credentials(const json_t* body) {
    Result<std::string> site = site_field(body);
    if (!site) {
        return site.error();
    }
    Result<std::string> user = user_field(body, "user");
    if (!user) {
        return user.error();
    }
    Result<std::string> name = string_field(body, "name", false);
    if (!name) {
        return name.error();
    }
    Result<std::string> token = string_field(body, "token", false);
    if (!token) {
        return token.error();
    }
    if (token.value().size() > kMaxTokenLength) {
        return invalid("token", "must be at most 4096 characters");
    }
    // A name is shown to others: what could disguise it or the text around it goes, rather than
    // refusing a page whose name carries a stray mark.
    return Credentials{std::move(site.value()), std::move(user.value()), display_name(name.value()),
                       std::move(token.value())};
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
    Result<std::string> target = user_field(body, "target");
    if (!target) {
        return target.error();
    }
    return Request{WatchRequest{std::move(who.value()), std::move(target.value())}};
}

Result<Request> parse_answer(const json_t* body) {
    Result<std::string> request_id = string_field(body, "request_id", true);
    if (!request_id) {
        return request_id.error();
    }
    if (!is_request_id(request_id.value())) {
        return invalid("request_id", "is not a request id");
    }
    const json_t* accept = json_object_get(body, "accept");
    if (accept == nullptr || json_is_null(accept)) {
        return missing("accept");
    }
    if (!json_is_boolean(accept)) {
        return invalid("accept", "must be true or false");
    }
    return Request{AnswerRequest{std::move(request_id.value()), json_is_true(accept)}};
}

Result<Request> parse_kick(const json_t* body) {
    Result<std::string> viewer = user_field(body, "viewer");
    if (!viewer) {
        return viewer.error();
    }
    return Request{KickRequest{std::move(viewer.value())}};
}

Result<Request> parse_presence(const json_t* body) {
    Result<std::string> site = site_field(body);
    if (!site) {
        return site.error();
    }
    const json_t* users = json_object_get(body, "users");
    if (users == nullptr || json_is_null(users)) {
        return missing("users");
    }
    if (!json_is_array(users)) {
        return invalid("users", "must be an array of user ids");
    }
    if (json_array_size(users) > kMaxPresenceUsers) {
        return fail(ErrorCode::TooLarge, "Request too large: at most 200 presence users");
    }
    PresenceRequest request{std::move(site.value()), {}};
    request.users.reserve(json_array_size(users));
    std::size_t index = 0;
    const json_t* user = nullptr;
    json_array_foreach(users, index, user) {
        if (!json_is_string(user) ||
            !is_user_id(std::string_view(json_string_value(user), json_string_length(user)))) {
            return invalid("users",
                           "must hold user ids of 1-64 characters without control, bidi or "
                           "zero-width characters");
        }
        request.users.emplace_back(json_string_value(user), json_string_length(user));
    }
    return Request{std::move(request)};
}

Result<Request> parse_heartbeat(const json_t* body) {
    const json_t* peers = json_object_get(body, "peers");
    HeartbeatRequest request;
    if (peers == nullptr || json_is_null(peers)) {  // optional, as every optional member
        return Request{std::move(request)};
    }
    if (!json_is_array(peers)) {
        return invalid("peers", "must be an array of peer ids");
    }
    if (json_array_size(peers) > kMaxHeartbeatPeers) {
        return fail(ErrorCode::TooLarge, "Request too large: at most 200 heartbeat peers");
    }
    std::size_t index = 0;
    const json_t* peer = nullptr;
    json_array_foreach(peers, index, peer) {
        if (!json_is_string(peer) ||
            !is_peer_id(std::string_view(json_string_value(peer), json_string_length(peer)))) {
            return invalid("peers", "must hold peer ids (p- and 32 hex digits)");
        }
        request.peers.emplace_back(json_string_value(peer), json_string_length(peer));
    }
    return Request{std::move(request)};
}

Result<Request> parse_usage(const json_t* body) {
    Result<std::string> site = site_field(body);
    if (!site) {
        return site.error();
    }
    Result<std::string> token = string_field(body, "token", true);
    if (!token) {
        return token.error();
    }
    if (token.value().size() > kMaxTokenLength) {
        return invalid("token", "must be at most 4096 characters");
    }
    UsageRequest request{std::move(site.value()), std::move(token.value()), {}, {}};
    for (auto [field, out] : {std::pair{"from", &request.from}, std::pair{"to", &request.to}}) {
        Result<std::string> day = string_field(body, field, true);
        if (!day) {
            return day.error();
        }
        *out = std::move(day.value());
    }
    return Request{std::move(request)};
}

// {type: "offer"|"answer", sdp: "…"}: the kind it is and a copy of it.
Result<SignalKind> signal_sdp(const json_t* sdp) {
    if (!json_is_object(sdp)) {
        return invalid("sdp", "must be an object {type, sdp}");
    }
    const char* type = json_string_value(json_object_get(sdp, "type"));
    const json_t* text = json_object_get(sdp, "sdp");
    if (!json_is_string(text) || json_string_length(text) == 0) {
        return invalid("sdp", "must carry a non-empty sdp string");
    }
    if (type != nullptr && std::strcmp(type, "offer") == 0) {
        return SignalKind::Offer;
    }
    if (type != nullptr && std::strcmp(type, "answer") == 0) {
        return SignalKind::Answer;
    }
    return invalid("sdp", "type must be 'offer' or 'answer'");
}

// {candidate, sdpMid, sdpMLineIndex} as a browser's RTCIceCandidate.toJSON() gives it, or null.
Status signal_candidate(const json_t* candidate) {
    if (json_is_null(candidate)) {
        return Ok{};  // end of candidates
    }
    if (!json_is_object(candidate)) {
        return invalid("candidate", "must be an object {candidate, sdpMid, sdpMLineIndex} or null");
    }
    const json_t* text = json_object_get(candidate, "candidate");
    if (!json_is_string(text)) {
        return invalid("candidate", "must carry a candidate string");
    }
    if (json_string_length(text) > kMaxCandidateLength) {
        return fail(ErrorCode::TooLarge, "Request too large: a candidate is at most 1024 characters");
    }
    const json_t* mid = json_object_get(candidate, "sdpMid");
    if (mid != nullptr && !json_is_null(mid) && !json_is_string(mid)) {
        return invalid("candidate", "sdpMid must be a string or null");
    }
    const json_t* index = json_object_get(candidate, "sdpMLineIndex");
    if (index != nullptr && !json_is_null(index) && !json_is_integer(index)) {
        return invalid("candidate", "sdpMLineIndex must be an integer or null");
    }
    return Ok{};
}

Result<Request> parse_signal(const json_t* body) {
    Result<std::string> peer = string_field(body, "peer", true);
    if (!peer) {
        return peer.error();
    }
    if (!is_peer_id(peer.value())) {
        return invalid("peer", "is not a peer id");
    }
    const char* const kinds[] = {"sdp", "candidate", "restart", "bye"};  // NOLINT(*-avoid-c-arrays)
    const char* present = nullptr;
    for (const char* kind : kinds) {
        if (json_object_get(body, kind) != nullptr) {
            if (present != nullptr) {
                return invalid(kind, "cannot come with another of sdp, candidate, restart, bye");
            }
            present = kind;
        }
    }
    if (present == nullptr) {
        return missing("sdp, candidate, restart or bye");
    }
    json_t* value = json_object_get(body, present);
    SignalRequest request{std::move(peer.value()), SignalKind::Candidate, json_share(value)};
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
            return invalid(present, "must be true");
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
    Result<std::string> name = string_field(body, "request", true);
    if (!name) {
        return name.error();
    }
    const std::string& request = name.value();
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
