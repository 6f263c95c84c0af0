// SPDX-License-Identifier: GPL-3.0-or-later
// Airtime and billing events through the Hub: what a site's billing backend would receive for a
// broadcast's life, cumulative reports, evidence from media and heartbeats, restart after a
// crash, usage queries and the billing parts of the Admin API.
#include <CUnit/CUnit.h>

#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr const char* kHook = "http://127.0.0.1:9/hook";

Site billed_site() {
    Site site = demo_site();
    site.callback_url = kHook;
    return site;
}

// The events the site's backend will get, in the order of (broadcast, seq), read from the store.
std::vector<OutboxEntry> events_of(const std::string& store_path) {
    Result<std::unique_ptr<Store>> store = Store::open(store_path);
    CU_ASSERT_FATAL(store.ok());
    Result<std::vector<OutboxEntry>> entries = store.value()->list_outbox("", std::nullopt, 1000);
    CU_ASSERT_FATAL(entries.ok());
    std::vector<OutboxEntry> list = entries.value();
    std::sort(list.begin(), list.end(), [](const OutboxEntry& a, const OutboxEntry& b) {
        return std::tie(a.broadcast_id, a.seq) < std::tie(b.broadcast_id, b.seq);
    });
    return list;
}

JsonPtr data_of(const OutboxEntry& entry) { return parse_json(entry.data); }

std::string usage_token(const std::string& secret, const std::string& site, const std::string& scope,
                        std::int64_t exp = kNow + 600) {
    jwt_t* raw = nullptr;
    CU_ASSERT_FATAL(jwt_new(&raw) == 0);
    jwt_add_grant(raw, "site", site.c_str());
    jwt_add_grant(raw, "scope", scope.c_str());
    jwt_add_grant_int(raw, "exp", static_cast<long>(exp));
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libjwt takes the key as bytes
    jwt_set_alg(raw, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                static_cast<int>(secret.size()));
    char* encoded = jwt_encode_str(raw);
    std::string token(encoded);
    std::free(encoded);  // NOLINT(cppcoreguidelines-no-malloc): libjwt's allocation
    jwt_free(raw);
    return token;
}

JsonPtr admin(Hub& hub, const std::string& text, std::int64_t now = kNow) {
    JsonPtr body = parse_json(text);
    Effects effects;
    return hub.admin(body.get(), now, effects);
}

void a_broadcast_life_reaches_the_backend_in_order() {
    World world(Settings{}, {billed_site()});
    const std::string id = world.go_live(1, "42", kNow);
    const std::string request_id = world.ask(2, "43", "42", kNow + 1);
    world.accept(1, request_id, kNow + 2);
    CU_ASSERT_FATAL(world.request(2, StartRequest{}, kNow + 3).ok());
    world.hub().evidence({2}, kNow + 3);  // the first relayed media (with receiver reports)
    world.hub().evidence({1, 2}, kNow + 10);
    CU_ASSERT_FATAL(world.request(2, LeaveRequest{}, kNow + 12).ok());
    world.hub().evidence({1}, kNow + 18);
    CU_ASSERT_FATAL(world.request(1, StopRequest{}, kNow + 20).ok());

    std::vector<OutboxEntry> events = events_of(world.store_path());
    const std::vector<std::string> expected = {"broadcast.started", "viewer.requested", "viewer.accepted",
                                               "viewer.joined",     "viewer.left",      "broadcast.ended"};
    CU_ASSERT_EQUAL_FATAL(events.size(), expected.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        CU_ASSERT_EQUAL(events[i].type, expected[i]);
        CU_ASSERT_EQUAL(events[i].seq, static_cast<std::int64_t>(i + 1));
        CU_ASSERT_EQUAL(events[i].broadcast_id, id);
        CU_ASSERT_EQUAL(events[i].site, "demo");
        CU_ASSERT_EQUAL(text_of(data_of(events[i]).get(), "user"), "42");
    }
    JsonPtr started = data_of(events[0]);
    CU_ASSERT_EQUAL(number_of(started.get(), "started_at"), kNow);
    JsonPtr requested = data_of(events[1]);
    CU_ASSERT_EQUAL(text_of(requested.get(), "viewer"), "43");
    CU_ASSERT_EQUAL(text_of(requested.get(), "request_id"), request_id);
    JsonPtr joined = data_of(events[3]);
    const std::string watch_id = text_of(joined.get(), "watch_id");
    CU_ASSERT_EQUAL(watch_id.rfind("w-", 0), 0U);
    JsonPtr left = data_of(events[4]);
    CU_ASSERT_EQUAL(text_of(left.get(), "watch_id"), watch_id);
    CU_ASSERT_EQUAL(number_of(left.get(), "watch_seconds"), 7);  // start at +3, last relayed media at +10
    CU_ASSERT_EQUAL(text_of(left.get(), "reason"), "left");
    JsonPtr ended = data_of(events[5]);
    CU_ASSERT_EQUAL(number_of(ended.get(), "broadcast_seconds"),
                    18);  // last media at +18, not the stop at +20
    CU_ASSERT_EQUAL(number_of(ended.get(), "ended_at"), kNow + 20);
    CU_ASSERT_EQUAL(text_of(ended.get(), "reason"), "stopped");
    CU_ASSERT_EQUAL(events[5].timestamp, kNow + 20);
}

void declines_and_endings_carry_reasons() {
    Settings settings;
    World world(settings, {billed_site()});
    world.go_live(1, "42", kNow);
    const std::string denied = world.ask(2, "43", "42", kNow);
    CU_ASSERT_FATAL(world.request(1, AnswerRequest{denied, false}, kNow).ok());
    world.ask(3, "44", "42", kNow);
    world.hub().tick(kNow + settings.request_timeout);  // 44's prompt times out
    world.ask(4, "45", "42", kNow + 40);
    CU_ASSERT_FATAL(world.request(4, LeaveRequest{}, kNow + 41).ok());  // 45 gives up
    world.ask(5, "46", "42", kNow + 42);
    world.join(6, "47", 1, "42", kNow + 43);
    JsonPtr stopped =
        admin(world.hub(), R"({"request":"stop_broadcast","site":"demo","user":"42"})", kNow + 50);
    CU_ASSERT_EQUAL(text_of(stopped.get(), "onair"), "success");

    std::vector<std::pair<std::string, std::string>> seen;  // (type, reason)
    for (const OutboxEntry& entry : events_of(world.store_path())) {
        seen.emplace_back(entry.type, text_of(data_of(entry).get(), "reason"));
    }
    auto has = [&seen](const char* type, const char* reason) {
        return std::find(seen.begin(), seen.end(), std::pair<std::string, std::string>(type, reason)) !=
               seen.end();
    };
    CU_ASSERT(has("viewer.declined", "denied"));
    CU_ASSERT(has("viewer.declined", "timeout"));
    CU_ASSERT(has("viewer.declined", "cancelled"));
    CU_ASSERT(has("viewer.declined", "ended"));  // 46 was still waiting when it ended
    CU_ASSERT(has("viewer.left", "ended"));      // 47 was watching
    CU_ASSERT(has("broadcast.ended", "admin"));
    CU_ASSERT_EQUAL(seen.back().first, "broadcast.ended");
}

void a_site_without_callback_url_queues_nothing() {
    World world;
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow);
    CU_ASSERT_FATAL(world.request(1, StopRequest{}, kNow + 5).ok());
    CU_ASSERT_EQUAL(events_of(world.store_path()).size(), 0U);
}

void reports_are_cumulative() {
    World world(Settings{}, {billed_site()});
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow + 1);
    world.hub().evidence({2}, kNow + 1);
    world.hub().evidence({1, 2}, kNow + 30);
    world.hub().tick(kNow + 59);
    world.hub().tick(kNow + 60);
    world.hub().evidence({1, 2}, kNow + 90);
    world.hub().tick(kNow + 120);
    std::vector<OutboxEntry> reports;
    for (const OutboxEntry& entry : events_of(world.store_path())) {
        if (entry.type == "airtime.report") {
            reports.push_back(entry);
        }
    }
    CU_ASSERT_EQUAL_FATAL(reports.size(), 2U);
    JsonPtr first = data_of(reports[0]);
    CU_ASSERT_EQUAL(number_of(first.get(), "broadcast_seconds"), 30);
    const json_t* viewers = json_object_get(first.get(), "viewers");
    CU_ASSERT_EQUAL_FATAL(json_array_size(viewers), 1U);
    CU_ASSERT_EQUAL(text_of(json_array_get(viewers, 0), "viewer"), "43");
    CU_ASSERT_EQUAL(number_of(json_array_get(viewers, 0), "watch_seconds"), 29);
    JsonPtr second = data_of(reports[1]);
    CU_ASSERT_EQUAL(number_of(second.get(), "broadcast_seconds"), 90);  // so far, not since the last report
    CU_ASSERT_EQUAL(number_of(json_array_get(json_object_get(second.get(), "viewers"), 0), "watch_seconds"),
                    89);
    CU_ASSERT_EQUAL(reports[1].timestamp, kNow + 120);
}

void silence_and_heartbeats_decide_the_seconds() {
    World world(Settings{}, {billed_site()});
    world.hub().handle_created(1);
    Result<Reply> registered = world.broadcast(1, "42", "", kNow);
    CU_ASSERT_FATAL(registered.ok());
    CU_ASSERT_EQUAL(number_of(registered.value().event.result.get(), "heartbeat_interval"), 15);
    CU_ASSERT_FATAL(world.request(1, PublishRequest{}, kNow).ok());
    world.hub().media_up(1, kNow);
    world.hub().evidence({1}, kNow + 14);
    // A relayed broadcast's heartbeats are answered but prove nothing: its evidence is its RTP.
    Result<Reply> beat = world.request(1, HeartbeatRequest{}, kNow + 30);
    CU_ASSERT_FATAL(beat.ok());
    CU_ASSERT_EQUAL(event_of(beat.value().event.result.get()), "heartbeat");
    // Then nothing for longer than evidence_timeout: the segment closes at +14.
    world.hub().tick(kNow + 14 + 45);
    // Evidence comes back: a new segment from +100.
    world.hub().evidence({1}, kNow + 100);
    world.hub().evidence({1}, kNow + 110);
    CU_ASSERT_FATAL(world.request(1, HeartbeatRequest{}, kNow + 150).ok());
    CU_ASSERT_FATAL(world.request(1, StopRequest{}, kNow + 200).ok());
    std::vector<OutboxEntry> events = events_of(world.store_path());
    JsonPtr ended = data_of(events.back());
    CU_ASSERT_EQUAL(events.back().type, "broadcast.ended");
    CU_ASSERT_EQUAL(number_of(ended.get(), "broadcast_seconds"), 14 + 10);

    // A viewer's `watching` answer says how often to beat; a relay viewer's heartbeats alone bill
    // nothing (its PeerConnection never came up: no media was relayed to it).
    world.go_live(3, "44", kNow + 300);
    world.accept(3, world.ask(4, "45", "44", kNow + 300), kNow + 300);
    Result<Reply> watching = world.request(4, StartRequest{}, kNow + 301);
    CU_ASSERT_FATAL(watching.ok());
    CU_ASSERT_EQUAL(number_of(watching.value().event.result.get(), "heartbeat_interval"), 15);
    CU_ASSERT_FATAL(world.request(4, HeartbeatRequest{}, kNow + 321).ok());
    world.hub().handle_destroyed(4, kNow + 330);
    std::vector<OutboxEntry> lefts;
    for (const OutboxEntry& entry : events_of(world.store_path())) {
        if (entry.type == "viewer.left") {
            lefts.push_back(entry);
        }
    }
    CU_ASSERT_EQUAL_FATAL(lefts.size(), 1U);
    JsonPtr left = data_of(lefts[0]);
    CU_ASSERT_EQUAL(number_of(left.get(), "watch_seconds"), 0);
    CU_ASSERT_EQUAL(text_of(left.get(), "reason"), "gone");
}

void a_crash_keeps_the_saved_seconds() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    Settings settings;
    settings.store_path = path;
    std::string broadcast_id;
    {
        auto hub = std::make_unique<Hub>(settings, std::move(Store::open(path).value()));
        CU_ASSERT_FATAL(hub->start({billed_site()}, kNow - 10).ok());
        hub->handle_created(1);
        Credentials who{"demo", "42", "", make_token(kSecret, Claims{"42"})};
        Result<Reply> registered = hub->handle_request(1, BroadcastRequest{who}, kNow);
        CU_ASSERT_FATAL(registered.ok());
        broadcast_id = text_of(registered.value().event.result.get(), "broadcast_id");
        CU_ASSERT_FATAL(hub->handle_request(1, PublishRequest{}, kNow).ok());
        hub->media_up(1, kNow);
        for (std::int64_t t = 1; t <= 8; ++t) {  // media every second, the timer ticking
            hub->evidence({1}, kNow + t);
            hub->tick(kNow + t);
        }
    }  // kill -9: nothing ends, nothing more is written
    auto hub = std::make_unique<Hub>(settings, std::move(Store::open(path).value()));
    CU_ASSERT_FATAL(hub->start({billed_site()}, kNow + 100).ok());
    // Back as interrupted: the broadcaster has restart_grace to return; it does not.
    CU_ASSERT_EQUAL(events_of(path).size(), 1U);
    hub->tick(kNow + 100 + settings.restart_grace - 1);
    CU_ASSERT_EQUAL(events_of(path).size(), 1U);
    hub->tick(kNow + 100 + settings.restart_grace);
    std::vector<OutboxEntry> events = events_of(path);  // started, maybe a report, ended
    CU_ASSERT_FATAL(events.size() >= 2U);
    CU_ASSERT_EQUAL(events.back().type, "broadcast.ended");
    CU_ASSERT_EQUAL(events.back().seq, static_cast<std::int64_t>(events.size()));
    JsonPtr ended = data_of(events.back());
    CU_ASSERT_EQUAL(text_of(ended.get(), "reason"), "restart");
    const std::int64_t seconds = number_of(ended.get(), "broadcast_seconds");
    CU_ASSERT(seconds >= 8 - 1 && seconds <= 8);  // up to the last saved evidence, at most 1 s old
    CU_ASSERT_EQUAL(number_of(ended.get(), "ended_at"), kNow + 100 + settings.restart_grace);
    // The ledger is closed: usage shows the saved seconds, and a second restart adds nothing.
    hub = std::make_unique<Hub>(settings, std::move(Store::open(path).value()));
    CU_ASSERT_FATAL(hub->start({billed_site()}, kNow + 300).ok());
    CU_ASSERT_EQUAL(events_of(path).size(), events.size());
    JsonPtr usage = admin(*hub, R"({"request":"usage","site":"demo","from":"2025-11-25","to":"2025-11-25"})");
    const json_t* rows = json_object_get(usage.get(), "usage");
    CU_ASSERT_EQUAL_FATAL(json_array_size(rows), 1U);
    CU_ASSERT_EQUAL(number_of(json_array_get(rows, 0), "broadcast_seconds"), seconds);
}

void usage_is_for_the_site_backend_only() {
    Site other;
    other.key = "other";
    other.secret = "other-secret-0123456789";
    World world(Settings{}, {billed_site(), other});
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow + 10);
    world.hub().evidence({2}, kNow + 10);
    world.hub().evidence({1, 2}, kNow + 70);  // kNow is 19:46:40 UTC: all on 2025-11-25
    auto usage = [&world](const std::string& site, const std::string& token, const char* from,
                          const char* to) {
        return world.request(9, UsageRequest{site, token, from, to}, kNow + 80);
    };
    Result<Reply> answer = usage("demo", usage_token(kSecret, "demo", "usage"), "2025-11-01", "2025-11-30");
    CU_ASSERT_FATAL(answer.ok());
    const json_t* result = answer.value().event.result.get();
    CU_ASSERT_EQUAL(event_of(result), "usage");
    CU_ASSERT_EQUAL(text_of(result, "from"), "2025-11-01");
    const json_t* rows = json_object_get(result, "usage");
    CU_ASSERT_EQUAL_FATAL(json_array_size(rows), 2U);
    CU_ASSERT_EQUAL(text_of(json_array_get(rows, 0), "user"), "42");
    CU_ASSERT_EQUAL(text_of(json_array_get(rows, 0), "day"), "2025-11-25");
    CU_ASSERT_EQUAL(number_of(json_array_get(rows, 0), "broadcast_seconds"), 70);  // in progress, up to now
    CU_ASSERT_EQUAL(number_of(json_array_get(rows, 1), "watch_seconds"), 60);
    // A day without airtime has no rows.
    answer = usage("demo", usage_token(kSecret, "demo", "usage"), "2025-11-26", "2025-11-26");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(answer.value().event.result.get(), "usage")), 0U);

    // Another site's token, a user token, a wrong scope, an expired one: 546.
    CU_ASSERT_EQUAL(code_of(usage("demo", usage_token("other-secret-0123456789", "other", "usage"),
                                  "2025-11-25", "2025-11-25")),
                    ErrorCode::Unauthorized);
    CU_ASSERT_EQUAL(code_of(usage("demo", make_token(kSecret, Claims{"42"}), "2025-11-25", "2025-11-25")),
                    ErrorCode::Unauthorized);
    CU_ASSERT_EQUAL(code_of(usage("demo", usage_token(kSecret, "demo", "admin"), "2025-11-25", "2025-11-25")),
                    ErrorCode::Unauthorized);
    CU_ASSERT_EQUAL(
        code_of(usage("demo", usage_token(kSecret, "demo", "usage", kNow - 600), "2025-11-25", "2025-11-25")),
        ErrorCode::Unauthorized);
    // The other site sees none of demo's airtime.
    answer =
        usage("other", usage_token("other-secret-0123456789", "other", "usage"), "2025-11-25", "2025-11-25");
    CU_ASSERT_FATAL(answer.ok());
    CU_ASSERT_EQUAL(json_array_size(json_object_get(answer.value().event.result.get(), "usage")), 0U);
    // Ranges: bad dates, reversed, over 366 days: 544; unknown site 545.
    const std::string token = usage_token(kSecret, "demo", "usage");
    CU_ASSERT_EQUAL(code_of(usage("demo", token, "2025-11-31", "2025-12-01")), ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(code_of(usage("demo", token, "2025-11-26", "2025-11-25")), ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(code_of(usage("demo", token, "2024-01-01", "2025-01-01")), ErrorCode::InvalidElement);
    CU_ASSERT(usage("demo", token, "2024-01-01", "2024-12-31").ok());  // 366 days of a leap year
    CU_ASSERT_EQUAL(code_of(usage("nosuch", token, "2025-11-25", "2025-11-25")), ErrorCode::UnknownSite);
}

void admin_shows_and_requeues_callbacks() {
    World world(Settings{}, {billed_site()});
    JsonPtr bad = admin(world.hub(), R"({"request":"add_site","key":"x","secret":"x-secret-0123456789",
                                        "callback_url":"ftp://billing.example/"})");
    CU_ASSERT_EQUAL(number_of(bad.get(), "error_code"), 544);
    bad = admin(world.hub(), R"({"request":"add_site","key":"x","secret":"x-secret-0123456789",
                                   "callback_url":"http://"})");
    CU_ASSERT_EQUAL(number_of(bad.get(), "error_code"), 544);
    JsonPtr added = admin(world.hub(), R"({"request":"add_site","key":"x","secret":"x-secret-0123456789",
                                          "callback_url":"https://billing.example/hooks/onair"})");
    CU_ASSERT_EQUAL(text_of(added.get(), "onair"), "success");

    world.go_live(1, "42", kNow);
    JsonPtr sites = admin(world.hub(), R"({"request":"list_sites"})");
    const json_t* list = json_object_get(sites.get(), "sites");
    bool checked = false;
    for (std::size_t i = 0; i < json_array_size(list); ++i) {
        const json_t* site = json_array_get(list, i);
        const json_t* callback = json_object_get(site, "callback");
        CU_ASSERT_FATAL(callback != nullptr);
        if (text_of(site, "key") == "demo") {
            CU_ASSERT_EQUAL(text_of(callback, "url"), kHook);
            CU_ASSERT_EQUAL(number_of(callback, "pending"), 1);
            CU_ASSERT_EQUAL(number_of(callback, "parked"), 0);
            CU_ASSERT_EQUAL(number_of(callback, "last_success_at"), 0);
            checked = true;
        } else {
            CU_ASSERT_EQUAL(text_of(callback, "url"), "https://billing.example/hooks/onair");
        }
        CU_ASSERT_PTR_NULL(json_object_get(site, "secret"));
    }
    CU_ASSERT(checked);

    JsonPtr outbox = admin(world.hub(), R"({"request":"list_outbox","site":"demo","state":"pending"})");
    const json_t* entries = json_object_get(outbox.get(), "outbox");
    CU_ASSERT_EQUAL_FATAL(json_array_size(entries), 1U);
    const json_t* entry = json_array_get(entries, 0);
    CU_ASSERT_EQUAL(text_of(entry, "type"), "broadcast.started");
    CU_ASSERT_EQUAL(number_of(entry, "seq"), 1);
    CU_ASSERT_EQUAL(number_of(entry, "attempts"), 0);
    CU_ASSERT_EQUAL(text_of(entry, "state"), "pending");
    CU_ASSERT_EQUAL(
        number_of(admin(world.hub(), R"({"request":"list_outbox","state":"sent"})").get(), "error_code"),
        544);
    CU_ASSERT_EQUAL(
        number_of(admin(world.hub(), R"({"request":"list_outbox","limit":0})").get(), "error_code"), 544);
    // A site that is not configured is unknown (545), as in the other site-scoped requests.
    JsonPtr nowhere = admin(world.hub(), R"({"request":"list_outbox","site":"nowhere"})");
    CU_ASSERT_EQUAL(number_of(nowhere.get(), "error_code"), 545);
    CU_ASSERT_EQUAL(text_of(nowhere.get(), "error"), "Unknown site 'nowhere'");
    CU_ASSERT_EQUAL(number_of(admin(world.hub(), R"({"request":"retry_outbox"})").get(), "error_code"), 543);
    JsonPtr retried = admin(world.hub(), R"({"request":"retry_outbox","site":"demo"})");
    CU_ASSERT_EQUAL(number_of(retried.get(), "requeued"), 0);  // nothing parked
    CU_ASSERT_EQUAL(
        number_of(admin(world.hub(), R"({"request":"usage","site":"demo","from":"2025-11-25"})").get(),
                  "error_code"),
        543);
}

void heartbeat_and_usage_requests_parse() {
    Result<Request> beat = parse_request(parse_json(R"({"request":"heartbeat"})").get());
    CU_ASSERT_FATAL(beat.ok());
    CU_ASSERT_TRUE(std::holds_alternative<HeartbeatRequest>(beat.value()));
    CU_ASSERT_STRING_EQUAL(request_name(beat.value()), "heartbeat");
    Result<Request> usage = parse_request(
        parse_json(R"({"request":"usage","site":"demo","token":"t","from":"2025-11-01","to":"2025-11-30"})")
            .get());
    CU_ASSERT_FATAL(usage.ok());
    const auto& parsed = std::get<UsageRequest>(usage.value());
    CU_ASSERT_EQUAL(parsed.site, "demo");
    CU_ASSERT_EQUAL(parsed.from, "2025-11-01");
    CU_ASSERT_EQUAL(parsed.to, "2025-11-30");
    CU_ASSERT_STRING_EQUAL(request_name(usage.value()), "usage");
    auto code = [](const char* text) {
        Result<Request> parsed_request = parse_request(parse_json(text).get());
        CU_ASSERT_FATAL(!parsed_request.ok());
        return parsed_request.error().code;
    };
    CU_ASSERT_EQUAL(code(R"({"request":"usage","site":"demo","from":"2025-11-01","to":"2025-11-30"})"),
                    ErrorCode::MissingElement);
    CU_ASSERT_EQUAL(code(R"({"request":"usage","site":"demo","token":"t","to":"2025-11-30"})"),
                    ErrorCode::MissingElement);
    CU_ASSERT_EQUAL(
        code(R"({"request":"usage","site":"demo","token":"t","from":20251101,"to":"2025-11-30"})"),
        ErrorCode::InvalidElement);
    CU_ASSERT_EQUAL(
        code(R"({"request":"usage","site":"de mo","token":"t","from":"2025-11-01","to":"2025-11-30"})"),
        ErrorCode::InvalidElement);
}

CU_TestInfo tests[] = {
    {"heartbeat and usage requests parse", heartbeat_and_usage_requests_parse},
    {"a broadcast's life reaches the backend in order", a_broadcast_life_reaches_the_backend_in_order},
    {"declines and endings carry reasons", declines_and_endings_carry_reasons},
    {"a site without callback_url queues nothing", a_site_without_callback_url_queues_nothing},
    {"reports are cumulative", reports_are_cumulative},
    {"silence and heartbeats decide the seconds", silence_and_heartbeats_decide_the_seconds},
    {"a crash keeps the saved seconds", a_crash_keeps_the_saved_seconds},
    {"usage is for the site's backend only", usage_is_for_the_site_backend_only},
    {"admin shows and requeues callbacks", admin_shows_and_requeues_callbacks},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_billing_tests() { return add_suite("billing", tests); }
