// SPDX-License-Identifier: GPL-3.0-or-later
// Store failures on the billing paths (issue 12, item 5): a failure either leaves the state as it
// was and refuses the request, or is retried until stored; it never loses or zeroes an event. The
// failure is real: a trigger another connection puts into the store file makes SQLite refuse the
// write (as a full disk would), and dropping it heals the store.
#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "billing_fixture.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

// While it lives, every `statement` (INSERT, UPDATE or DELETE) on `table` of the store fails.
class StoreFault {
public:
    StoreFault(const std::string& path, const std::string& table, const std::string& statement,
               const std::string& when = "1") {
        CU_ASSERT_FATAL(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
        sqlite3_busy_timeout(db_, 2000);
        const std::string sql = "CREATE TRIGGER fault BEFORE " + statement + " ON " + table + " WHEN " +
                                when + " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END";
        CU_ASSERT_FATAL(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    ~StoreFault() {
        heal();
        sqlite3_close(db_);
    }
    StoreFault(const StoreFault&) = delete;
    StoreFault& operator=(const StoreFault&) = delete;
    void heal() {
        CU_ASSERT(sqlite3_exec(db_, "DROP TRIGGER IF EXISTS fault", nullptr, nullptr, nullptr) == SQLITE_OK);
    }

private:
    sqlite3* db_ = nullptr;
};

std::size_t unended_broadcasts(const std::string& store_path) {
    Result<std::vector<BroadcastRecord>> unended = open_store(store_path)->unended_broadcasts();
    CU_ASSERT_FATAL(unended.ok());
    return unended.value().size();
}

JsonPtr admin(Hub& hub, const std::string& text, std::int64_t now) {
    JsonPtr body = parse_json(text);
    Effects effects;
    return hub.admin(body.get(), now, effects);
}

void a_stop_the_store_refuses_changes_nothing() {
    World world(Settings{}, {billed_site()});
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow);
    world.hub().evidence({1, 2}, kNow);
    world.hub().evidence({1, 2}, kNow + 10);
    {
        StoreFault full(world.store_path(), "broadcasts", "UPDATE");
        expect_code(world.request(1, StopRequest{}, kNow + 10), ErrorCode::Internal);
    }
    // Still live, still billed: the broadcast and its viewer go on as if stop had not come.
    world.hub().evidence({1, 2}, kNow + 30);
    world.hub().tick(kNow + 60);  // a report: the seconds so far, not zero
    const std::vector<OutboxEntry> reports = events_of(world.store_path(), "airtime.report");
    CU_ASSERT_EQUAL_FATAL(reports.size(), 1U);
    CU_ASSERT_EQUAL(number_of(parse_json(reports[0].data).get(), "broadcast_seconds"), 30);
    expect_ok(world.request(1, StopRequest{}, kNow + 61));
    const std::vector<OutboxEntry> ended = events_of(world.store_path(), "broadcast.ended");
    CU_ASSERT_EQUAL_FATAL(ended.size(), 1U);
    CU_ASSERT_EQUAL(number_of(parse_json(ended[0].data).get(), "broadcast_seconds"), 30);
    const std::vector<OutboxEntry> left = events_of(world.store_path(), "viewer.left");
    CU_ASSERT_EQUAL_FATAL(left.size(), 1U);
    CU_ASSERT_EQUAL(number_of(parse_json(left[0].data).get(), "watch_seconds"), 30);
    CU_ASSERT_EQUAL(unended_broadcasts(world.store_path()), 0U);
}

void a_failed_commit_keeps_its_events_until_stored() {
    World world(Settings{}, {billed_site()});
    world.go_live(1, "42", kNow);
    {
        StoreFault full(world.store_path(), "outbox", "INSERT");
        world.ask(2, "43", "42", kNow + 1);  // viewer.requested, queued
        world.hub().tick(kNow + 2);          // still failing: still queued
        CU_ASSERT_EQUAL(events_of(world.store_path(), "viewer.requested").size(), 0U);
    }
    world.hub().tick(kNow + 3);
    const std::vector<OutboxEntry> requested = events_of(world.store_path(), "viewer.requested");
    CU_ASSERT_EQUAL_FATAL(requested.size(), 1U);
    CU_ASSERT_EQUAL(requested[0].seq, 2);  // right after broadcast.started
    CU_ASSERT_EQUAL(requested[0].timestamp, kNow + 1);
}

void a_kicked_viewer_stays_kicked_after_a_restart() {
    Settings settings;
    settings.restart_grace = 60;
    World world(settings, {billed_site()});
    world.go_live(1, "42", kNow);
    world.join(2, "43", 1, "42", kNow);
    {
        StoreFault full(world.store_path(), "grants", "DELETE");
        expect_ok(world.request(1, KickRequest{"43"}, kNow + 1));
        world.hub().tick(kNow + 2);
    }
    world.hub().tick(kNow + 3);  // the revocation is stored now
    world.restart(kNow + 4);
    world.hub().handle_created(3);
    // No grant came back: no seat is held for 43 (it is no one the broadcaster let in).
    expect_code(world.watch(3, "43", "42", "", kNow + 5), ErrorCode::NotLive);
}

void remove_site_ends_all_or_nothing() {
    World world(Settings{}, {billed_site()});
    world.go_live(1, "42", kNow);
    const std::string second = world.go_live(2, "44", kNow);
    {
        // The second broadcast's row cannot be written: nothing of the removal may happen.
        StoreFault full(world.store_path(), "broadcasts", "UPDATE", "NEW.broadcast_id = '" + second + "'");
        JsonPtr refused = admin(world.hub(), R"({"request":"remove_site","key":"demo"})", kNow + 5);
        CU_ASSERT_EQUAL(number_of(refused.get(), "error_code"), 554);
    }
    CU_ASSERT_EQUAL(unended_broadcasts(world.store_path()), 2U);
    JsonPtr listed = admin(world.hub(), R"({"request":"list_broadcasts","site":"demo"})", kNow + 6);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(listed.get(), "broadcasts")), 2U);
    CU_ASSERT_EQUAL(events_of(world.store_path(), "broadcast.ended").size(), 0U);
    // Healed: the removal ends both, in memory and in the store.
    JsonPtr removed = admin(world.hub(), R"({"request":"remove_site","key":"demo"})", kNow + 7);
    CU_ASSERT_EQUAL(number_of(removed.get(), "ended"), 2);
    CU_ASSERT_EQUAL(unended_broadcasts(world.store_path()), 0U);
    // Both ended events are stored, retired with the site (so a site added again under the key
    // inherits none of them): list_outbox no longer shows them, the file still holds them.
    CU_ASSERT_EQUAL(events_of(world.store_path(), "broadcast.ended").size(), 0U);
    sqlite3* db = nullptr;
    CU_ASSERT_FATAL(sqlite3_open(world.store_path().c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* query = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM outbox WHERE type = 'broadcast.ended' AND retired = 1", -1,
                       &query, nullptr);
    CU_ASSERT_EQUAL(sqlite3_step(query), SQLITE_ROW);
    CU_ASSERT_EQUAL(sqlite3_column_int(query, 0), 2);
    sqlite3_finalize(query);
    sqlite3_close(db);
}

// A long outage: viewers keep asking and cancelling, each adding billing events the store cannot
// take. Past the bound a new watch is refused and changes nothing, while an ending still goes
// through (each session ends once); nothing queued is dropped.
void a_long_outage_is_bounded_and_loses_nothing() {
    constexpr std::size_t kBound = Hub::kMaxUnstored;
    World world(Settings{}, {billed_site()});
    world.go_live(1, "42", kNow);
    constexpr HandleId kEarly = 99;  // asked before the outage, cancels past the bound
    world.ask(kEarly, "early", "42", kNow);
    std::size_t asked = 0;
    HandleId handle = 100;
    {
        StoreFault full(world.store_path(), "outbox", "INSERT");
        // Each round queues viewer.requested and viewer.declined (cancelled): two events.
        for (; asked < kBound / 2; ++asked, ++handle) {
            world.hub().handle_created(handle);
            world.ask(handle, "v" + std::to_string(asked), "42", kNow + 1);
            expect_ok(world.request(handle, LeaveRequest{}, kNow + 1));
            world.hub().handle_destroyed(handle, kNow + 1);
        }
        world.hub().handle_created(handle);
        Result<Reply> refused = world.watch(handle, "late", "42", "", kNow + 2);
        expect_code(refused, ErrorCode::Internal);
        // An ending past the bound is taken (its event queued), not refused.
        expect_ok(world.request(kEarly, LeaveRequest{}, kNow + 2));
        // Nothing started: no prompt waits, the broadcaster is asked nothing.
        Effects ticked = world.hub().tick(kNow + 3);
        CU_ASSERT_PTR_NULL(notice(ticked, 1, "watch_request"));
        JsonPtr viewers =
            admin(world.hub(), R"({"request":"list_viewers","site":"demo","user":"42"})", kNow + 3);
        CU_ASSERT_EQUAL(json_array_size(json_object_get(viewers.get(), "viewers")), 0U);
        CU_ASSERT_EQUAL(events_of(world.store_path(), "viewer.requested").size(), 1U);  // early's
        CU_ASSERT_EQUAL(events_of(world.store_path(), "viewer.declined").size(), 0U);
    }
    // Healed: the next commit stores every queued event, in order; new watches are taken again.
    world.hub().tick(kNow + 4);
    const std::vector<OutboxEntry> requested = events_of(world.store_path(), "viewer.requested");
    const std::vector<OutboxEntry> declined = events_of(world.store_path(), "viewer.declined");
    CU_ASSERT_EQUAL(requested.size(), asked + 1);
    CU_ASSERT_EQUAL(declined.size(), asked + 1);
    std::unique_ptr<Store> store = open_store(world.store_path());
    Result<std::vector<OutboxEntry>> all = store->list_outbox("", std::nullopt, 2 * kBound + 10);
    CU_ASSERT_FATAL(all.ok());
    std::vector<std::int64_t> seqs;
    for (const OutboxEntry& entry : all.value()) {
        seqs.push_back(entry.seq);
    }
    std::sort(seqs.begin(), seqs.end());
    CU_ASSERT_EQUAL_FATAL(seqs.size(), 2 * asked + 3);  // and broadcast.started, early's two
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        CU_ASSERT_EQUAL(seqs[i], static_cast<std::int64_t>(i) + 1);  // no gap, nothing lost
    }
    world.ask(handle, "late", "42", kNow + 5);
}

CU_TestInfo tests[] = {
    {"a stop the store refuses changes nothing", a_stop_the_store_refuses_changes_nothing},
    {"a failed commit keeps its events until stored", a_failed_commit_keeps_its_events_until_stored},
    {"a kicked viewer stays kicked after a restart", a_kicked_viewer_stays_kicked_after_a_restart},
    {"remove_site ends all or nothing", remove_site_ends_all_or_nothing},
    {"a long outage is bounded and loses nothing", a_long_outage_is_bounded_and_loses_nothing},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_store_fault_tests() { return add_suite("store faults", tests); }
