// SPDX-License-Identifier: GPL-3.0-or-later
// The airtime ledger's arithmetic: segments from evidence, closing at the last evidence after
// evidence_timeout, the 5-second persistence rhythm, wall offsets, the UTC-midnight split and
// usage rows.
#include <CUnit/CUnit.h>

#include "billing/ledger.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr std::int64_t kTimeout = 45;
// 2025-11-25 00:00:00 UTC, a midnight to split at.
constexpr std::int64_t kMidnight = 1'764'028'800;
constexpr std::int64_t kNoOffset = 0;  // the wall clock reads the steady time

void seconds_run_from_start_to_last_evidence() {
    Ledger ledger(kTimeout);
    ledger.open("b-1", AirtimeKind::Broadcast, "demo", "42", "b-1", kNow, kNoOffset);
    CU_ASSERT_EQUAL(ledger.seconds("b-1"), 0);
    ledger.evidence("b-1", kNow + 10, kNoOffset);
    ledger.evidence("b-1", kNow + 20, kNoOffset);
    ledger.evidence("b-1", kNow + 15, kNoOffset);  // late, out-of-order evidence never shortens
    CU_ASSERT_EQUAL(ledger.seconds("b-1"), 20);
    // Closing 30 s after the last evidence still bills only up to the evidence.
    CU_ASSERT_EQUAL(ledger.close("b-1"), 20);
    CU_ASSERT_FALSE(ledger.has("b-1"));
    CU_ASSERT_EQUAL(ledger.seconds("b-1"), 0);
    ledger.evidence("b-1", kNow + 40, kNoOffset);  // evidence for a closed session is ignored
    CU_ASSERT_FALSE(ledger.has("b-1"));
}

void silence_closes_the_segment_at_its_last_evidence() {
    Ledger ledger(kTimeout);
    ledger.open("w-1", AirtimeKind::Watch, "demo", "43", "b-1", kNow, kNoOffset);
    ledger.evidence("w-1", kNow + 10, kNoOffset);
    ledger.expire(kNow + 10 + kTimeout - 1);  // not yet
    ledger.evidence("w-1", kNow + 12, kNoOffset);
    ledger.expire(kNow + 12 + kTimeout);  // now: closed at kNow + 12
    CU_ASSERT_EQUAL(ledger.seconds("w-1"), 12);
    // Evidence after the gap opens a second segment: the gap itself is never billed.
    ledger.evidence("w-1", kNow + 100, kNoOffset);
    ledger.evidence("w-1", kNow + 130, kNoOffset);
    CU_ASSERT_EQUAL(ledger.seconds("w-1"), 12 + 30);
    std::vector<AirtimeSegment> dirty = ledger.dirty(kNow + 130);
    CU_ASSERT_EQUAL_FATAL(dirty.size(), 2U);
    CU_ASSERT_EQUAL(dirty[0].index, 0);
    CU_ASSERT_TRUE(dirty[0].closed);
    CU_ASSERT_EQUAL(dirty[0].last_evidence, kNow + 12);
    CU_ASSERT_EQUAL(dirty[1].index, 1);
    CU_ASSERT_FALSE(dirty[1].closed);
    CU_ASSERT_EQUAL(dirty[1].started_at, kNow + 100);
    CU_ASSERT_EQUAL(ledger.close("w-1"), 42);
}

void a_segment_keeps_the_wall_offset_it_opened_with() {
    Ledger ledger(kTimeout);
    ledger.open("b-1", AirtimeKind::Broadcast, "demo", "42", "b-1", kNow, kNoOffset);
    ledger.evidence("b-1", kNow + 10, 3600);  // the wall clock stepped: the open segment keeps its offset
    ledger.expire(kNow + 10 + kTimeout);
    ledger.evidence("b-1", kNow + 100, 3600);  // a new segment takes the offset of its moment
    std::vector<AirtimeSegment> dirty = ledger.dirty(kNow + 100);
    CU_ASSERT_EQUAL_FATAL(dirty.size(), 2U);
    CU_ASSERT_EQUAL(dirty[0].wall_offset, 0);
    CU_ASSERT_EQUAL(dirty[1].wall_offset, 3600);
    CU_ASSERT_EQUAL(ledger.seconds("b-1"), 10);  // steady seconds, whatever the offsets
}

void evidence_is_saved_at_least_once_a_second() {
    Ledger ledger(kTimeout);
    ledger.open("b-1", AirtimeKind::Broadcast, "demo", "42", "b-1", kNow, kNoOffset);
    std::vector<AirtimeSegment> opened = ledger.dirty(kNow);
    CU_ASSERT_EQUAL_FATAL(opened.size(), 1U);  // a new segment is saved at once
    ledger.written(opened, kNow);
    CU_ASSERT_EQUAL(ledger.dirty(kNow).size(), 0U);
    ledger.evidence("b-1", kNow + 1, kNoOffset);
    CU_ASSERT_EQUAL(ledger.dirty(kNow).size(), 0U);        // moved, but saved this very second
    CU_ASSERT_EQUAL(ledger.dirty(kNow, true).size(), 1U);  // unless everything is asked for
    std::vector<AirtimeSegment> due = ledger.dirty(kNow + 1);
    CU_ASSERT_EQUAL_FATAL(due.size(), 1U);  // a second later it is due
    CU_ASSERT_EQUAL(due[0].last_evidence, kNow + 1);
    ledger.written(due, kNow + 1);
    ledger.evidence("b-1", kNow + 5, kNoOffset);
    due = ledger.dirty(kNow + 5);
    CU_ASSERT_EQUAL_FATAL(due.size(), 1U);
    CU_ASSERT_EQUAL(due[0].last_evidence, kNow + 5);
    ledger.written(due, kNow + 5);
    CU_ASSERT_EQUAL(ledger.dirty(kNow + 20).size(), 0U);  // no new evidence: nothing to save
    // Closing is saved at once, even right after a save.
    CU_ASSERT_EQUAL(ledger.close("b-1"), 5);
    std::vector<AirtimeSegment> closed = ledger.dirty(kNow + 20);
    CU_ASSERT_EQUAL_FATAL(closed.size(), 1U);
    CU_ASSERT_TRUE(closed[0].closed);
    ledger.written(closed, kNow + 20);
    CU_ASSERT_EQUAL(ledger.dirty(kNow + 20).size(), 0U);
}

void days_split_at_utc_midnight() {
    auto parts = split_by_day(kMidnight - 30, kMidnight + 45);
    CU_ASSERT_EQUAL_FATAL(parts.size(), 2U);
    CU_ASSERT_EQUAL(parts[0].first, kMidnight - 86400);
    CU_ASSERT_EQUAL(parts[0].second, 30);
    CU_ASSERT_EQUAL(parts[1].first, kMidnight);
    CU_ASSERT_EQUAL(parts[1].second, 45);
    // Two whole days and a bit.
    parts = split_by_day(kMidnight, kMidnight + 2 * 86400 + 1);
    CU_ASSERT_EQUAL_FATAL(parts.size(), 3U);
    CU_ASSERT_EQUAL(parts[0].second, 86400);
    CU_ASSERT_EQUAL(parts[2].second, 1);
    CU_ASSERT_EQUAL(split_by_day(kMidnight, kMidnight).size(), 0U);
}

void days_parse_and_format() {
    std::int64_t midnight = 0;
    CU_ASSERT_TRUE(parse_day("2025-11-25", midnight));
    CU_ASSERT_EQUAL(midnight, kMidnight);
    CU_ASSERT_EQUAL(format_day(kMidnight + 86399), "2025-11-25");
    CU_ASSERT_EQUAL(format_day(kMidnight + 86400), "2025-11-26");
    CU_ASSERT_TRUE(parse_day("2024-02-29", midnight));
    CU_ASSERT_EQUAL(format_day(midnight), "2024-02-29");
    for (const char* bad : {"2025-02-29", "2025-13-01", "2025-00-10", "20251125", "2025-1-25",
                            "2025-11-25T00", "", "abcd-ef-gh"}) {
        CU_ASSERT_FALSE(parse_day(bad, midnight));
    }
}

void usage_is_per_user_per_day() {
    std::vector<AirtimeSegment> segments = {
        // 42 broadcasts across midnight: 100 s before, 200 s after.
        {"b-1", 0, AirtimeKind::Broadcast, "demo", "42", "b-1", kMidnight - 100, kMidnight + 200, true},
        // 43 watches it in two stretches, both after midnight.
        {"w-1", 0, AirtimeKind::Watch, "demo", "43", "b-1", kMidnight + 10, kMidnight + 40, true},
        {"w-1", 1, AirtimeKind::Watch, "demo", "43", "b-1", kMidnight + 100, kMidnight + 150, false},
        // 42 also watched someone the day before.
        {"w-2", 0, AirtimeKind::Watch, "demo", "42", "b-0", kMidnight - 5000, kMidnight - 4000, true},
    };
    std::vector<UsageRow> rows = usage_by_day(segments, kMidnight - 86400, kMidnight + 86400);
    CU_ASSERT_EQUAL_FATAL(rows.size(), 3U);
    CU_ASSERT_EQUAL(rows[0].day, "2025-11-24");
    CU_ASSERT_EQUAL(rows[0].user, "42");
    CU_ASSERT_EQUAL(rows[0].broadcast_seconds, 100);
    CU_ASSERT_EQUAL(rows[0].watch_seconds, 1000);
    CU_ASSERT_EQUAL(rows[1].day, "2025-11-25");
    CU_ASSERT_EQUAL(rows[1].user, "42");
    CU_ASSERT_EQUAL(rows[1].broadcast_seconds, 200);
    CU_ASSERT_EQUAL(rows[2].user, "43");
    CU_ASSERT_EQUAL(rows[2].watch_seconds, 30 + 50);
    // A range of only the second day trims the broadcast to its part after midnight.
    rows = usage_by_day(segments, kMidnight, kMidnight + 86400);
    CU_ASSERT_EQUAL_FATAL(rows.size(), 2U);
    CU_ASSERT_EQUAL(rows[0].broadcast_seconds, 200);
}

void usage_days_are_cut_on_the_wall_clock() {
    // 42 broadcasts 100 s up to 50 s before midnight on the steady clock, with the wall clock an hour
    // ahead: on the wall clock it is all after midnight. 43 watches across midnight an hour behind.
    std::vector<AirtimeSegment> segments = {
        {"b-1", 0, AirtimeKind::Broadcast, "demo", "42", "b-1", kMidnight - 150, kMidnight - 50, true, 3600},
        {"w-1", 0, AirtimeKind::Watch, "demo", "43", "b-1", kMidnight - 50, kMidnight + 50, true, -3600},
    };
    std::vector<UsageRow> rows = usage_by_day(segments, kMidnight - 86400, kMidnight + 86400);
    CU_ASSERT_EQUAL_FATAL(rows.size(), 2U);
    CU_ASSERT_EQUAL(rows[0].day, "2025-11-24");
    CU_ASSERT_EQUAL(rows[0].user, "43");
    CU_ASSERT_EQUAL(rows[0].watch_seconds, 100);
    CU_ASSERT_EQUAL(rows[1].day, "2025-11-25");
    CU_ASSERT_EQUAL(rows[1].user, "42");
    CU_ASSERT_EQUAL(rows[1].broadcast_seconds, 100);
    // The range is on the wall clock too: on the steady clock nothing of it falls in this half minute.
    rows = usage_by_day(segments, kMidnight + 3600 - 120, kMidnight + 3600 - 90);
    CU_ASSERT_EQUAL_FATAL(rows.size(), 1U);
    CU_ASSERT_EQUAL(rows[0].broadcast_seconds, 30);
}

CU_TestInfo tests[] = {
    {"seconds run from start to last evidence", seconds_run_from_start_to_last_evidence},
    {"silence closes the segment at its last evidence", silence_closes_the_segment_at_its_last_evidence},
    {"a segment keeps the wall offset it opened with", a_segment_keeps_the_wall_offset_it_opened_with},
    {"evidence is saved at least once a second", evidence_is_saved_at_least_once_a_second},
    {"days split at UTC midnight", days_split_at_utc_midnight},
    {"days parse and format", days_parse_and_format},
    {"usage is per user per day", usage_is_per_user_per_day},
    {"usage days are cut on the wall clock", usage_days_are_cut_on_the_wall_clock},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_ledger_tests() { return add_suite("ledger", tests); }
