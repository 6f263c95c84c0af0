// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/database.h"

#include <utility>

namespace onair {

namespace {
constexpr int kBusyTimeoutMs = 5000;
}  // namespace

Result<Database> Database::open(const std::string& path) {
    sqlite3* raw = nullptr;
    const int opened =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Database db{
        Handle(raw)};  // sqlite3_open_v2 may hand out a handle even when it fails: close it either way
    if (opened != SQLITE_OK) {
        return fail(ErrorCode::Internal, "Internal error: cannot open store " + path + ": " +
                                             (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(opened)));
    }
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    sqlite3_extended_result_codes(raw, 1);
    {
        Statement wal = db.prepare("PRAGMA journal_mode = WAL");
        if (!wal.single_row("enabling WAL on " + path) || wal.text(0) != "wal") {
            return store_error(raw, "enabling WAL on " + path);
        }
    }  // finalized here: a statement still running would block the schema's COMMIT
    if (Status synchronous = db.exec("PRAGMA synchronous = NORMAL", "setting synchronous"); !synchronous) {
        return synchronous.error();
    }
    return db;
}

Status Database::exec(const char* sql, const std::string& what) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        return store_error(db_.get(), what);
    }
    return Ok{};
}

Status Database::transact(const std::string& what, const std::function<Status()>& body) {
    ++depth_;
    Status done = depth_ > 1 ? body() : transaction(what, body);
    --depth_;
    return done;
}

Status Database::transaction(const std::string& what, const std::function<Status()>& body) {
    Status begun = exec("BEGIN IMMEDIATE", what);
    if (!begun) {
        return begun;
    }
    Status done = body();
    if (!done) {
        exec("ROLLBACK", what);
        return done;
    }
    Status committed = exec("COMMIT", what);
    if (!committed) {
        exec("ROLLBACK", what);
    }
    return committed;
}

}  // namespace onair
