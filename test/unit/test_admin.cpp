// SPDX-License-Identifier: GPL-3.0-or-later
// Hub::admin, the Admin API of docs/protocol.md.
#include <CUnit/CUnit.h>

#include <cstring>

#include "core/request.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr HandleId kAnna = 1;
constexpr HandleId kBoris = 3;
constexpr HandleId kCyril = 4;

JsonPtr admin(World& world, const std::string& request, Effects* effects = nullptr) {
    JsonPtr body = parse_json(request);
    Effects ignored;
    return world.hub().admin(body.get(), kNow + 50, effects != nullptr ? *effects : ignored);
}

void expect_success(const JsonPtr& answer) {
    CU_ASSERT_EQUAL(text_of(answer.get(), "onair"), "success");
    if (text_of(answer.get(), "onair") != "success") {
        std::fprintf(stderr, "\n  admin error: %s\n", text_of(answer.get(), "error").c_str());
    }
}

void expect_admin_error(const JsonPtr& answer, ErrorCode code) {
    CU_ASSERT_EQUAL(text_of(answer.get(), "onair"), "error");
    CU_ASSERT_EQUAL(number_of(answer.get(), "error_code"), static_cast<int>(code));
    CU_ASSERT_FALSE(text_of(answer.get(), "error").empty());
}

void list_sites_never_shows_secrets() {
    World world;
    world.go_live(kAnna, "42");
    JsonPtr answer = admin(world, R"({"request":"list_sites"})");
    expect_success(answer);
    const json_t* sites = json_object_get(answer.get(), "sites");
    CU_ASSERT_FATAL(json_array_size(sites) == 1);
    const json_t* site = json_array_get(sites, 0);
    CU_ASSERT_EQUAL(text_of(site, "key"), "demo");
    CU_ASSERT_EQUAL(text_of(site, "identity"), "signed");
    CU_ASSERT_EQUAL(text_of(site, "media"), "sfu");
    CU_ASSERT_TRUE(flag_of(site, "simulcast"));
    CU_ASSERT_FALSE(flag_of(site, "p2p_relay_only"));
    CU_ASSERT_TRUE(flag_of(site, "audio"));
    CU_ASSERT_EQUAL(number_of(site, "max_broadcasts"), 100);
    CU_ASSERT_EQUAL(number_of(site, "max_viewers"), 50);
    CU_ASSERT_EQUAL(number_of(site, "broadcasts"), 1);
    CU_ASSERT_PTR_NULL(json_object_get(site, "secret"));
    char* text = json_dumps(answer.get(), 0);
    CU_ASSERT_PTR_NULL(std::strstr(text, kSecret));
    free(text);  // NOLINT(cppcoreguidelines-no-malloc)
}

void add_site_then_use_it() {
    World world;
    JsonPtr added = admin(world, R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789",
                                     "identity":"open","audio":false,"max_viewers":3})");
    expect_success(added);
    const json_t* site = json_object_get(added.get(), "site");
    CU_ASSERT_EQUAL(text_of(site, "key"), "shop");
    CU_ASSERT_EQUAL(text_of(site, "identity"), "open");
    CU_ASSERT_FALSE(flag_of(site, "audio"));
    CU_ASSERT_EQUAL(number_of(site, "max_viewers"), 3);
    CU_ASSERT_PTR_NULL(json_object_get(site, "secret"));

    Credentials who{"shop", "7", "", ""};
    Result<Reply> registered = world.request(kAnna, BroadcastRequest{who});
    CU_ASSERT_FATAL(registered.ok());
    CU_ASSERT_FALSE(flag_of(registered.value().event.result.get(), "audio"));

    // Updating keeps what is not given, the secret included.
    expect_success(admin(world, R"({"request":"add_site","key":"shop","max_viewers":5})"));
    JsonPtr listed = admin(world, R"({"request":"list_sites"})");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(listed.get(), "sites")), 2U);
}

void add_site_validates() {
    World world;
    expect_admin_error(admin(world, R"({"request":"add_site","secret":"shop-secret-0123456789"})"),
                       ErrorCode::MissingElement);
    expect_admin_error(admin(world, R"({"request":"add_site","key":"shop"})"), ErrorCode::MissingElement);
    expect_admin_error(admin(world, R"({"request":"add_site","key":"shop","secret":"short"})"),
                       ErrorCode::InvalidElement);
    expect_admin_error(
        admin(world, R"({"request":"add_site","key":"sh op","secret":"shop-secret-0123456789"})"),
        ErrorCode::InvalidElement);
    expect_admin_error(
        admin(world,
              R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789","identity":"maybe"})"),
        ErrorCode::InvalidElement);
    expect_admin_error(
        admin(world,
              R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789","max_viewers":0})"),
        ErrorCode::InvalidElement);
    expect_admin_error(
        admin(world,
              R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789","audio":"yes"})"),
        ErrorCode::InvalidElement);
    expect_admin_error(
        admin(world,
              R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789","media":"mesh"})"),
        ErrorCode::InvalidElement);
    expect_admin_error(
        admin(world,
              R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789","simulcast":1})"),
        ErrorCode::InvalidElement);
    // Relay-only direct connections need TURN, which this world has not configured.
    expect_admin_error(admin(world, R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789",
                                        "media":"p2p","p2p_relay_only":true})"),
                       ErrorCode::InvalidElement);
    JsonPtr listed = admin(world, R"({"request":"list_sites"})");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(listed.get(), "sites")), 1U);  // nothing half-added
}

void add_site_media_modes() {
    Settings settings;
    settings.turn_uris = {"turn:turn.example.com:3478"};
    settings.turn_secret = "turn-shared-secret";
    World world(settings);
    JsonPtr added = admin(world, R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789",
                                     "media":"p2p","simulcast":false,"p2p_relay_only":true})");
    expect_success(added);
    const json_t* site = json_object_get(added.get(), "site");
    CU_ASSERT_EQUAL(text_of(site, "media"), "p2p");
    CU_ASSERT_FALSE(flag_of(site, "simulcast"));
    CU_ASSERT_TRUE(flag_of(site, "p2p_relay_only"));
    Credentials who{"shop", "7", "", make_token("shop-secret-0123456789", Claims{"7", "shop"})};
    Result<Reply> registered = world.request(kAnna, BroadcastRequest{who});
    CU_ASSERT_FATAL(registered.ok());
    CU_ASSERT_EQUAL(text_of(registered.value().event.result.get(), "media"), "p2p");
    CU_ASSERT_FALSE(flag_of(registered.value().event.result.get(), "simulcast"));
    CU_ASSERT_FALSE(flag_of(registered.value().event.result.get(), "relay"));

    expect_success(admin(world, R"({"request":"add_site","key":"shop","media":"auto"})"));
    JsonPtr listed = admin(world, R"({"request":"list_sites"})");
    const json_t* sites = json_object_get(listed.get(), "sites");
    for (std::size_t i = 0; i < json_array_size(sites); ++i) {
        if (text_of(json_array_get(sites, i), "key") == "shop") {
            CU_ASSERT_EQUAL(text_of(json_array_get(sites, i), "media"), "auto");
            CU_ASSERT_TRUE(flag_of(json_array_get(sites, i), "p2p_relay_only"));  // kept
        }
    }
}

void remove_site_ends_its_broadcasts() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Effects effects;
    JsonPtr removed = admin(world, R"({"request":"remove_site","key":"demo"})", &effects);
    expect_success(removed);
    CU_ASSERT_EQUAL(number_of(removed.get(), "ended"), 1);
    const json_t* ended = notice(effects, kAnna, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "admin");
    CU_ASSERT_PTR_NOT_NULL(notice(effects, kBoris, "ended"));
    CU_ASSERT_EQUAL(count_media<RouterEnd>(effects), 1U);
    Result<Reply> again = world.broadcast(kCyril, "43");
    CU_ASSERT_FATAL(!again.ok());
    CU_ASSERT_EQUAL(again.error().code, ErrorCode::UnknownSite);
    expect_admin_error(admin(world, R"({"request":"remove_site","key":"demo"})"), ErrorCode::UnknownSite);
}

void list_broadcasts_and_viewers() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.ask(kCyril, "18", "42");
    JsonPtr listed = admin(world, R"({"request":"list_broadcasts"})");
    expect_success(listed);
    const json_t* broadcasts = json_object_get(listed.get(), "broadcasts");
    CU_ASSERT_FATAL(json_array_size(broadcasts) == 1);
    const json_t* entry = json_array_get(broadcasts, 0);
    CU_ASSERT_EQUAL(text_of(entry, "site"), "demo");
    CU_ASSERT_EQUAL(text_of(entry, "user"), "42");
    CU_ASSERT_EQUAL(text_of(entry, "state"), "live");
    CU_ASSERT_EQUAL(text_of(entry, "broadcast_id").substr(0, 2), "b-");
    CU_ASSERT_EQUAL(number_of(entry, "started_at"), kNow);
    CU_ASSERT_EQUAL(number_of(entry, "viewers"), 1);
    CU_ASSERT_EQUAL(number_of(entry, "pending"), 1);
    expect_admin_error(admin(world, R"({"request":"list_broadcasts","site":"nowhere"})"),
                       ErrorCode::UnknownSite);
    // A site that cannot be a key is malformed (544), as for every other site member.
    for (const char* site : {R"("")", R"("no such site")", R"("d\u00E9mo")", R"(42)"}) {
        expect_admin_error(admin(world, std::string(R"({"request":"list_broadcasts","site":)") + site + "}"),
                           ErrorCode::InvalidElement);
    }

    JsonPtr viewers = admin(world, R"({"request":"list_viewers","site":"demo","user":"42"})");
    expect_success(viewers);
    const json_t* list = json_object_get(viewers.get(), "viewers");
    CU_ASSERT_FATAL(json_array_size(list) == 2);
    bool saw_watching = false;
    bool saw_pending = false;
    std::size_t index = 0;
    const json_t* viewer = nullptr;
    json_array_foreach(list, index, viewer) {
        saw_watching =
            saw_watching || (text_of(viewer, "user") == "17" && text_of(viewer, "state") == "watching");
        saw_pending =
            saw_pending || (text_of(viewer, "user") == "18" && text_of(viewer, "state") == "pending");
    }
    CU_ASSERT_TRUE(saw_watching);
    CU_ASSERT_TRUE(saw_pending);
    expect_admin_error(admin(world, R"({"request":"list_viewers","site":"demo","user":"43"})"),
                       ErrorCode::NotFound);
    expect_admin_error(admin(world, R"({"request":"list_viewers","site":"demo"})"),
                       ErrorCode::MissingElement);
}

void stop_broadcast_and_remove_viewer() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Effects removal;
    expect_success(
        admin(world, R"({"request":"remove_viewer","site":"demo","user":"42","viewer":"17"})", &removal));
    const json_t* ended = notice(removal, kBoris, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "admin");
    CU_ASSERT_PTR_NOT_NULL(notice(removal, kAnna, "viewer_left"));
    expect_admin_error(admin(world, R"({"request":"remove_viewer","site":"demo","user":"42","viewer":"17"})"),
                       ErrorCode::NotFound);

    Effects stop;
    JsonPtr stopped = admin(world, R"({"request":"stop_broadcast","site":"demo","user":"42"})", &stop);
    expect_success(stopped);
    const json_t* told = notice(stop, kAnna, "ended");
    CU_ASSERT_FATAL(told != nullptr);
    CU_ASSERT_EQUAL(text_of(told, "reason"), "admin");
    CU_ASSERT_TRUE(closes(stop, kAnna));
    expect_admin_error(admin(world, R"({"request":"stop_broadcast","site":"demo","user":"42"})"),
                       ErrorCode::NotFound);
}

void malformed_admin_requests() {
    World world;
    Effects effects;
    expect_admin_error(JsonPtr(world.hub().admin(nullptr, kNow, effects)), ErrorCode::NoMessage);
    expect_admin_error(admin(world, R"([1])"), ErrorCode::InvalidJson);
    expect_admin_error(admin(world, R"({})"), ErrorCode::MissingElement);
    expect_admin_error(admin(world, R"({"request":"reboot"})"), ErrorCode::UnknownRequest);
}

// The outbox requests refuse a site that is not configured, as every other request naming one.
void outbox_requests_name_a_configured_site() {
    World world;
    for (const char* request : {"list_outbox", "retry_outbox"}) {
        JsonPtr answer = admin(world, std::string(R"({"request":")") + request + R"(","site":"nowhere"})");
        expect_admin_error(answer, ErrorCode::UnknownSite);
        CU_ASSERT_EQUAL(text_of(answer.get(), "error"), "Unknown site 'nowhere'");
    }
    expect_success(admin(world, R"({"request":"retry_outbox","site":"demo"})"));
}

// A site owner reads one explanation of a bad user id, whichever API refused it.
void bad_user_ids_are_refused_as_in_plugin_requests() {
    World world;
    world.go_live(kAnna, "42");
    const std::string plugin_text =
        parse_request(parse_json(R"({"request":"kick","viewer":"1\u202E7"})").get()).error().message;
    CU_ASSERT_EQUAL(plugin_text,
                    "Invalid element: viewer must be 1-64 characters without control, bidi or zero-width "
                    "characters");
    JsonPtr refused =
        admin(world, R"({"request":"remove_viewer","site":"demo","user":"42","viewer":"1\u202E7"})");
    expect_admin_error(refused, ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(text_of(refused.get(), "error"), plugin_text);
    for (const char* user : {R"("")", R"("4\u200B2")", R"("4\u00852")"}) {
        JsonPtr answer =
            admin(world, std::string(R"({"request":"stop_broadcast","site":"demo","user":)") + user + "}");
        expect_admin_error(answer, ErrorCode::InvalidElement);
        CU_ASSERT_EQUAL(text_of(answer.get(), "error"),
                        "Invalid element: user must be 1-64 characters without control, bidi or zero-width "
                        "characters");
    }
}

CU_TestInfo tests[] = {
    {"list_sites never shows secrets", list_sites_never_shows_secrets},
    {"add_site, then use it", add_site_then_use_it},
    {"add_site validates", add_site_validates},
    {"add_site media modes", add_site_media_modes},
    {"remove_site ends its broadcasts", remove_site_ends_its_broadcasts},
    {"list_broadcasts and list_viewers", list_broadcasts_and_viewers},
    {"stop_broadcast and remove_viewer", stop_broadcast_and_remove_viewer},
    {"malformed admin requests", malformed_admin_requests},
    {"outbox requests name a configured site", outbox_requests_name_a_configured_site},
    {"bad user ids are refused as in plugin requests", bad_user_ids_are_refused_as_in_plugin_requests},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_admin_tests() { return add_suite("admin", tests); }
