// SPDX-License-Identifier: GPL-3.0-or-later
#include "store.h"

#include <utility>

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

Error store_error(sqlite3* db, const std::string& what) {
    return fail(ErrorCode::Internal, "Internal error: store " + what + " failed: " + sqlite3_errmsg(db));
}

// One prepared statement; finalized when it goes out of scope.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) == SQLITE_OK) {
            stmt_.reset(raw);
        }
    }
    [[nodiscard]] bool ok() const { return stmt_ != nullptr; }

    void bind(int index, const std::string& text) {
        sqlite3_bind_text(stmt_.get(), index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    void bind(int index, std::int64_t number) { sqlite3_bind_int64(stmt_.get(), index, number); }

    int step() { return sqlite3_step(stmt_.get()); }

    [[nodiscard]] std::string text(int column) const {
        const unsigned char* value = sqlite3_column_text(stmt_.get(), column);
        if (value == nullptr) {
            return {};
        }
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): SQLite hands out UTF-8 bytes
        return {reinterpret_cast<const char*>(value),
                static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column))};
    }
    [[nodiscard]] std::int64_t number(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

    // Runs a statement that returns no rows.
    Status run(const std::string& what) {
        if (!ok() || step() != SQLITE_DONE) {
            return store_error(db_, what);
        }
        return Ok{};
    }

private:
    struct Finalize {
        void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
    };
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

Status exec(sqlite3* db, const char* sql, const std::string& what) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        return store_error(db, what);
    }
    return Ok{};
}

// Every write runs as one transaction: committed when the body succeeds, rolled back otherwise.
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
    if (!query.ok() || query.step() != SQLITE_ROW) {
        return store_error(db, "reading the schema version");
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
    return in_transaction(db, "creating the schema",
                          [&]() { return exec(db, kSchema, "creating the schema"); });
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
    return record;
}

constexpr const char* kBroadcastColumns =
    "SELECT broadcast_id, site, user, name, registered_at, started_at, ended_at, end_reason FROM broadcasts ";

}  // namespace

Store::Store(DbPtr db) : db_(std::move(db)) {}

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
        if (!wal.ok() || wal.step() != SQLITE_ROW || wal.text(0) != "wal") {
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
    return in_transaction(db, "saving site " + site.key, [&]() {
        Statement upsert(
            db,
            "INSERT INTO sites (key, secret, identity, media, audio, max_broadcasts, max_viewers, removed)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)"
            " ON CONFLICT (key) DO UPDATE SET secret = ?2, identity = ?3, media = ?4, audio = ?5,"
            " max_broadcasts = ?6, max_viewers = ?7, removed = 0");
        if (upsert.ok()) {
            upsert.bind(1, site.key);
            upsert.bind(2, site.secret);
            upsert.bind(3, std::string(to_string(site.identity)));
            upsert.bind(4, std::string(to_string(site.media)));
            upsert.bind(5, std::int64_t{site.audio ? 1 : 0});
            upsert.bind(6, std::int64_t{site.max_broadcasts});
            upsert.bind(7, std::int64_t{site.max_viewers});
        }
        return upsert.run("saving site " + site.key);
    });
}

Status Store::delete_site(const std::string& key) {
    sqlite3* db = db_.get();
    return in_transaction(db, "removing site " + key, [&]() {
        // The tombstone keeps no secret.
        Statement tombstone(
            db,
            "INSERT INTO sites (key, secret, identity, media, audio, max_broadcasts, max_viewers, removed)"
            " VALUES (?1, '', 'signed', 'sfu', 0, 1, 1, 1)"
            " ON CONFLICT (key) DO UPDATE SET secret = '', removed = 1");
        if (tombstone.ok()) {
            tombstone.bind(1, key);
        }
        return tombstone.run("removing site " + key);
    });
}

Result<std::vector<Site>> Store::load_sites() {
    Statement query(db_.get(),
                    "SELECT key, secret, identity, media, audio, max_broadcasts, max_viewers FROM sites"
                    " WHERE removed = 0 ORDER BY key");
    if (!query.ok()) {
        return store_error(db_.get(), "loading sites");
    }
    std::vector<Site> sites;
    int step = SQLITE_ROW;
    while ((step = query.step()) == SQLITE_ROW) {
        Site site;
        site.key = query.text(0);
        site.secret = query.text(1);
        site.identity = identity_mode_from(query.text(2)).value_or(IdentityMode::Signed);
        site.media = media_mode_from(query.text(3)).value_or(MediaMode::Sfu);
        site.audio = query.number(4) != 0;
        site.max_broadcasts = static_cast<int>(query.number(5));
        site.max_viewers = static_cast<int>(query.number(6));
        sites.push_back(std::move(site));
    }
    if (step != SQLITE_DONE) {
        return store_error(db_.get(), "loading sites");
    }
    return sites;
}

Result<std::vector<std::string>> Store::removed_sites() {
    Statement query(db_.get(), "SELECT key FROM sites WHERE removed = 1 ORDER BY key");
    if (!query.ok()) {
        return store_error(db_.get(), "loading removed sites");
    }
    std::vector<std::string> keys;
    int step = SQLITE_ROW;
    while ((step = query.step()) == SQLITE_ROW) {
        keys.push_back(query.text(0));
    }
    if (step != SQLITE_DONE) {
        return store_error(db_.get(), "loading removed sites");
    }
    return keys;
}

Status Store::save_broadcast(const BroadcastRecord& record) {
    sqlite3* db = db_.get();
    return in_transaction(db, "saving broadcast " + record.broadcast_id, [&]() {
        Statement upsert(
            db,
            "INSERT INTO broadcasts (broadcast_id, site, user, name, registered_at, started_at, ended_at,"
            " end_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            " ON CONFLICT (broadcast_id) DO UPDATE SET site = ?2, user = ?3, name = ?4,"
            " registered_at = ?5, started_at = ?6, ended_at = ?7, end_reason = ?8");
        if (upsert.ok()) {
            upsert.bind(1, record.broadcast_id);
            upsert.bind(2, record.site);
            upsert.bind(3, record.user);
            upsert.bind(4, record.name);
            upsert.bind(5, record.registered_at);
            upsert.bind(6, record.started_at);
            upsert.bind(7, record.ended_at);
            upsert.bind(8, record.end_reason);
        }
        return upsert.run("saving broadcast " + record.broadcast_id);
    });
}

Result<std::optional<BroadcastRecord>> Store::find_broadcast(const std::string& broadcast_id) {
    Statement query(db_.get(), (std::string(kBroadcastColumns) + "WHERE broadcast_id = ?1").c_str());
    if (!query.ok()) {
        return store_error(db_.get(), "finding broadcast " + broadcast_id);
    }
    query.bind(1, broadcast_id);
    const int step = query.step();
    if (step == SQLITE_ROW) {
        return std::optional<BroadcastRecord>(read_broadcast(query));
    }
    if (step != SQLITE_DONE) {
        return store_error(db_.get(), "finding broadcast " + broadcast_id);
    }
    return std::optional<BroadcastRecord>();
}

Result<std::vector<BroadcastRecord>> Store::unended_broadcasts() {
    Statement query(db_.get(),
                    (std::string(kBroadcastColumns) + "WHERE ended_at = 0 ORDER BY registered_at").c_str());
    if (!query.ok()) {
        return store_error(db_.get(), "listing unended broadcasts");
    }
    std::vector<BroadcastRecord> records;
    int step = SQLITE_ROW;
    while ((step = query.step()) == SQLITE_ROW) {
        records.push_back(read_broadcast(query));
    }
    if (step != SQLITE_DONE) {
        return store_error(db_.get(), "listing unended broadcasts");
    }
    return records;
}

Status Store::end_all_unended(std::int64_t now, const std::string& reason) {
    sqlite3* db = db_.get();
    return in_transaction(db, "ending unended broadcasts", [&]() {
        Statement update(db, "UPDATE broadcasts SET ended_at = ?1, end_reason = ?2 WHERE ended_at = 0");
        if (update.ok()) {
            update.bind(1, now);
            update.bind(2, reason);
        }
        return update.run("ending unended broadcasts");
    });
}

}  // namespace onair
