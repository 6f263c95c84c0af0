// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/schema.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace onair {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE sites (
    key            TEXT PRIMARY KEY,
    secret         TEXT NOT NULL,
    identity       TEXT NOT NULL,
    media          TEXT NOT NULL,
    audio          INTEGER NOT NULL,
    max_broadcasts INTEGER NOT NULL,
    max_viewers    INTEGER NOT NULL,
    removed        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE broadcasts (
    broadcast_id  TEXT PRIMARY KEY,
    site          TEXT NOT NULL,
    user          TEXT NOT NULL,
    name          TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    started_at    INTEGER NOT NULL DEFAULT 0,
    ended_at      INTEGER NOT NULL DEFAULT 0,
    end_reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX broadcasts_unended ON broadcasts (ended_at) WHERE ended_at = 0;
PRAGMA user_version = 1;
)sql";

// Version 2: callback URLs of sites, the airtime ledger, the billing outbox.
constexpr const char* kMigrationTo2 = R"sql(
ALTER TABLE sites ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';
CREATE TABLE airtime (
    session_id    TEXT NOT NULL,
    segment       INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    site          TEXT NOT NULL,
    user          TEXT NOT NULL,
    broadcast_id  TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    last_evidence INTEGER NOT NULL,
    closed        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, segment)
);
CREATE INDEX airtime_site_time ON airtime (site, started_at);
CREATE INDEX airtime_broadcast ON airtime (broadcast_id);
CREATE INDEX airtime_open ON airtime (closed) WHERE closed = 0;
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    site            TEXT NOT NULL,
    broadcast_id    TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    type            TEXT NOT NULL,
    timestamp       INTEGER NOT NULL,
    data            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    last_attempt_at INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (broadcast_id, seq)
);
CREATE INDEX outbox_pending ON outbox (broadcast_id, seq) WHERE state = 'pending';
CREATE INDEX outbox_site ON outbox (site, state);
PRAGMA user_version = 2;
)sql";

// Version 3: per-site simulcast and p2p relay-only, whether a broadcast moved to the relay, and the
// consent grants of broadcasts (so viewers come back without a new prompt after a restart).
constexpr const char* kMigrationTo3 = R"sql(
ALTER TABLE sites ADD COLUMN simulcast INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN p2p_relay_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN relay INTEGER NOT NULL DEFAULT 0;
CREATE TABLE grants (
    broadcast_id TEXT NOT NULL,
    user         TEXT NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, user)
);
PRAGMA user_version = 3;
)sql";

// Version 4: rows of a removed site are retired, so a site added again under the same key starts
// afresh: its usage, outbox and callback status never include the earlier tenant's rows.
constexpr const char* kMigrationTo4 = R"sql(
ALTER TABLE broadcasts ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE airtime ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 4;
)sql";

// Version 5: each airtime segment's wall_offset (the wall clock minus the steady clock when it
// opened), so usage days follow the wall clock; earlier rows were cut on their steady times, which
// is offset 0. Usage queries select segments by their wall-clock start, so the time index moves
// there: an index on the expression keeps the lookup exact for any offset, where widening a query
// on started_at by a fixed margin would miss a clock that was wrong by more (a machine that booted a
// day wrong), and a stored wall start would repeat started_at + wall_offset.
constexpr const char* kMigrationTo5 = R"sql(
ALTER TABLE airtime ADD COLUMN wall_offset INTEGER NOT NULL DEFAULT 0;
DROP INDEX airtime_site_time;
CREATE INDEX airtime_site_wall_time ON airtime (site, started_at + wall_offset);
PRAGMA user_version = 5;
)sql";

// Step i takes the schema from version i to version i + 1, with its version bump.
constexpr std::array<const char*, kSchemaVersion> kSteps = {kSchema, kMigrationTo2, kMigrationTo3,
                                                            kMigrationTo4, kMigrationTo5};

Result<int> schema_version(Database& db) {
    Statement query = db.prepare("PRAGMA user_version");
    if (Status read = query.single_row("reading the schema version"); !read) {
        return read.error();
    }
    return static_cast<int>(query.number(0));
}

}  // namespace

Status migrate(Database& db, const std::string& path) {
    Result<int> version = schema_version(db);
    if (!version) {
        return version.error();
    }
    if (version.value() > kSchemaVersion) {
        return fail(ErrorCode::Internal, "Internal error: store " + path + " has schema version " +
                                             std::to_string(version.value()) + ", newer than this plugin's " +
                                             std::to_string(kSchemaVersion));
    }
    if (version.value() == kSchemaVersion) {
        return Ok{};
    }
    // Every step in one transaction: a failed step leaves the file at its old version.
    return db.transact("migrating the schema", [&]() -> Status {
        for (int from = std::max(version.value(), 0); from < kSchemaVersion; ++from) {
            const std::string what = from == 0
                                         ? "creating the schema"
                                         : "migrating the schema to version " + std::to_string(from + 1);
            if (Status stepped = db.exec(kSteps.at(static_cast<std::size_t>(from)), what); !stepped) {
                return stepped;
            }
        }
        return Ok{};
    });
}

}  // namespace onair
