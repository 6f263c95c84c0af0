// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "store/statement.h"

namespace onair {

// One connection to the store's SQLite file, closed when it goes out of scope: WAL (readers never
// block the writer, and a crash mid-write leaves the last commit intact), synchronous NORMAL and a
// busy timeout. Not thread-safe: one connection per thread.
class Database {
public:
    static Result<Database> open(const std::string& path);

    [[nodiscard]] Statement prepare(const char* sql) const { return {db_.get(), sql}; }
    [[nodiscard]] Statement prepare(const std::string& sql) const { return {db_.get(), sql}; }
    // Runs SQL that returns no rows (one statement or several).
    Status exec(const char* sql, const std::string& what);
    // Runs `body` as one transaction: every write it makes commits together, or none does. A
    // transact() inside another one joins it: only the outermost begins and commits.
    Status transact(const std::string& what, const std::function<Status()>& body);
    // Rows the last INSERT, UPDATE or DELETE changed.
    [[nodiscard]] int changes() const { return sqlite3_changes(db_.get()); }

private:
    struct Close {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    using Handle = std::unique_ptr<sqlite3, Close>;

    explicit Database(Handle db) : db_(std::move(db)) {}
    Status transaction(const std::string& what, const std::function<Status()>& body);

    Handle db_;
    int depth_ = 0;  // nesting of transact()
};

}  // namespace onair
