// SPDX-License-Identifier: GPL-3.0-or-later
// parse_request: every request type and every error code it gives.
#include <CUnit/CUnit.h>

#include <cstring>

#include "base/text.h"
#include "core/request.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

Result<Request> parse(const std::string& text) {
    JsonPtr body = parse_json(text);
    return parse_request(body.get());
}

// Asserts the error code and that the message names `mention`.
void expect_error(const std::string& text, ErrorCode code, const char* mention) {
    Result<Request> parsed = parse(text);
    CU_ASSERT_FATAL(!parsed.ok());
    CU_ASSERT_EQUAL(static_cast<int>(parsed.error().code), static_cast<int>(code));
    if (std::strstr(parsed.error().message.c_str(), mention) == nullptr) {
        CU_FAIL("error message does not name the element");
        std::fprintf(stderr, "\n  '%s' does not mention '%s'\n", parsed.error().message.c_str(), mention);
    }
}

const std::string kToken = "eyJhbGciOiJIUzI1NiJ9.e30.sig";

void parses_broadcast() {
    Result<Request> parsed = parse(
        R"({"request":"broadcast","site":"demo","user":"42","name":"Анна","token":")" + kToken + R"("})");
    CU_ASSERT_FATAL(parsed.ok());
    const auto* request = std::get_if<BroadcastRequest>(&parsed.value());
    CU_ASSERT_FATAL(request != nullptr);
    CU_ASSERT_EQUAL(request->who.site, "demo");
    CU_ASSERT_EQUAL(request->who.user, "42");
    CU_ASSERT_EQUAL(request->who.name, "Анна");
    CU_ASSERT_EQUAL(request->who.token, kToken);
    CU_ASSERT_STRING_EQUAL(request_name(parsed.value()), "broadcast");
}

void parses_watch_and_optional_fields() {
    Result<Request> parsed = parse(R"({"request":"watch","site":"demo","user":"17","target":"42"})");
    CU_ASSERT_FATAL(parsed.ok());
    const auto* request = std::get_if<WatchRequest>(&parsed.value());
    CU_ASSERT_FATAL(request != nullptr);
    CU_ASSERT_EQUAL(request->target, "42");
    CU_ASSERT(request->who.name.empty());
    CU_ASSERT(request->who.token.empty());
}

void parses_the_simple_requests() {
    for (const char* name : {"publish", "stop", "start", "leave"}) {
        Result<Request> parsed = parse(std::string(R"({"request":")") + name + R"("})");
        CU_ASSERT_FATAL(parsed.ok());
        CU_ASSERT_STRING_EQUAL(request_name(parsed.value()), name);
    }
}

void parses_answer_kick_presence() {
    Result<Request> answer =
        parse(R"({"request":"answer","request_id":"r-0123456789abcdef0123456789abcdef","accept":false})");
    CU_ASSERT_FATAL(answer.ok());
    const auto* answered = std::get_if<AnswerRequest>(&answer.value());
    CU_ASSERT_FATAL(answered != nullptr);
    CU_ASSERT_FALSE(answered->accept);

    Result<Request> kick = parse(R"({"request":"kick","viewer":"17"})");
    CU_ASSERT_FATAL(kick.ok());
    CU_ASSERT_EQUAL(std::get<KickRequest>(kick.value()).viewer, "17");

    Result<Request> presence = parse(R"({"request":"presence","site":"demo","users":["42","43"]})");
    CU_ASSERT_FATAL(presence.ok());
    CU_ASSERT_EQUAL(std::get<PresenceRequest>(presence.value()).users.size(), 2U);
}

void no_message_is_540() {
    Result<Request> parsed = parse_request(nullptr);
    CU_ASSERT_FATAL(!parsed.ok());
    CU_ASSERT_EQUAL(parsed.error().code, ErrorCode::NoMessage);
}

void non_object_is_541() {
    expect_error(R"(["broadcast"])", ErrorCode::InvalidJson, "object");
    expect_error(R"("broadcast")", ErrorCode::InvalidJson, "object");
}

void unknown_request_is_542() { expect_error(R"({"request":"dance"})", ErrorCode::UnknownRequest, "dance"); }

void missing_elements_are_543() {
    expect_error(R"({})", ErrorCode::MissingElement, "request");
    expect_error(R"({"request":"broadcast","user":"42"})", ErrorCode::MissingElement, "site");
    expect_error(R"({"request":"broadcast","site":"demo"})", ErrorCode::MissingElement, "user");
    expect_error(R"({"request":"watch","site":"demo","user":"17"})", ErrorCode::MissingElement, "target");
    expect_error(R"({"request":"answer","accept":true})", ErrorCode::MissingElement, "request_id");
    expect_error(R"({"request":"answer","request_id":"r-0123456789abcdef0123456789abcdef"})",
                 ErrorCode::MissingElement, "accept");
    expect_error(R"({"request":"kick"})", ErrorCode::MissingElement, "viewer");
    expect_error(R"({"request":"presence","site":"demo"})", ErrorCode::MissingElement, "users");
}

void invalid_elements_are_544() {
    expect_error(R"({"request":42})", ErrorCode::InvalidElement, "request");
    expect_error(R"({"request":"broadcast","site":"de mo","user":"42"})", ErrorCode::InvalidElement, "site");
    expect_error(R"({"request":"broadcast","site":7,"user":"42"})", ErrorCode::InvalidElement, "site");
    expect_error(R"({"request":"broadcast","site":"demo","user":""})", ErrorCode::InvalidElement, "user");
    expect_error(R"({"request":"broadcast","site":"demo","user":"a\u0001b"})", ErrorCode::InvalidElement,
                 "user");
    expect_error(R"({"request":"broadcast","site":"demo","user":")" + std::string(65, 'u') + R"("})",
                 ErrorCode::InvalidElement, "user");
    expect_error(R"({"request":"broadcast","site":"demo","user":42})", ErrorCode::InvalidElement, "user");
    expect_error(
        R"({"request":"broadcast","site":"demo","user":"42","token":")" + std::string(4097, 't') + R"("})",
        ErrorCode::InvalidElement, "token");
    expect_error(R"({"request":"broadcast","site":"demo","user":"42","token":true})",
                 ErrorCode::InvalidElement, "token");
    expect_error(R"({"request":"watch","site":"demo","user":"17","target":""})", ErrorCode::InvalidElement,
                 "target");
    expect_error(R"({"request":"answer","request_id":"r-123","accept":true})", ErrorCode::InvalidElement,
                 "request_id");
    expect_error(R"({"request":"answer","request_id":"b-0123456789abcdef0123456789abcdef","accept":true})",
                 ErrorCode::InvalidElement, "request_id");
    expect_error(R"({"request":"answer","request_id":"r-0123456789abcdef0123456789abcdef","accept":"yes"})",
                 ErrorCode::InvalidElement, "accept");
    expect_error(R"({"request":"kick","viewer":7})", ErrorCode::InvalidElement, "viewer");
    expect_error(R"({"request":"presence","site":"demo","users":"42"})", ErrorCode::InvalidElement, "users");
    expect_error(R"({"request":"presence","site":"demo","users":["42",43]})", ErrorCode::InvalidElement,
                 "users");
}

void user_ids_with_hidden_characters_are_544() {
    // Each would let one id pose as another in the broadcaster's prompt or the Admin API.
    for (const char* id : {"4\\u202E2", "4\\u200B2", "42\\u200F", "\\uFEFF42", "4\\u00852", "4\\u061C2",
                           "4\\u20662", "4\\u20602", "4\\u007F2"}) {
        expect_error(std::string(R"({"request":"broadcast","site":"demo","user":")") + id + R"("})",
                     ErrorCode::InvalidElement, "bidi");
        expect_error(std::string(R"({"request":"watch","site":"demo","user":"17","target":")") + id + R"("})",
                     ErrorCode::InvalidElement, "target");
        expect_error(std::string(R"({"request":"kick","viewer":")") + id + R"("})", ErrorCode::InvalidElement,
                     "viewer");
        expect_error(std::string(R"({"request":"presence","site":"demo","users":["42",")") + id + R"("]})",
                     ErrorCode::InvalidElement, "users");
    }
    // Visible non-ASCII ids stay valid.
    CU_ASSERT(parse(R"({"request":"broadcast","site":"demo","user":"Анна-42 ☺"})").ok());
}

void names_are_cleaned_not_refused() {
    Result<Request> parsed =
        parse(R"({"request":"watch","site":"demo","user":"17","target":"42",)"
              R"("name":"Anna's mother\u202E\u2066 \u200Bevil\u0085\nline\u0007\uFEFF\u061C\u200E"})");
    CU_ASSERT_FATAL(parsed.ok());
    CU_ASSERT_EQUAL(std::get<WatchRequest>(parsed.value()).who.name, "Anna's mother evilline");

    parsed = parse(R"({"request":"broadcast","site":"demo","user":"42","name":")" + std::string(200, 'n') +
                   R"("})");
    CU_ASSERT_FATAL(parsed.ok());
    CU_ASSERT_EQUAL(std::get<BroadcastRequest>(parsed.value()).who.name, std::string(128, 'n'));
}

void display_name_cuts_at_code_points() {
    // 127 ASCII letters then multi-byte characters: the cut falls after the 128th code point, never
    // inside one, and hidden characters do not count.
    std::string text = std::string(127, 'a') + "\u200D" + "я" + "😀";
    const std::string name = display_name(text);
    CU_ASSERT_EQUAL(name, std::string(127, 'a') + "я");
    CU_ASSERT_EQUAL(
        utf8_length(display_name(std::string(60, 'b') + std::string(100, '\x01') + std::string(100, 'c'))),
        128U);
    CU_ASSERT_EQUAL(display_name("😀\u202Eя"), "😀я");
    // Bytes that are not UTF-8 (a truncated sequence, a stray continuation byte) are dropped.
    CU_ASSERT_EQUAL(display_name(std::string("ok\xD0!\x80?")), "ok!?");
    CU_ASSERT_EQUAL(display_name(std::string("end\xF0\x9F")), "end");
    CU_ASSERT_EQUAL(display_name(""), "");
    CU_ASSERT_FALSE(has_hidden_chars("Анна ☺ 😀"));
    CU_ASSERT_TRUE(has_hidden_chars("\u2069"));
    CU_ASSERT_TRUE(has_hidden_chars("\u009F"));
}

void limits_at_the_edge_pass() {
    // 64-character user ids and 128-character names count characters, not bytes.
    const std::string cyrillic_name = [] {
        std::string name;
        for (int i = 0; i < 128; ++i) {
            name += "я";
        }
        return name;
    }();
    Result<Request> parsed =
        parse(R"({"request":"broadcast","site":"demo","user":")" + std::string(64, 'u') + R"(","name":")" +
              cyrillic_name + R"(","token":")" + std::string(4096, 't') + R"("})");
    CU_ASSERT(parsed.ok());
}

void too_large_is_553() {
    expect_error(R"({"request":"broadcast","site":"demo","user":"42","padding":")" +
                     std::string(17 * 1024, 'p') + R"("})",
                 ErrorCode::TooLarge, "16 KiB");
    std::string users;
    for (int i = 0; i < 201; ++i) {
        users += (i == 0 ? "\"" : ",\"") + std::to_string(i) + "\"";
    }
    expect_error(R"({"request":"presence","site":"demo","users":[)" + users + "]}", ErrorCode::TooLarge,
                 "200");
    // 200 ids are fine.
    users = users.substr(0, users.rfind(','));
    CU_ASSERT(parse(R"({"request":"presence","site":"demo","users":[)" + users + "]}").ok());
}

const std::string kPeer = "p-0123456789abcdef0123456789abcdef";

Result<Request> parse_signal(const std::string& fields) {
    return parse(R"({"request":"signal","peer":")" + kPeer + "\"" + (fields.empty() ? "" : "," + fields) +
                 "}");
}

void parses_signal_and_ice_restart() {
    struct Case {
        const char* fields;
        SignalKind kind;
    };
    for (const Case& c :
         {Case{R"("sdp":{"type":"offer","sdp":"v=0"})", SignalKind::Offer},
          Case{R"("sdp":{"type":"answer","sdp":"v=0"})", SignalKind::Answer},
          Case{R"("candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":0})",
               SignalKind::Candidate},
          Case{R"("candidate":null)", SignalKind::Candidate}, Case{R"("restart":true)", SignalKind::Restart},
          Case{R"("bye":true)", SignalKind::Bye}}) {
        Result<Request> parsed = parse_signal(c.fields);
        CU_ASSERT_FATAL(parsed.ok());
        const auto* signal = std::get_if<SignalRequest>(&parsed.value());
        CU_ASSERT_FATAL(signal != nullptr);
        CU_ASSERT_EQUAL(signal->peer, kPeer);
        CU_ASSERT(signal->kind == c.kind);
        CU_ASSERT_PTR_NOT_NULL(signal->payload.get());
    }
    Result<Request> restart = parse(R"({"request":"ice_restart"})");
    CU_ASSERT(restart.ok() && std::holds_alternative<IceRestartRequest>(restart.value()));
    CU_ASSERT_EQUAL(std::string(request_name(restart.value())), "ice_restart");
}

void signal_errors() {
    expect_error(R"({"request":"signal","bye":true})", ErrorCode::MissingElement, "peer");
    expect_error(R"({"request":"signal","peer":"r-0123456789abcdef0123456789abcdef","bye":true})",
                 ErrorCode::InvalidElement, "peer");
    CU_ASSERT_EQUAL(parse_signal("").error().code, ErrorCode::MissingElement);
    CU_ASSERT_EQUAL(parse_signal(R"("bye":true,"restart":true)").error().code, ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(parse_signal(R"("bye":false)").error().code, ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(parse_signal(R"("sdp":{"type":"pranswer","sdp":"v=0"})").error().code,
                    ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(parse_signal(R"("sdp":{"type":"offer","sdp":""})").error().code,
                    ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(parse_signal(R"("sdp":"v=0")").error().code, ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(parse_signal(R"("candidate":{"sdpMid":"0"})").error().code, ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(parse_signal(R"("candidate":{"candidate":"c","sdpMLineIndex":"0"})").error().code,
                    ErrorCode::InvalidElement);
    const std::string at_limit(1024, 'c');
    CU_ASSERT(parse_signal(R"("candidate":{"candidate":")" + at_limit + "\"}").ok());
    CU_ASSERT_EQUAL(parse_signal(R"("candidate":{"candidate":")" + at_limit + "c\"}").error().code,
                    ErrorCode::TooLarge);
}

CU_TestInfo tests[] = {
    {"broadcast", parses_broadcast},
    {"watch without optional fields", parses_watch_and_optional_fields},
    {"publish, stop, start, leave", parses_the_simple_requests},
    {"answer, kick, presence", parses_answer_kick_presence},
    {"540 no message", no_message_is_540},
    {"541 not an object", non_object_is_541},
    {"542 unknown request", unknown_request_is_542},
    {"543 missing elements", missing_elements_are_543},
    {"544 invalid elements", invalid_elements_are_544},
    {"544 user ids with hidden characters", user_ids_with_hidden_characters_are_544},
    {"names are cleaned, not refused", names_are_cleaned_not_refused},
    {"display_name cuts at code points", display_name_cuts_at_code_points},
    {"limits at the edge pass", limits_at_the_edge_pass},
    {"553 too large", too_large_is_553},
    {"signal and ice_restart", parses_signal_and_ice_restart},
    {"signal errors", signal_errors},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_request_tests() { return add_suite("request parsing", tests); }
