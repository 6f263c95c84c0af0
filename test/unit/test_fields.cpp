// SPDX-License-Identifier: GPL-3.0-or-later
// Fields: the request reader of plugin requests and the Admin API. Each type refuses what it must
// with the code and text docs/protocol.md gives.
#include <CUnit/CUnit.h>

#include <string>

#include "core/fields.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr const char* kUserIdText = "1-64 characters without control, bidi or zero-width characters";
constexpr const char* kModes[] = {"sfu", "p2p", "auto"};  // NOLINT(*-avoid-c-arrays)
constexpr Field kTable[] = {
    {"site", FieldType::SiteKey, Presence::Required},
    {"user", FieldType::UserId},
    {"name", FieldType::DisplayName},
    {"token", FieldType::Token},
    {"text", FieldType::Text},
    {"request_id", FieldType::RequestId},
    {"peer", FieldType::PeerId},
    {"callback_url", FieldType::CallbackUrl},
    {"media", FieldType::Choice, Presence::Optional, 0, 0, nullptr, kModes},
    {"accept", FieldType::Boolean},
    {"limit", FieldType::Integer, Presence::Optional, 1, 1000, "must be an integer 1-1000"},
    {"users", FieldType::UserIds, Presence::Optional, 0, 3, "presence users"},
    {"peers", FieldType::PeerIds, Presence::Optional, 0, 2, "heartbeat peers"},
};

const std::string kPeer = "p-0123456789abcdef0123456789abcdef";

// Reads {"site":"demo", <members>} against kTable.
Result<Fields> read(const std::string& members) {
    JsonPtr object = parse_json(R"({"site":"demo")" + (members.empty() ? "" : "," + members) + "}");
    return Fields::read(object.get(), kTable);
}

void expect_refusal(const std::string& members, ErrorCode code, const std::string& text) {
    Result<Fields> fields = read(members);
    CU_ASSERT_FATAL(!fields.ok());
    CU_ASSERT_EQUAL(static_cast<int>(fields.error().code), static_cast<int>(code));
    CU_ASSERT_EQUAL(fields.error().message, text);
    if (fields.error().message != text) {
        std::fprintf(stderr, "\n  %s: got '%s'\n", members.c_str(), fields.error().message.c_str());
    }
}

void reads_every_type() {
    Result<Fields> fields = read(
        R"("user":"Анна","name":"Anna\u202E","token":"t","text":"","request_id":"r-0123456789abcdef0123456789abcdef",)"
        R"("peer":")" +
        kPeer +
        R"(","callback_url":"","media":"p2p","accept":false,"limit":1000,"users":["42","43"],)"
        R"("peers":[])");
    CU_ASSERT_FATAL(fields.ok());
    const Fields& read_fields = fields.value();
    CU_ASSERT_EQUAL(read_fields.text("site"), "demo");
    CU_ASSERT_EQUAL(read_fields.text("user"), "Анна");
    CU_ASSERT_EQUAL(read_fields.text("name"), "Anna");  // cleaned, not refused
    CU_ASSERT_TRUE(read_fields.has("text"));
    CU_ASSERT_EQUAL(read_fields.text("text"), "");
    CU_ASSERT_EQUAL(read_fields.text("peer"), kPeer);
    CU_ASSERT_EQUAL(read_fields.text("media"), "p2p");
    CU_ASSERT_TRUE(read_fields.has("accept"));
    CU_ASSERT_FALSE(read_fields.flag("accept"));
    CU_ASSERT_EQUAL(read_fields.integer("limit"), 1000);
    CU_ASSERT_EQUAL(read_fields.list("users"), (std::vector<std::string>{"42", "43"}));
    CU_ASSERT_TRUE(read_fields.has("peers"));
    CU_ASSERT_TRUE(read_fields.list("peers").empty());
}

void absent_or_null_is_not_given() {
    Result<Fields> fields = read(R"("user":null,"accept":null,"limit":null,"users":null)");
    CU_ASSERT_FATAL(fields.ok());
    for (const char* name : {"user", "name", "accept", "limit", "users", "peers"}) {
        CU_ASSERT_FALSE(fields.value().has(name));
    }
    CU_ASSERT_EQUAL(fields.value().text("user"), "");
    CU_ASSERT_FALSE(fields.value().flag("accept"));
    CU_ASSERT_EQUAL(fields.value().integer("limit"), 0);
    CU_ASSERT_TRUE(fields.value().list("users").empty());
}

void missing_required_is_543() {
    JsonPtr object = parse_json(R"({"user":"42"})");
    Result<Fields> fields = Fields::read(object.get(), kTable);
    CU_ASSERT_FATAL(!fields.ok());
    CU_ASSERT_EQUAL(fields.error().code, ErrorCode::MissingElement);
    CU_ASSERT_EQUAL(fields.error().message, "Missing element: site");
    object = parse_json(R"({"site":null})");
    CU_ASSERT_EQUAL(Fields::read(object.get(), kTable).error().message, "Missing element: site");
}

void wrong_types_are_544() {
    for (const char* name :
         {"user", "name", "token", "text", "request_id", "peer", "callback_url", "media"}) {
        expect_refusal(std::string("\"") + name + "\":42", ErrorCode::InvalidElement,
                       std::string("Invalid element: ") + name + " must be a string");
    }
    expect_refusal(R"("accept":"true")", ErrorCode::InvalidElement,
                   "Invalid element: accept must be true or false");
    expect_refusal(R"("limit":"5")", ErrorCode::InvalidElement,
                   "Invalid element: limit must be an integer 1-1000");
    expect_refusal(R"("limit":5.0)", ErrorCode::InvalidElement,
                   "Invalid element: limit must be an integer 1-1000");
    expect_refusal(R"("users":"42")", ErrorCode::InvalidElement,
                   "Invalid element: users must be an array of user ids");
    expect_refusal(R"("peers":{})", ErrorCode::InvalidElement,
                   "Invalid element: peers must be an array of peer ids");
}

void bad_forms_are_544() {
    expect_refusal(R"("site":"no such site")", ErrorCode::InvalidElement,
                   "Invalid element: site must be 1-64 characters of A-Z a-z 0-9 _ . -");
    expect_refusal(R"("site":"")", ErrorCode::InvalidElement,
                   "Invalid element: site must be 1-64 characters of A-Z a-z 0-9 _ . -");
    for (const char* user : {R"("")", R"("4\u202E2")", R"("4\u200B2")", R"("4\u00852")", R"("4\u00072")"}) {
        expect_refusal(std::string(R"("user":)") + user, ErrorCode::InvalidElement,
                       std::string("Invalid element: user must be ") + kUserIdText);
    }
    expect_refusal(R"("request_id":"r-1")", ErrorCode::InvalidElement,
                   "Invalid element: request_id is not a request id");
    expect_refusal(R"("peer":"p-1")", ErrorCode::InvalidElement, "Invalid element: peer is not a peer id");
    expect_refusal(R"("callback_url":"ftp://billing.example")", ErrorCode::InvalidElement,
                   "Invalid element: callback_url must be an http:// or https:// URL (or empty for none)");
    expect_refusal(R"("media":"SFU")", ErrorCode::InvalidElement,
                   "Invalid element: media must be 'sfu', 'p2p' or 'auto'");
    expect_refusal(R"("users":["42",""])", ErrorCode::InvalidElement,
                   std::string("Invalid element: users must hold user ids of ") + kUserIdText);
    expect_refusal(R"("users":["42",7])", ErrorCode::InvalidElement,
                   std::string("Invalid element: users must hold user ids of ") + kUserIdText);
    expect_refusal(R"("peers":["w-0123456789abcdef0123456789abcdef"])", ErrorCode::InvalidElement,
                   "Invalid element: peers must hold peer ids (p- and 32 hex digits)");
}

void too_long_and_too_many() {
    CU_ASSERT(
        read(R"("user":")" + std::string(64, 'u') + R"(","token":")" + std::string(4096, 't') + "\"").ok());
    expect_refusal(R"("user":")" + std::string(65, 'u') + "\"", ErrorCode::InvalidElement,
                   std::string("Invalid element: user must be ") + kUserIdText);
    expect_refusal(R"("token":")" + std::string(4097, 't') + "\"", ErrorCode::InvalidElement,
                   "Invalid element: token must be at most 4096 characters");
    expect_refusal(R"("users":["1","2","3","4"])", ErrorCode::TooLarge,
                   "Request too large: at most 3 presence users");
    expect_refusal(R"("peers":[")" + kPeer + R"(",")" + kPeer + R"(",")" + kPeer + "\"]", ErrorCode::TooLarge,
                   "Request too large: at most 2 heartbeat peers");
    // A long name is cut, never refused.
    Result<Fields> named = read(R"("name":")" + std::string(200, 'n') + "\"");
    CU_ASSERT_FATAL(named.ok());
    CU_ASSERT_EQUAL(named.value().text("name"), std::string(128, 'n'));
}

void integers_out_of_range_are_544() {
    for (const char* limit : {"0", "-1", "1001", "-9223372036854775808"}) {
        expect_refusal(std::string(R"("limit":)") + limit, ErrorCode::InvalidElement,
                       "Invalid element: limit must be an integer 1-1000");
    }
    CU_ASSERT_EQUAL(read(R"("limit":1)").value().integer("limit"), 1);
}

void the_first_failing_row_answers() {
    // Rows are checked in table order, whatever order the members came in.
    expect_refusal(R"("limit":0,"user":"")", ErrorCode::InvalidElement,
                   std::string("Invalid element: user must be ") + kUserIdText);
    JsonPtr object = parse_json(R"({"limit":0})");
    CU_ASSERT_EQUAL(Fields::read(object.get(), kTable).error().code, ErrorCode::MissingElement);
}

CU_TestInfo tests[] = {
    {"reads every type", reads_every_type},
    {"absent or null is not given", absent_or_null_is_not_given},
    {"543 missing required member", missing_required_is_543},
    {"544 wrong types", wrong_types_are_544},
    {"544 bad forms", bad_forms_are_544},
    {"544 too long, 553 too many", too_long_and_too_many},
    {"544 integers out of range", integers_out_of_range_are_544},
    {"the first failing row answers", the_first_failing_row_answers},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_fields_tests() { return add_suite("request fields", tests); }
