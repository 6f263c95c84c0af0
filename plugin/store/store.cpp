// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/store.h"

#include <cstdlib>
#include <utility>

#include "core/ids.h"
#include "store/statement.h"

namespace onair {

namespace {

constexpr int kBusyTimeoutMs = 5000;

const char* const kSchema = R"sql(
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
const char* const kMigrationTo2 = R"sql(
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
const char* const kMigrationTo3 = R"sql(
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
const char* const kMigrationTo4 = R"sql(
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
const char* const kMigrationTo5 = R"sql(
ALTER TABLE airtime ADD COLUMN wall_offset INTEGER NOT NULL DEFAULT 0;
DROP INDEX airtime_site_time;
CREATE INDEX airtime_site_wall_time ON airtime (site, started_at + wall_offset);
PRAGMA user_version = 5;
)sql";

Status exec(sqlite3* db, const char* sql, const std::string& what) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        return store_error(db, what);
    }
    return Ok{};
}

// One transaction around a body, for the schema (before a Store exists).
template <typename Body>
Status in_transaction(sqlite3* db, const std::string& what, Body&& body) {
    Status begun = exec(db, "BEGIN IMMEDIATE", what);
    if (!begun) {
        return begun;
    }
    Status done = std::forward<Body>(body)();
    if (!done) {
        exec(db, "ROLLBACK", what);
        return done;
    }
    Status committed = exec(db, "COMMIT", what);
    if (!committed) {
        exec(db, "ROLLBACK", what);
    }
    return committed;
}

Result<int> schema_version(sqlite3* db) {
    Statement query(db, "PRAGMA user_version");
    if (Status read = query.single_row("reading the schema version"); !read) {
        return read.error();
    }
    return static_cast<int>(query.number(0));
}

Status prepare_schema(sqlite3* db, const std::string& path) {
    Result<int> version = schema_version(db);
    if (!version) {
        return version.error();
    }
    if (version.value() > Store::kSchemaVersion) {
        return fail(ErrorCode::Internal, "Internal error: store " + path + " has schema version " +
                                             std::to_string(version.value()) + ", newer than this plugin's " +
                                             std::to_string(Store::kSchemaVersion));
    }
    if (version.value() == Store::kSchemaVersion) {
        return Ok{};
    }
    // Each step takes the schema one version further, in one transaction with its version bump.
    return in_transaction(db, "migrating the schema", [&]() -> Status {
        if (version.value() < 1) {
            if (Status created = exec(db, kSchema, "creating the schema"); !created) {
                return created;
            }
        }
        if (version.value() < 2) {
            if (Status migrated = exec(db, kMigrationTo2, "migrating the schema to version 2"); !migrated) {
                return migrated;
            }
        }
        if (version.value() < 3) {
            if (Status migrated = exec(db, kMigrationTo3, "migrating the schema to version 3"); !migrated) {
                return migrated;
            }
        }
        if (version.value() < 4) {
            if (Status migrated = exec(db, kMigrationTo4, "migrating the schema to version 4"); !migrated) {
                return migrated;
            }
        }
        return exec(db, kMigrationTo5, "migrating the schema to version 5");
    });
}

BroadcastRecord read_broadcast(const Statement& row) {
    BroadcastRecord record;
    record.broadcast_id = row.text(0);
    record.site = row.text(1);
    record.user = row.text(2);
    record.name = row.text(3);
    record.registered_at = row.number(4);
    record.started_at = row.number(5);
    record.ended_at = row.number(6);
    record.end_reason = row.text(7);
    record.relay = row.flag(8);
    return record;
}

constexpr const char* kBroadcastColumns =
    "SELECT broadcast_id, site, user, name, registered_at, started_at, ended_at, end_reason, relay"
    " FROM broadcasts ";

}  // namespace

Store::Store(DbPtr db) : db_(std::move(db)) {}

Status Store::transact(const std::string& what, const std::function<Status()>& body) {
    // Writes inside an open transaction join it: the outermost one commits or rolls back.
    ++depth_;
    Status done = depth_ > 1 ? body() : in_transaction(db_.get(), what, body);
    --depth_;
    return done;
}

Status Store::atomically(const std::function<Status()>& body) { return transact("writing", body); }

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
    sqlite3* raw = nullptr;
    const int opened =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    DbPtr db(raw);  // sqlite3_open_v2 may hand out a handle even when it fails: close it either way
    if (opened != SQLITE_OK) {
        return fail(ErrorCode::Internal, "Internal error: cannot open store " + path + ": " +
                                             (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(opened)));
    }
    sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
    sqlite3_extended_result_codes(db.get(), 1);
    // WAL: readers never block the writer, and a crash mid-write leaves the last commit intact.
    {
        Statement wal(db.get(), "PRAGMA journal_mode = WAL");
        if (!wal.single_row("enabling WAL on " + path) || wal.text(0) != "wal") {
            return store_error(db.get(), "enabling WAL on " + path);
        }
    }  // finalized here: a statement still running would block the schema's COMMIT
    Status synchronous = exec(db.get(), "PRAGMA synchronous = NORMAL", "setting synchronous");
    if (!synchronous) {
        return synchronous.error();
    }
    Status schema = prepare_schema(db.get(), path);
    if (!schema) {
        return schema.error();
    }
    return std::unique_ptr<Store>(new Store(std::move(db)));  // NOLINT: private constructor
}

Status Store::save_site(const Site& site) {
    sqlite3* db = db_.get();
    return transact("saving site " + site.key, [&]() {
        Statement upsert(
            db,
            "INSERT INTO sites (key, secret, identity, media, audio, max_broadcasts, max_viewers, removed,"
            " callback_url, simulcast, p2p_relay_only) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9, ?10)"
            " ON CONFLICT (key) DO UPDATE SET secret = ?2, identity = ?3, media = ?4, audio = ?5,"
            " max_broadcasts = ?6, max_viewers = ?7, removed = 0, callback_url = ?8, simulcast = ?9,"
            " p2p_relay_only = ?10");
        upsert.bind(1, site.key);
        upsert.bind(2, site.secret);
        upsert.bind(3, std::string(to_string(site.identity)));
        upsert.bind(4, std::string(to_string(site.media)));
        upsert.bind(5, std::int64_t{site.audio ? 1 : 0});
        upsert.bind(6, std::int64_t{site.max_broadcasts});
        upsert.bind(7, std::int64_t{site.max_viewers});
        upsert.bind(8, site.callback_url);
        upsert.bind(9, std::int64_t{site.simulcast ? 1 : 0});
        upsert.bind(10, std::int64_t{site.p2p_relay_only ? 1 : 0});
        return upsert.run("saving site " + site.key);
    });
}

Status Store::delete_site(const std::string& key) {
    sqlite3* db = db_.get();
    return transact("removing site " + key, [&]() -> Status {
        // The tombstone keeps no secret.
        Statement tombstone(
            db,
            "INSERT INTO sites (key, secret, identity, media, audio, max_broadcasts, max_viewers, removed)"
            " VALUES (?1, '', 'signed', 'sfu', 0, 1, 1, 1)"
            " ON CONFLICT (key) DO UPDATE SET secret = '', removed = 1");
        tombstone.bind(1, key);
        if (Status removed = tombstone.run("removing site " + key); !removed) {
            return removed;
        }
        for (const char* sql : {"UPDATE broadcasts SET retired = 1 WHERE site = ?1",
                                "UPDATE airtime SET retired = 1 WHERE site = ?1",
                                "UPDATE outbox SET retired = 1 WHERE site = ?1"}) {
            Statement retire(db, sql);
            retire.bind(1, key);
            if (Status retired = retire.run("retiring the rows of site " + key); !retired) {
                return retired;
            }
        }
        return Ok{};
    });
}

Result<std::vector<Site>> Store::load_sites() {
    Statement query(
        db_.get(),
        "SELECT key, secret, identity, media, audio, max_broadcasts, max_viewers, callback_url, simulcast,"
        " p2p_relay_only FROM sites"
        " WHERE removed = 0 ORDER BY key");
    std::vector<Site> sites;
    Status read = query.for_each_row("loading sites", [&](const Statement& row) {
        Site site;
        site.key = row.text(0);
        site.secret = row.text(1);
        site.identity = identity_mode_from(row.text(2)).value_or(IdentityMode::Signed);
        site.media = media_mode_from(row.text(3)).value_or(MediaMode::Sfu);
        site.audio = row.flag(4);
        site.max_broadcasts = static_cast<int>(row.number(5));
        site.max_viewers = static_cast<int>(row.number(6));
        site.callback_url = row.text(7);
        site.simulcast = row.flag(8);
        site.p2p_relay_only = row.flag(9);
        sites.push_back(std::move(site));
    });
    if (!read) {
        return read.error();
    }
    return sites;
}

Result<std::vector<std::string>> Store::removed_sites() {
    Statement query(db_.get(), "SELECT key FROM sites WHERE removed = 1 ORDER BY key");
    std::vector<std::string> keys;
    Status read =
        query.for_each_row("loading removed sites", [&](const Statement& row) { keys.push_back(row.text(0)); });
    if (!read) {
        return read.error();
    }
    return keys;
}

Status Store::save_broadcast(const BroadcastRecord& record) {
    sqlite3* db = db_.get();
    return transact("saving broadcast " + record.broadcast_id, [&]() {
        Statement upsert(
            db,
            "INSERT INTO broadcasts (broadcast_id, site, user, name, registered_at, started_at, ended_at,"
            " end_reason, relay) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            " ON CONFLICT (broadcast_id) DO UPDATE SET site = ?2, user = ?3, name = ?4,"
            " registered_at = ?5, started_at = ?6, ended_at = ?7, end_reason = ?8, relay = ?9");
        upsert.bind(1, record.broadcast_id);
        upsert.bind(2, record.site);
        upsert.bind(3, record.user);
        upsert.bind(4, record.name);
        upsert.bind(5, record.registered_at);
        upsert.bind(6, record.started_at);
        upsert.bind(7, record.ended_at);
        upsert.bind(8, record.end_reason);
        upsert.bind(9, std::int64_t{record.relay ? 1 : 0});
        return upsert.run("saving broadcast " + record.broadcast_id);
    });
}

Result<std::optional<BroadcastRecord>> Store::find_broadcast(const std::string& broadcast_id) {
    Statement query(db_.get(), std::string(kBroadcastColumns) + "WHERE broadcast_id = ?1");
    query.bind(1, broadcast_id);
    std::optional<BroadcastRecord> found;  // broadcast_id is the key: one row at most
    Status read = query.for_each_row("finding broadcast " + broadcast_id,
                                     [&](const Statement& row) { found = read_broadcast(row); });
    if (!read) {
        return read.error();
    }
    return found;
}

Result<std::vector<BroadcastRecord>> Store::unended_broadcasts() {
    Statement query(db_.get(), std::string(kBroadcastColumns) + "WHERE ended_at = 0 ORDER BY registered_at");
    return query.rows("listing unended broadcasts", read_broadcast);
}

Status Store::save_grant(const std::string& broadcast_id, const std::string& user, const std::string& name) {
    sqlite3* db = db_.get();
    return transact("saving a grant of " + broadcast_id, [&]() {
        Statement upsert(db,
                         "INSERT INTO grants (broadcast_id, user, name) VALUES (?1, ?2, ?3)"
                         " ON CONFLICT (broadcast_id, user) DO UPDATE SET name = ?3");
        upsert.bind(1, broadcast_id);
        upsert.bind(2, user);
        upsert.bind(3, name);
        return upsert.run("saving a grant of " + broadcast_id);
    });
}

Status Store::delete_grant(const std::string& broadcast_id, const std::string& user) {
    sqlite3* db = db_.get();
    return transact("removing a grant of " + broadcast_id, [&]() {
        Statement remove(db, "DELETE FROM grants WHERE broadcast_id = ?1 AND user = ?2");
        remove.bind(1, broadcast_id);
        remove.bind(2, user);
        return remove.run("removing a grant of " + broadcast_id);
    });
}

Result<std::map<std::string, std::string>> Store::grants_of(const std::string& broadcast_id) {
    Statement query(db_.get(), "SELECT user, name FROM grants WHERE broadcast_id = ?1 ORDER BY user");
    query.bind(1, broadcast_id);
    std::map<std::string, std::string> grants;
    Status read = query.for_each_row("loading the grants of " + broadcast_id,
                                     [&](const Statement& row) { grants.emplace(row.text(0), row.text(1)); });
    if (!read) {
        return read.error();
    }
    return grants;
}

// ---- airtime ledger ----

namespace {

constexpr const char* kSegmentColumns =
    "SELECT session_id, segment, kind, site, user, broadcast_id, started_at, last_evidence, closed,"
    " wall_offset FROM airtime ";

AirtimeSegment read_segment(const Statement& row) {
    AirtimeSegment segment;
    segment.session_id = row.text(0);
    segment.index = static_cast<int>(row.number(1));
    segment.kind = row.text(2) == "watch" ? AirtimeKind::Watch : AirtimeKind::Broadcast;
    segment.site = row.text(3);
    segment.user = row.text(4);
    segment.broadcast_id = row.text(5);
    segment.started_at = row.number(6);
    segment.last_evidence = row.number(7);
    segment.closed = row.flag(8);
    segment.wall_offset = row.number(9);
    return segment;
}

constexpr const char* kOutboxColumns =
    "SELECT id, type, site, broadcast_id, seq, timestamp, data, state, attempts, next_attempt_at, last_error,"
    " delivered_at FROM outbox ";

OutboxEntry read_entry(const Statement& row) {
    OutboxEntry entry;
    entry.id = row.text(0);
    entry.type = row.text(1);
    entry.site = row.text(2);
    entry.broadcast_id = row.text(3);
    entry.seq = row.number(4);
    entry.timestamp = row.number(5);
    entry.data = row.text(6);
    entry.state = outbox_state_from(row.text(7)).value_or(OutboxState::Pending);
    entry.attempts = static_cast<int>(row.number(8));
    entry.next_attempt_at = row.number(9);
    entry.last_error = row.text(10);
    entry.delivered_at = row.number(11);
    return entry;
}

struct FreeJsonText {
    void operator()(char* text) const { std::free(text); }  // NOLINT(cppcoreguidelines-no-malloc): jansson's
};

}  // namespace

Status Store::save_segments(const std::vector<AirtimeSegment>& segments) {
    if (segments.empty()) {
        return Ok{};
    }
    sqlite3* db = db_.get();
    return transact("saving airtime", [&]() -> Status {
        for (const AirtimeSegment& segment : segments) {
            Statement upsert(
                db,
                "INSERT INTO airtime (session_id, segment, kind, site, user, broadcast_id, started_at,"
                " last_evidence, closed, wall_offset, retired)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                " EXISTS (SELECT 1 FROM broadcasts WHERE broadcast_id = ?6 AND retired = 1)"
                " OR EXISTS (SELECT 1 FROM sites WHERE key = ?4 AND removed = 1))"
                " ON CONFLICT (session_id, segment) DO UPDATE SET last_evidence = ?8, closed = ?9");
            upsert.bind(1, segment.session_id);
            upsert.bind(2, std::int64_t{segment.index});
            upsert.bind(3, std::string(to_string(segment.kind)));
            upsert.bind(4, segment.site);
            upsert.bind(5, segment.user);
            upsert.bind(6, segment.broadcast_id);
            upsert.bind(7, segment.started_at);
            upsert.bind(8, segment.last_evidence);
            upsert.bind(9, std::int64_t{segment.closed ? 1 : 0});
            upsert.bind(10, segment.wall_offset);
            if (Status saved = upsert.run("saving airtime"); !saved) {
                return saved;
            }
        }
        return Ok{};
    });
}

Status Store::close_open_segments() {
    return transact("closing open airtime", [&]() {
        Statement update(db_.get(), "UPDATE airtime SET closed = 1 WHERE closed = 0");
        return update.run("closing open airtime");
    });
}

Result<std::vector<AirtimeSegment>> Store::segments_of_broadcast(const std::string& broadcast_id) {
    Statement query(db_.get(),
                    std::string(kSegmentColumns) + "WHERE broadcast_id = ?1 ORDER BY session_id, segment");
    query.bind(1, broadcast_id);
    return query.rows("reading the airtime of " + broadcast_id, read_segment);
}

Result<std::vector<AirtimeSegment>> Store::segments_between(const std::string& site, std::int64_t from,
                                                            std::int64_t to) {
    // On the wall clock, as usage days are cut (the terms match the index airtime_site_wall_time).
    Statement query(db_.get(), std::string(kSegmentColumns) +
                                   "WHERE site = ?1 AND retired = 0 AND started_at + wall_offset < ?3"
                                   " AND last_evidence + wall_offset > ?2 ORDER BY started_at + wall_offset");
    query.bind(1, site);
    query.bind(2, from);
    query.bind(3, to);
    return query.rows("reading the airtime of site " + site, read_segment);
}

// ---- billing outbox ----

Status Store::append_event(const OutboxEvent& event, std::int64_t now) {
    if (!event.data) {
        return fail(ErrorCode::Internal, "Internal error: a " + event.type + " event without data");
    }
    std::unique_ptr<char, FreeJsonText> data(
        json_dumps(event.data.get(), JSON_COMPACT | JSON_PRESERVE_ORDER));
    if (!data) {
        return fail(ErrorCode::Internal, "Internal error: cannot serialize a " + event.type + " event");
    }
    sqlite3* db = db_.get();
    return transact("queueing a " + event.type + " event", [&]() {
        Statement insert(db,
                         "INSERT INTO outbox (id, site, broadcast_id, seq, type, timestamp, data, created_at,"
                         " next_attempt_at, retired) VALUES (?1, ?2, ?3,"
                         " (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox WHERE broadcast_id = ?3),"
                         " ?4, ?5, ?6, ?7, ?7,"
                         " EXISTS (SELECT 1 FROM broadcasts WHERE broadcast_id = ?3 AND retired = 1)"
                         " OR EXISTS (SELECT 1 FROM sites WHERE key = ?2 AND removed = 1))");
        insert.bind(1, new_event_id());
        insert.bind(2, event.site);
        insert.bind(3, event.broadcast_id);
        insert.bind(4, event.type);
        insert.bind(5, event.timestamp);
        insert.bind(6, std::string(data.get()));
        insert.bind(7, now);
        return insert.run("queueing a " + event.type + " event");
    });
}

Result<std::vector<OutboxEntry>> Store::due_events(std::int64_t now, int limit) {
    Statement query(db_.get(), std::string(kOutboxColumns) +
                                   "AS o WHERE state = 'pending' AND retired = 0 AND next_attempt_at <= ?1 AND seq ="
                                   " (SELECT MIN(seq) FROM outbox AS p WHERE p.broadcast_id = o.broadcast_id"
                                   " AND p.state = 'pending') ORDER BY next_attempt_at, created_at LIMIT ?2");
    query.bind(1, now);
    query.bind(2, std::int64_t{limit});
    return query.rows("listing due events", read_entry);
}

Status Store::mark_delivered(const std::string& id, std::int64_t now) {
    return transact("recording a delivery", [&]() {
        Statement update(db_.get(),
                         "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2,"
                         " last_attempt_at = ?2, last_error = '' WHERE id = ?1");
        update.bind(1, id);
        update.bind(2, now);
        return update.run("recording a delivery");
    });
}

Status Store::mark_failed(const std::string& id, const std::string& error, std::int64_t next_attempt_at,
                          bool park) {
    return transact("recording a failed delivery", [&]() {
        Statement update(db_.get(),
                         "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,"
                         " next_attempt_at = ?4, last_attempt_at = strftime('%s', 'now') WHERE id = ?1");
        update.bind(1, id);
        update.bind(2, std::string(park ? "parked" : "pending"));
        update.bind(3, error);
        update.bind(4, next_attempt_at);
        return update.run("recording a failed delivery");
    });
}

Result<std::vector<OutboxEntry>> Store::list_outbox(const std::string& site, std::optional<OutboxState> state,
                                                    int limit) {
    Statement query(db_.get(), std::string(kOutboxColumns) +
                                   "WHERE retired = 0 AND (?1 = '' OR site = ?1) AND (?2 = '' OR state = ?2)"
                                   " ORDER BY created_at DESC, broadcast_id, seq DESC LIMIT ?3");
    query.bind(1, site);
    query.bind(2, std::string(state ? to_string(*state) : ""));
    query.bind(3, std::int64_t{limit});
    return query.rows("listing the outbox", read_entry);
}

Result<int> Store::requeue(const std::string& id, std::int64_t now) {
    return requeue_parked(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2"
        " WHERE id = ?1 AND state = 'parked' AND retired = 0",
        id, now, "requeueing an event");
}

Result<int> Store::requeue_site(const std::string& site, std::int64_t now) {
    return requeue_parked(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2"
        " WHERE site = ?1 AND state = 'parked' AND retired = 0",
        site, now, "requeueing events");
}

Result<int> Store::requeue_parked(const char* sql, const std::string& key, std::int64_t now,
                                  const char* what) {
    int changed = 0;
    Status done = transact(what, [&]() -> Status {
        Statement update(db_.get(), sql);
        update.bind(1, key);
        update.bind(2, now);
        Status run = update.run(what);
        changed = sqlite3_changes(db_.get());
        return run;
    });
    if (!done) {
        return done.error();
    }
    return changed;
}

Result<int> Store::prune_delivered(std::int64_t before) {
    int deleted = 0;
    Status done = transact("pruning delivered events", [&]() -> Status {
        Statement remove(
            db_.get(),
            "DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?1 AND seq <"
            " (SELECT MAX(seq) FROM outbox AS later WHERE later.broadcast_id = outbox.broadcast_id)");
        remove.bind(1, before);
        Status run = remove.run("pruning delivered events");
        deleted = sqlite3_changes(db_.get());
        return run;
    });
    if (!done) {
        return done.error();
    }
    return deleted;
}

Result<CallbackStatus> Store::callback_status(const std::string& site) {
    Statement query(
        db_.get(),
        "SELECT (SELECT COUNT(*) FROM outbox WHERE site = ?1 AND retired = 0 AND state = 'pending'),"
        " (SELECT COUNT(*) FROM outbox WHERE site = ?1 AND retired = 0 AND state = 'parked'),"
        " (SELECT last_error FROM outbox WHERE site = ?1 AND retired = 0 AND last_error != ''"
        "  ORDER BY last_attempt_at DESC LIMIT 1),"
        " (SELECT COALESCE(MAX(delivered_at), 0) FROM outbox WHERE site = ?1 AND retired = 0)");
    query.bind(1, site);
    if (Status read = query.single_row("reading the callback status of " + site); !read) {
        return read.error();
    }
    return CallbackStatus{query.number(0), query.number(1), query.text(2), query.number(3)};
}

}  // namespace onair
