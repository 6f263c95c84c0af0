// SPDX-License-Identifier: GPL-3.0-or-later
// The handler thread's work: one queued plugin message in, exactly one event out on its transaction.
#include <cinttypes>
#include <optional>
#include <type_traits>

#include "janus/json_event.h"
#include "janus/plugin.h"
#include "janus/sdp.h"

namespace onair::janus {
namespace {

// The jsep that came with a message, if any.
struct Jsep {
    std::string type;
    std::string sdp;
};

std::optional<Jsep> read_jsep(const json_t* jsep) {
    if (!jsep)
        return std::nullopt;
    const char* type = json_string_value(json_object_get(jsep, "type"));
    const char* sdp = json_string_value(json_object_get(jsep, "sdp"));
    return Jsep{type ? type : "", sdp ? sdp : ""};
}

// Only `publish` and `start` come with a jsep.
Status check_no_jsep(const Request& request, const std::optional<Jsep>& jsep) {
    if (jsep)
        return fail(ErrorCode::WrongState,
                    std::string("No jsep allowed with '") + request_name(request) + "'");
    return Ok{};
}

// The jsep of `publish` must be an offer, that of `start` an answer (both may come without one: the
// Hub has decided whether that is allowed).
Status check_media_jsep(bool is_publish, const Request& request, const std::optional<Jsep>& jsep) {
    if (!jsep)
        return Ok{};
    const char* expected = is_publish ? "offer" : "answer";
    if (jsep->type != expected)
        return fail(ErrorCode::InvalidSdp,
                    std::string("Invalid SDP: '") + request_name(request) + "' needs an SDP " + expected);
    if (jsep->sdp.empty())
        return fail(ErrorCode::InvalidSdp, "Invalid SDP: empty");
    return Ok{};
}

}  // namespace

void Plugin::process(Message& message) {
    media::Session& session = *message.session;
    if (session.destroyed())
        return;
    Result<Request> request = parse_request(message.body.get());
    if (!request) {
        push_error(session, message.transaction, request.error());
        return;
    }
    // Whether `publish` and `start` carry SDP decides their meaning (relay or direct media).
    if (auto* publish = std::get_if<PublishRequest>(&request.value()))
        publish->offer = message.jsep != nullptr;
    else if (auto* start = std::get_if<StartRequest>(&request.value()))
        start->answer = message.jsep != nullptr;
    process_request(message, request.value());
}

void Plugin::process_request(Message& message, const Request& request) {
    media::Session& session = *message.session;
    const std::optional<Jsep> jsep = read_jsep(message.jsep.get());
    // The core has already applied any jsep it forwarded to us (an ICE agent exists for an offer), so
    // refusing the first one also drops that half-made PeerConnection: the client can then retry on
    // the same handle. A PeerConnection negotiated before is left alone (a refused renegotiation or a
    // stray jsep keeps the media), except a viewer's: its PeerConnection is only wanted after `start`.
    const bool negotiated = session.publisher_lines().has_video() || session.media_up();
    const bool is_start = std::holds_alternative<StartRequest>(request);
    const bool is_publish = std::holds_alternative<PublishRequest>(request);
    auto refuse = [&](const Error& error) {
        push_error(session, message.transaction, error);
        if (jsep && (is_start || !negotiated) && !session.destroyed())
            gateway_->close_pc(session.handle());
    };
    if (!is_publish && !is_start) {
        if (Status allowed = check_no_jsep(request, jsep); !allowed.ok()) {
            refuse(allowed.error());
            return;
        }
    }

    // The SDP of `publish` and `start` is checked (and the broadcaster's answer written) by the Hub
    // once the handle may send the request, and before anything changes: acceptance comes first
    // (before it, any SDP for `start` is out of place, whatever its type), and a refused SDP changes
    // no state. It runs under the Hub's lock, so it reads nothing that takes a lock: the session's
    // values are read before.
    const bool audio_wanted = session.audio_wanted();
    const media::MediaLines viewer_lines = session.viewer_lines();
    const json_t* simulcast = json_object_get(message.jsep.get(), "simulcast");
    std::optional<NegotiatedSdp> publisher_answer;
    auto check_sdp = [&]() -> Status {
        if (Status allowed = check_media_jsep(is_publish, request, jsep); !allowed.ok() || !jsep)
            return allowed;
        if (is_start)
            return check_viewer_answer(jsep->sdp, viewer_lines);
        Result<NegotiatedSdp> answer =
            answer_publisher_offer(jsep->sdp, audio_wanted, session.next_sdp_version(), simulcast);
        if (!answer)
            return answer.error();
        publisher_answer = std::move(answer.value());
        return Ok{};
    };

    Result<Reply> reply = hub_->handle_request(session.id(), request, now(), check_sdp);
    if (!reply) {
        JANUS_LOG(LOG_VERB, "OnAir: handle %" PRIu64 " '%s' refused: %d %s\n", session.id(),
                  request_name(request), static_cast<int>(reply.error().code), reply.error().message.c_str());
        refuse(reply.error());
        return;
    }
    Reply& done = reply.value();

    if (const auto* broadcast = std::get_if<BroadcastRequest>(&request)) {
        session.note_identity("broadcaster", broadcast->who.site, broadcast->who.user, "");
        if (done.registered)
            session.note_broadcast(done.registered->broadcast_id, done.registered->audio);
    } else if (const auto* watch = std::get_if<WatchRequest>(&request)) {
        session.note_identity("viewer", watch->who.site, watch->who.user, watch->target);
    } else if (const auto* presence = std::get_if<PresenceRequest>(&request)) {
        if (session.info().role.empty())
            session.note_identity("presence", presence->site, "", "");
    }

    if (publisher_answer) {
        session.set_publisher_lines(publisher_answer->lines);
        JsonPtr answer = make_jsep("answer", publisher_answer->sdp);
        push_result(session, message.transaction, std::move(done.event), answer.get());
        router_.publisher_renegotiated(session);
    } else {
        push_result(session, message.transaction, std::move(done.event));
    }
    carry_out(std::move(done.effects));
}

}  // namespace onair::janus
