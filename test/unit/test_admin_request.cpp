// SPDX-License-Identifier: GPL-3.0-or-later
// read_admin_request: every Admin API request read into its typed value, and each refusal with the
// code and text docs/protocol.md gives, in the order the members are checked.
#include <CUnit/CUnit.h>

#include <string>

#include "core/admin_request.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr const char* kUserIdText = "must be 1-64 characters without control, bidi or zero-width characters";
constexpr const char* kSiteKeyText = "must be 1-64 characters of A-Z a-z 0-9 _ . -";

// The sites the reader checks `site` and `key` against: "demo" only.
SiteRegistry demo_sites() {
    SiteRegistry sites;
    CU_ASSERT_FATAL(sites.put(demo_site()).ok());
    return sites;
}

Result<AdminRequest> read(const std::string& text) {
    JsonPtr request = parse_json(text);
    return read_admin_request(request.get(), demo_sites());
}

// The request read as a `Typed` (the test stops otherwise, printing the error).
template <typename Typed>
Typed expect_read(const std::string& text) {
    Result<AdminRequest> read_request = read(text);
    if (!read_request) {
        std::fprintf(stderr, "\n  %s: %s\n", text.c_str(), read_request.error().message.c_str());
    }
    CU_ASSERT_FATAL(read_request.ok());
    const auto* typed = std::get_if<Typed>(&read_request.value());
    CU_ASSERT_FATAL(typed != nullptr);
    return *typed;
}

void expect_refusal(const std::string& text, ErrorCode code, const std::string& message) {
    Result<AdminRequest> read_request = read(text);
    CU_ASSERT_FATAL(!read_request.ok());
    CU_ASSERT_EQUAL(static_cast<int>(read_request.error().code), static_cast<int>(code));
    CU_ASSERT_EQUAL(read_request.error().message, message);
    if (read_request.error().message != message) {
        std::fprintf(stderr, "\n  %s: got '%s'\n", text.c_str(), read_request.error().message.c_str());
    }
}

void reads_site_requests() {
    (void)expect_read<ListSites>(R"({"request":"list_sites"})");

    AddSite added = expect_read<AddSite>(
        R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789","identity":"open",)"
        R"("media":"auto","audio":false,"simulcast":true,"p2p_relay_only":false,)"
        R"("callback_url":"https://billing.example/onair","max_broadcasts":3,"max_viewers":1000000})");
    CU_ASSERT_EQUAL(added.key, "shop");
    CU_ASSERT_EQUAL(added.secret, std::optional<std::string>("shop-secret-0123456789"));
    CU_ASSERT_EQUAL(added.options.identity, std::optional(IdentityMode::Open));
    CU_ASSERT_EQUAL(added.options.media, std::optional(MediaMode::Auto));
    CU_ASSERT_EQUAL(added.options.audio, std::optional(false));
    CU_ASSERT_EQUAL(added.options.simulcast, std::optional(true));
    CU_ASSERT_EQUAL(added.options.p2p_relay_only, std::optional(false));
    CU_ASSERT_EQUAL(added.options.callback_url, std::optional<std::string>("https://billing.example/onair"));
    CU_ASSERT_EQUAL(added.options.max_broadcasts, std::optional(3));
    CU_ASSERT_EQUAL(added.options.max_viewers, std::optional(1000000));

    // An update of a configured site may leave everything out (null is left out too): it keeps it all.
    AddSite update = expect_read<AddSite>(R"({"request":"add_site","key":"demo","identity":null})");
    CU_ASSERT_FALSE(update.secret.has_value());
    CU_ASSERT_FALSE(update.options.identity.has_value());
    CU_ASSERT_FALSE(update.options.media.has_value());
    CU_ASSERT_FALSE(update.options.audio.has_value());
    CU_ASSERT_FALSE(update.options.callback_url.has_value());
    CU_ASSERT_FALSE(update.options.max_viewers.has_value());
    // "" is a callback_url: none.
    CU_ASSERT_EQUAL(
        expect_read<AddSite>(R"({"request":"add_site","key":"demo","callback_url":""})").options.callback_url,
        std::optional<std::string>(""));

    CU_ASSERT_EQUAL(expect_read<RemoveSite>(R"({"request":"remove_site","key":"demo"})").key, "demo");
}

void reads_broadcast_requests() {
    CU_ASSERT_FALSE(expect_read<ListBroadcasts>(R"({"request":"list_broadcasts"})").site.has_value());
    CU_ASSERT_EQUAL(expect_read<ListBroadcasts>(R"({"request":"list_broadcasts","site":"demo"})").site,
                    std::optional<std::string>("demo"));
    ListViewers viewers = expect_read<ListViewers>(R"({"request":"list_viewers","site":"demo","user":"42"})");
    CU_ASSERT_EQUAL(viewers.broadcast.site, "demo");
    CU_ASSERT_EQUAL(viewers.broadcast.user, "42");
    StopBroadcast stop =
        expect_read<StopBroadcast>(R"({"request":"stop_broadcast","site":"demo","user":"Анна"})");
    CU_ASSERT_EQUAL(stop.broadcast.user, "Анна");
    RemoveViewer remove =
        expect_read<RemoveViewer>(R"({"request":"remove_viewer","site":"demo","user":"42","viewer":"17"})");
    CU_ASSERT_EQUAL(remove.broadcast.site, "demo");
    CU_ASSERT_EQUAL(remove.broadcast.user, "42");
    CU_ASSERT_EQUAL(remove.viewer, "17");
}

void reads_billing_requests() {
    ListOutbox all = expect_read<ListOutbox>(R"({"request":"list_outbox"})");
    CU_ASSERT_FALSE(all.site.has_value());
    CU_ASSERT_FALSE(all.state.has_value());
    CU_ASSERT_EQUAL(all.limit, 100);
    ListOutbox parked =
        expect_read<ListOutbox>(R"({"request":"list_outbox","site":"demo","state":"parked","limit":1000})");
    CU_ASSERT_EQUAL(parked.site, std::optional<std::string>("demo"));
    CU_ASSERT_EQUAL(parked.state, std::optional(OutboxState::Parked));
    CU_ASSERT_EQUAL(parked.limit, 1000);

    RetryOutbox by_id = expect_read<RetryOutbox>(R"({"request":"retry_outbox","id":"evt_1"})");
    CU_ASSERT_EQUAL(by_id.id, std::optional<std::string>("evt_1"));
    CU_ASSERT_FALSE(by_id.site.has_value());
    RetryOutbox by_site = expect_read<RetryOutbox>(R"({"request":"retry_outbox","site":"demo"})");
    CU_ASSERT_FALSE(by_site.id.has_value());
    CU_ASSERT_EQUAL(by_site.site, std::optional<std::string>("demo"));

    UsageQuery usage =
        expect_read<UsageQuery>(R"({"request":"usage","site":"demo","from":"2026-01-01","to":"2026-01-31"})");
    CU_ASSERT_EQUAL(usage.site, "demo");
    CU_ASSERT_EQUAL(usage.from, "2026-01-01");
    CU_ASSERT_EQUAL(usage.to, "2026-01-31");
}

void refuses_what_is_not_a_request() {
    Result<AdminRequest> none = read_admin_request(nullptr, demo_sites());
    CU_ASSERT_FATAL(!none.ok());
    CU_ASSERT_EQUAL(none.error().code, ErrorCode::NoMessage);
    CU_ASSERT_EQUAL(none.error().message, "No message");
    expect_refusal("[1]", ErrorCode::InvalidJson, "Invalid JSON: the request must be an object");
    expect_refusal("{}", ErrorCode::MissingElement, "Missing element: request");
    expect_refusal(R"({"request":7})", ErrorCode::InvalidElement,
                   "Invalid element: request must be a string");
    expect_refusal(R"({"request":"reboot"})", ErrorCode::UnknownRequest, "Unknown request 'reboot'");
    // A plugin request is not an Admin API request.
    expect_refusal(R"({"request":"watch"})", ErrorCode::UnknownRequest, "Unknown request 'watch'");
}

void refuses_bad_site_fields() {
    const std::string add = R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789",)";
    expect_refusal(R"({"request":"add_site","secret":"shop-secret-0123456789"})", ErrorCode::MissingElement,
                   "Missing element: key");
    expect_refusal(R"({"request":"add_site","key":"sh op"})", ErrorCode::InvalidElement,
                   std::string("Invalid element: key ") + kSiteKeyText);
    expect_refusal(R"({"request":"add_site","key":"shop"})", ErrorCode::MissingElement,
                   "Missing element: secret");
    expect_refusal(R"({"request":"add_site","key":"demo","secret":5})", ErrorCode::InvalidElement,
                   "Invalid element: secret must be a string");
    expect_refusal(add + R"("identity":"maybe"})", ErrorCode::InvalidElement,
                   "Invalid element: identity must be 'signed' or 'open'");
    expect_refusal(add + R"("media":"mesh"})", ErrorCode::InvalidElement,
                   "Invalid element: media must be 'sfu', 'p2p' or 'auto'");
    for (const char* flag : {"audio", "simulcast", "p2p_relay_only"}) {
        expect_refusal(add + "\"" + flag + R"(":"yes"})", ErrorCode::InvalidElement,
                       std::string("Invalid element: ") + flag + " must be true or false");
    }
    expect_refusal(add + R"("callback_url":"ftp://billing.example"})", ErrorCode::InvalidElement,
                   "Invalid element: callback_url must be an http:// or https:// URL (or empty for none)");
    for (const char* limit : {"max_broadcasts", "max_viewers"}) {
        for (const char* value : {"0", "1000001", "2.5", R"("3")"}) {
            expect_refusal(add + "\"" + limit + "\":" + value + "}", ErrorCode::InvalidElement,
                           std::string("Invalid element: ") + limit + " must be an integer from 1");
        }
    }
    expect_refusal(R"({"request":"remove_site"})", ErrorCode::MissingElement, "Missing element: key");
    expect_refusal(R"({"request":"remove_site","key":"shop"})", ErrorCode::UnknownSite,
                   "Unknown site 'shop'");
}

void refuses_bad_broadcast_fields() {
    expect_refusal(R"({"request":"list_broadcasts","site":""})", ErrorCode::InvalidElement,
                   std::string("Invalid element: site ") + kSiteKeyText);
    expect_refusal(R"({"request":"list_broadcasts","site":"shop"})", ErrorCode::UnknownSite,
                   "Unknown site 'shop'");
    for (const char* request : {"list_viewers", "stop_broadcast"}) {
        const std::string start = std::string(R"({"request":")") + request + "\"";
        expect_refusal(start + R"(,"user":"42"})", ErrorCode::MissingElement, "Missing element: site");
        expect_refusal(start + R"(,"site":"demo"})", ErrorCode::MissingElement, "Missing element: user");
        expect_refusal(start + R"(,"site":"demo","user":"4\u200B2"})", ErrorCode::InvalidElement,
                       std::string("Invalid element: user ") + kUserIdText);
        expect_refusal(start + R"(,"site":"shop","user":"42"})", ErrorCode::UnknownSite,
                       "Unknown site 'shop'");
    }
    expect_refusal(R"({"request":"remove_viewer","site":"demo","user":"42"})", ErrorCode::MissingElement,
                   "Missing element: viewer");
    expect_refusal(R"({"request":"remove_viewer","site":"demo","user":"42","viewer":"1\u202E7"})",
                   ErrorCode::InvalidElement, std::string("Invalid element: viewer ") + kUserIdText);
}

void refuses_bad_billing_fields() {
    expect_refusal(R"({"request":"list_outbox","site":"shop"})", ErrorCode::UnknownSite,
                   "Unknown site 'shop'");
    expect_refusal(R"({"request":"list_outbox","state":"lost"})", ErrorCode::InvalidElement,
                   "Invalid element: state must be 'pending', 'parked' or 'delivered'");
    for (const char* limit : {"0", "1001", R"("5")"}) {
        expect_refusal(std::string(R"({"request":"list_outbox","limit":)") + limit + "}",
                       ErrorCode::InvalidElement, "Invalid element: limit must be an integer 1-1000");
    }
    expect_refusal(R"({"request":"retry_outbox"})", ErrorCode::MissingElement, "Missing element: id or site");
    expect_refusal(R"({"request":"retry_outbox","id":7})", ErrorCode::InvalidElement,
                   "Invalid element: id must be a string");
    expect_refusal(R"({"request":"retry_outbox","site":"shop"})", ErrorCode::UnknownSite,
                   "Unknown site 'shop'");
    expect_refusal(R"({"request":"usage","from":"2026-01-01","to":"2026-01-31"})", ErrorCode::MissingElement,
                   "Missing element: site");
    expect_refusal(R"({"request":"usage","site":"shop","from":"2026-01-01","to":"2026-01-31"})",
                   ErrorCode::UnknownSite, "Unknown site 'shop'");
    expect_refusal(R"({"request":"usage","site":"demo","to":"2026-01-31"})", ErrorCode::MissingElement,
                   "Missing element: from");
    expect_refusal(R"({"request":"usage","site":"demo","from":"2026-01-01","to":31})",
                   ErrorCode::InvalidElement, "Invalid element: to must be a string");
}

// The first member that fails is the answer, in the order docs/protocol.md lists them; an unknown
// site is refused before the members after it are looked at.
void checks_members_in_order() {
    expect_refusal(R"({"request":"add_site","key":"shop","identity":"maybe"})", ErrorCode::MissingElement,
                   "Missing element: secret");
    expect_refusal(R"({"request":"add_site","key":"demo","identity":"maybe"})", ErrorCode::InvalidElement,
                   "Invalid element: identity must be 'signed' or 'open'");
    expect_refusal(R"({"request":"stop_broadcast","site":"shop"})", ErrorCode::UnknownSite,
                   "Unknown site 'shop'");
    expect_refusal(R"({"request":"remove_viewer","site":"shop","user":"42"})", ErrorCode::MissingElement,
                   "Missing element: viewer");
    expect_refusal(R"({"request":"remove_viewer","site":"shop","user":"42","viewer":"17"})",
                   ErrorCode::UnknownSite, "Unknown site 'shop'");
    expect_refusal(R"({"request":"list_outbox","site":"shop","state":"lost"})", ErrorCode::UnknownSite,
                   "Unknown site 'shop'");
    expect_refusal(R"({"request":"retry_outbox","id":7,"site":"shop"})", ErrorCode::InvalidElement,
                   "Invalid element: id must be a string");
    expect_refusal(R"({"request":"usage","site":"shop"})", ErrorCode::UnknownSite, "Unknown site 'shop'");
}

CU_TestInfo tests[] = {
    {"reads site requests", reads_site_requests},
    {"reads broadcast requests", reads_broadcast_requests},
    {"reads billing requests", reads_billing_requests},
    {"refuses what is not a request", refuses_what_is_not_a_request},
    {"refuses bad site fields", refuses_bad_site_fields},
    {"refuses bad broadcast fields", refuses_bad_broadcast_fields},
    {"refuses bad billing fields", refuses_bad_billing_fields},
    {"checks members in order", checks_members_in_order},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_admin_request_tests() { return add_suite("admin request", tests); }
