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

// Checks the jsep against what the request expects: an offer with `publish`, an answer with
// `start` (both may come without one: the Hub decides whether that is allowed), nothing with
// anything else.
Status check_jsep_presence(const Request& request, const std::optional<Jsep>& jsep) {
    const bool publish = std::holds_alternative<PublishRequest>(request);
    const bool start = std::holds_alternative<StartRequest>(request);
    if (!publish && !start) {
        if (jsep)
            return fail(ErrorCode::WrongState,
                        std::string("No jsep allowed with '") + request_name(request) + "'");
        return Ok{};
    }
    if (!jsep)
        return Ok{};
    const char* expected = publish ? "offer" : "answer";
    if (jsep->type != expected)
        return fail(ErrorCode::InvalidSdp,
                    std::string("Invalid SDP: '") + request_name(request) + "' needs an SDP " + expected);
    if (jsep->sdp.empty())
        return fail(ErrorCode::InvalidSdp, "Invalid SDP: empty");
    return Ok{};
}

}  // namespace

void Plugin::process(Message& message) {
    Session& session = *message.session;
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
    Session& session = *message.session;
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
    // Acceptance comes first: before it, any SDP for `start` is out of place, whatever its type.
    if (is_start) {
        if (Status accepted = hub_->may_start(session.id(), jsep.has_value()); !accepted.ok()) {
            refuse(accepted.error());
            return;
        }
    } else if (is_publish) {
        if (Status allowed = hub_->may_publish(session.id(), jsep.has_value()); !allowed.ok()) {
            refuse(allowed.error());
            return;
        }
    }
    if (Status allowed = check_jsep_presence(request, jsep); !allowed.ok()) {
        refuse(allowed.error());
        return;
    }

    // SDP is checked (and the broadcaster's answer written) before the Hub hears of the request,
    // so a refused SDP changes no state.
    std::optional<NegotiatedSdp> publisher_answer;
    if (is_publish && jsep) {
        Result<NegotiatedSdp> answer =
            answer_publisher_offer(jsep->sdp, session.audio_wanted(), session.next_sdp_version(),
                                   json_object_get(message.jsep.get(), "simulcast"));
        if (!answer) {
            refuse(answer.error());
            return;
        }
        publisher_answer = std::move(answer.value());
    } else if (is_start && jsep) {
        if (Status valid = check_viewer_answer(jsep->sdp, session.viewer_lines()); !valid.ok()) {
            refuse(valid.error());
            return;
        }
    }

    Result<Reply> reply = hub_->handle_request(session.id(), request, now());
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
