// SPDX-License-Identifier: GPL-3.0-or-later
// Persistence on a real SQLite file: the Store itself, and a Hub restarted on the same file.
#include <CUnit/CUnit.h>

#include <cstring>

#include "base/json.h"
#include "fixtures.h"
#include "store/schema.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

std::unique_ptr<Hub> start_hub(const std::string& path, const std::vector<Site>& configured,
                               std::int64_t now) {
    Settings settings;
    settings.store_path = path;
    auto hub = std::make_unique<Hub>(settings, open_store(path));
    CU_ASSERT_FATAL(hub->start(configured, now).ok());
    return hub;
}

JsonPtr admin(Hub& hub, const std::string& request) {
    JsonPtr body = parse_json(request);
    Effects effects;
    return hub.admin(body.get(), kNow, effects);
}

void broadcasts_survive_reopening() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    BroadcastRecord record{"b-1", "demo", "42", "Анна", kNow, 0, 0, ""};
    {
        std::unique_ptr<Store> store = open_store(path);
        CU_ASSERT(store->save_broadcast(record).ok());
        record.started_at = kNow + 2;
        CU_ASSERT(store->save_broadcast(record).ok());  // an update, not a second row
        CU_ASSERT(
            store->save_broadcast(BroadcastRecord{"b-2", "demo", "43", "", kNow + 1, 0, kNow + 5, "stopped"})
                .ok());
    }
    std::unique_ptr<Store> store = open_store(path);
    Result<std::optional<BroadcastRecord>> found = store->find_broadcast("b-1");
    CU_ASSERT_FATAL(found.ok() && found.value().has_value());
    CU_ASSERT_EQUAL(found.value()->user, "42");
    CU_ASSERT_EQUAL(found.value()->name, "Анна");
    CU_ASSERT_EQUAL(found.value()->registered_at, kNow);
    CU_ASSERT_EQUAL(found.value()->started_at, kNow + 2);
    Result<std::optional<BroadcastRecord>> missing = store->find_broadcast("b-none");
    CU_ASSERT(missing.ok() && !missing.value().has_value());

    Result<std::vector<BroadcastRecord>> unended = store->unended_broadcasts();
    CU_ASSERT_FATAL(unended.ok() && unended.value().size() == 1);
    CU_ASSERT_EQUAL(unended.value().front().broadcast_id, "b-1");

    CU_ASSERT_FALSE(unended.value().front().relay);

    record.relay = true;  // an `auto` broadcast moved to the relay
    CU_ASSERT(store->save_broadcast(record).ok());
    CU_ASSERT_TRUE(store->find_broadcast("b-1").value()->relay);
    Result<std::optional<BroadcastRecord>> untouched = store->find_broadcast("b-2");
    CU_ASSERT_EQUAL(untouched.value()->end_reason, "stopped");
}

void grants_survive_reopening() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    {
        std::unique_ptr<Store> store = open_store(path);
        CU_ASSERT(store->save_grant("b-1", "17", "Boris").ok());
        CU_ASSERT(store->save_grant("b-1", "18", "Cyril").ok());
        CU_ASSERT(store->save_grant("b-1", "17", "Boris B.").ok());  // renamed, not a second row
        CU_ASSERT(store->save_grant("b-2", "17", "Boris").ok());
        CU_ASSERT(store->delete_grant("b-1", "18").ok());
    }
    std::unique_ptr<Store> store = open_store(path);
    Result<std::map<std::string, std::string>> grants = store->grants_of("b-1");
    CU_ASSERT_FATAL(grants.ok());
    CU_ASSERT_EQUAL(grants.value().size(), 1U);
    CU_ASSERT_EQUAL(grants.value().at("17"), "Boris B.");
    CU_ASSERT_EQUAL(store->grants_of("b-2").value().size(), 1U);
    CU_ASSERT_EQUAL(store->grants_of("b-none").value().size(), 0U);
}

void sites_save_load_and_tombstones() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    {
        std::unique_ptr<Store> store = open_store(path);
        Site site = demo_site();
        site.identity = IdentityMode::Open;
        site.audio = false;
        site.max_broadcasts = 7;
        site.max_viewers = 9;
        site.media = MediaMode::Auto;
        site.simulcast = false;
        site.p2p_relay_only = true;
        CU_ASSERT(store->save_site(site).ok());
        Site other = demo_site();
        other.key = "gone";
        CU_ASSERT(store->save_site(other).ok());
        CU_ASSERT(store->delete_site("gone").ok());
        CU_ASSERT(store->delete_site("never-stored").ok());
    }
    std::unique_ptr<Store> store = open_store(path);
    Result<std::vector<Site>> sites = store->load_sites();
    CU_ASSERT_FATAL(sites.ok() && sites.value().size() == 1);
    const Site& site = sites.value().front();
    CU_ASSERT_EQUAL(site.key, "demo");
    CU_ASSERT_EQUAL(site.secret, kSecret);
    CU_ASSERT(site.identity == IdentityMode::Open);
    CU_ASSERT_FALSE(site.audio);
    CU_ASSERT_EQUAL(site.max_broadcasts, 7);
    CU_ASSERT_EQUAL(site.max_viewers, 9);
    CU_ASSERT(site.media == MediaMode::Auto);
    CU_ASSERT_FALSE(site.simulcast);
    CU_ASSERT_TRUE(site.p2p_relay_only);
    Result<std::vector<std::string>> removed = store->removed_sites();
    CU_ASSERT_FATAL(removed.ok() && removed.value().size() == 2);
    CU_ASSERT_EQUAL(removed.value()[0], "gone");
    CU_ASSERT_EQUAL(removed.value()[1], "never-stored");

    // Saving a removed key brings it back.
    Site back = demo_site();
    back.key = "gone";
    CU_ASSERT(store->save_site(back).ok());
    CU_ASSERT_EQUAL(store->load_sites().value().size(), 2U);
    CU_ASSERT_EQUAL(store->removed_sites().value().size(), 1U);
}

// remove_site then add_site with the same key: the new tenant sees none of the earlier one's usage,
// pending or parked events, not even events its broadcasts queue after the removal.
void a_site_added_again_starts_afresh() {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("onair.sqlite"));
    Site shop = demo_site();
    shop.key = "shop";
    CU_ASSERT_FATAL(store->save_site(shop).ok());
    CU_ASSERT_FATAL(
        store->save_broadcast(BroadcastRecord{"b-old", "shop", "42", "", kNow, kNow, 0, ""}).ok());
    const auto event = [&](const std::string& broadcast_id, const char* type) {
        return store->append_event(
            OutboxEvent{"shop", broadcast_id, type, kNow, JsonObject().text("user", "42").take()}, kNow);
    };
    CU_ASSERT_FATAL(event("b-old", "broadcast.started").ok());
    CU_ASSERT_FATAL(event("b-old", "airtime.report").ok());
    Result<std::vector<OutboxEntry>> due = store->due_events(kNow, 10);
    CU_ASSERT_FATAL(due.ok() && due.value().size() == 1);
    CU_ASSERT_FATAL(store->mark_failed(due.value().front().id, "HTTP 500", 0, true).ok());  // parked
    CU_ASSERT_FATAL(store
                        ->save_segments({AirtimeSegment{"b-old", 0, AirtimeKind::Broadcast, "shop", "42",
                                                        "b-old", kNow, kNow + 60, false}})
                        .ok());

    CU_ASSERT_FATAL(store->delete_site("shop").ok());
    // The old broadcast still ends after the removal: its last event and segment stay retired too.
    CU_ASSERT_FATAL(event("b-old", "broadcast.ended").ok());
    CU_ASSERT_FATAL(store
                        ->save_segments({AirtimeSegment{"b-old", 1, AirtimeKind::Broadcast, "shop", "42",
                                                        "b-old", kNow + 70, kNow + 80, true}})
                        .ok());
    CU_ASSERT_FATAL(store->save_site(shop).ok());

    Result<std::vector<AirtimeSegment>> usage = store->segments_between("shop", kNow - 1000, kNow + 1000);
    CU_ASSERT(usage.ok() && usage.value().empty());
    Result<std::vector<OutboxEntry>> listed = store->list_outbox("shop", std::nullopt, 100);
    CU_ASSERT(listed.ok() && listed.value().empty());
    Result<CallbackStatus> status = store->callback_status("shop");
    CU_ASSERT_FATAL(status.ok());
    CU_ASSERT_EQUAL(status.value().pending, 0);
    CU_ASSERT_EQUAL(status.value().parked, 0);
    CU_ASSERT_EQUAL(status.value().last_error, "");
    CU_ASSERT(store->requeue_site("shop", kNow).value() == 0);
    Result<std::vector<OutboxEntry>> now_due = store->due_events(kNow + 3600, 10);
    CU_ASSERT(now_due.ok() && now_due.value().empty());

    // The new tenant's own broadcasts count and deliver as usual.
    CU_ASSERT_FATAL(
        store->save_broadcast(BroadcastRecord{"b-new", "shop", "42", "", kNow, kNow, 0, ""}).ok());
    CU_ASSERT_FATAL(event("b-new", "broadcast.started").ok());
    CU_ASSERT_FATAL(store
                        ->save_segments({AirtimeSegment{"b-new", 0, AirtimeKind::Broadcast, "shop", "42",
                                                        "b-new", kNow, kNow + 5, false}})
                        .ok());
    CU_ASSERT_EQUAL(store->due_events(kNow, 10).value().size(), 1U);
    CU_ASSERT_EQUAL(store->segments_between("shop", kNow - 1000, kNow + 1000).value().size(), 1U);
    CU_ASSERT_EQUAL(store->callback_status("shop").value().pending, 1);
}

void schema_is_versioned() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    open_store(path);
    sqlite3* db = nullptr;
    CU_ASSERT_FATAL(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* query = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &query, nullptr);
    CU_ASSERT_EQUAL(sqlite3_step(query), SQLITE_ROW);
    CU_ASSERT_EQUAL(sqlite3_column_int(query, 0), kSchemaVersion);
    sqlite3_finalize(query);
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &query, nullptr);
    CU_ASSERT_EQUAL(sqlite3_step(query), SQLITE_ROW);
    CU_ASSERT_STRING_EQUAL(reinterpret_cast<const char*>(sqlite3_column_text(query, 0)), "wal");
    sqlite3_finalize(query);
    // A store written by a newer plugin is refused rather than misread.
    CU_ASSERT(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    Result<std::unique_ptr<Store>> newer = Store::open(path);
    CU_ASSERT_FATAL(!newer.ok());
    CU_ASSERT_EQUAL(newer.error().code, ErrorCode::Internal);
    CU_ASSERT_PTR_NOT_NULL(std::strstr(newer.error().message.c_str(), "newer"));
}

// A segment stored before segments had a wall offset (schema version 4) reads back with offset 0:
// the steady times it was counted on, as before. Only the airtime table changed in version 5 and
// only it is read here, so the old file has just that table, as versions 2 to 4 made it.
void version_four_airtime_reads_back_with_offset_zero() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    run_sql(path, R"sql(
CREATE TABLE airtime (session_id TEXT NOT NULL, segment INTEGER NOT NULL, kind TEXT NOT NULL, site TEXT NOT NULL,
    user TEXT NOT NULL, broadcast_id TEXT NOT NULL, started_at INTEGER NOT NULL, last_evidence INTEGER NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0, retired INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (session_id, segment));
CREATE INDEX airtime_site_time ON airtime (site, started_at);
INSERT INTO airtime VALUES ('b-old', 0, 'broadcast', 'demo', '42', 'b-old', 1000, 1600, 1, 0);
PRAGMA user_version = 4;
)sql");
    std::unique_ptr<Store> store = open_store(path);
    Result<std::vector<AirtimeSegment>> old = store->segments_of_broadcast("b-old");
    CU_ASSERT_FATAL(old.ok() && old.value().size() == 1);
    CU_ASSERT_EQUAL(old.value()[0].wall_offset, 0);
    CU_ASSERT_EQUAL(old.value()[0].seconds(), 600);
    // A usage range finds it where its steady times are, and only there.
    CU_ASSERT_EQUAL(store->segments_between("demo", 1500, 2000).value().size(), 1U);
    CU_ASSERT_EQUAL(store->segments_between("demo", 1600, 2000).value().size(), 0U);
}

void unopenable_store_is_an_internal_error() {
    Result<std::unique_ptr<Store>> store = Store::open("/nonexistent-dir/onair/onair.sqlite");
    CU_ASSERT_FATAL(!store.ok());
    CU_ASSERT_EQUAL(store.error().code, ErrorCode::Internal);
    CU_ASSERT_PTR_NOT_NULL(std::strstr(store.error().message.c_str(), "/nonexistent-dir/onair/onair.sqlite"));
}

void admin_sites_survive_a_restart() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    Site configured_extra = demo_site();
    configured_extra.key = "legacy";
    {
        std::unique_ptr<Hub> hub = start_hub(path, {demo_site(), configured_extra}, kNow);
        JsonPtr added =
            admin(*hub, R"({"request":"add_site","key":"shop","secret":"shop-secret-0123456789"})");
        CU_ASSERT_EQUAL(text_of(added.get(), "onair"), "success");
        // Stored settings override the config file's entry of the same key.
        JsonPtr changed = admin(*hub, R"({"request":"add_site","key":"demo","max_viewers":2})");
        CU_ASSERT_EQUAL(text_of(changed.get(), "onair"), "success");
        JsonPtr removed = admin(*hub, R"({"request":"remove_site","key":"legacy"})");
        CU_ASSERT_EQUAL(text_of(removed.get(), "onair"), "success");
    }
    std::unique_ptr<Hub> hub = start_hub(path, {demo_site(), configured_extra}, kNow + 100);
    JsonPtr listed = admin(*hub, R"({"request":"list_sites"})");
    const json_t* sites = json_object_get(listed.get(), "sites");
    CU_ASSERT_FATAL(json_array_size(sites) == 2);
    CU_ASSERT_EQUAL(text_of(json_array_get(sites, 0), "key"), "demo");
    CU_ASSERT_EQUAL(number_of(json_array_get(sites, 0), "max_viewers"), 2);
    CU_ASSERT_EQUAL(text_of(json_array_get(sites, 1), "key"), "shop");  // "legacy" stays removed
}

void unended_broadcasts_end_at_start() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    std::string broadcast_id;
    {
        std::unique_ptr<Hub> hub = start_hub(path, {demo_site()}, kNow);
        Credentials who{"demo", "42", "", make_token(kSecret, Claims{"42"})};
        Result<Reply> registered = hub->handle_request(1, BroadcastRequest{who}, kNow);
        CU_ASSERT_FATAL(registered.ok());
        broadcast_id = text_of(registered.value().event.result.get(), "broadcast_id");
        hub->media_up(1, kNow + 1);
        // The process dies here: no stop, no timers.
    }
    // Back as interrupted for restart_grace; its broadcaster never returns.
    std::unique_ptr<Hub> hub = start_hub(path, {demo_site()}, kNow + 500);
    CU_ASSERT_EQUAL(open_store(path)->find_broadcast(broadcast_id).value()->ended_at, 0);
    hub->tick(kNow + 500 + Settings{}.restart_grace);
    {
        std::unique_ptr<Store> store = open_store(path);
        Result<std::optional<BroadcastRecord>> record = store->find_broadcast(broadcast_id);
        CU_ASSERT_FATAL(record.ok() && record.value().has_value());
        CU_ASSERT_EQUAL(record.value()->started_at, kNow + 1);
        CU_ASSERT_EQUAL(record.value()->ended_at, kNow + 500 + Settings{}.restart_grace);
        CU_ASSERT_EQUAL(record.value()->end_reason, "restart");
    }
    // The user starts over with a new broadcast.
    Credentials who{"demo", "42", "", make_token(kSecret, Claims{"42"})};
    Result<Reply> again = hub->handle_request(2, BroadcastRequest{who}, kNow + 600);
    CU_ASSERT_FATAL(again.ok());
    CU_ASSERT_FALSE(flag_of(again.value().event.result.get(), "resumed"));
    CU_ASSERT_NOT_EQUAL(text_of(again.value().event.result.get(), "broadcast_id"), broadcast_id);
}

void invalid_configured_site_fails_start() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    Settings settings;
    Hub hub(settings, open_store(path));
    Site bad = demo_site();
    bad.secret = "short";
    Status started = hub.start({bad}, kNow);
    CU_ASSERT_FATAL(!started.ok());
    CU_ASSERT_PTR_NOT_NULL(std::strstr(started.error().message.c_str(), "demo"));
}

CU_TestInfo tests[] = {
    {"broadcasts survive reopening", broadcasts_survive_reopening},
    {"sites: save, load, tombstones", sites_save_load_and_tombstones},
    {"schema version and WAL", schema_is_versioned},
    {"a site added again starts afresh", a_site_added_again_starts_afresh},
    {"grants survive reopening", grants_survive_reopening},
    {"version 4 airtime reads back with offset 0", version_four_airtime_reads_back_with_offset_zero},
    {"unopenable store", unopenable_store_is_an_internal_error},
    {"admin sites survive a restart", admin_sites_survive_a_restart},
    {"unended broadcasts end at start", unended_broadcasts_end_at_start},
    {"invalid configured site fails start", invalid_configured_site_fails_start},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_store_tests() { return add_suite("persistence", tests); }
