// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "base/result.h"

namespace onair {

// "Internal error: store <what> failed: <SQLite's message>", the error of every failed store call.
Error store_error(sqlite3* db, const std::string& what);

// One prepared statement, finalized when it goes out of scope. A statement that failed to prepare
// ignores its bindings, and run() or the row readers report the failure with the connection's
// message, so callers check once, where the statement runs. Every error names `what`, the step
// the caller was taking.
class Statement {
public:
    Statement(sqlite3* db, const char* sql);
    Statement(sqlite3* db, const std::string& sql) : Statement(db, sql.c_str()) {}

    // Binds ?index (1-based).
    void bind(int index, const std::string& text);
    void bind(int index, std::int64_t number);

    // Runs a statement that returns no rows.
    Status run(const std::string& what);

    // Calls read(*this) on each row the statement returns, in order; the reader takes the columns
    // with text(), number() and flag().
    template <typename Read>
    Status for_each_row(const std::string& what, Read&& read) {
        if (!stmt_) {
            return store_error(db_, what);
        }
        int step = SQLITE_ROW;
        while ((step = sqlite3_step(stmt_.get())) == SQLITE_ROW) {
            read(static_cast<const Statement&>(*this));
        }
        if (step != SQLITE_DONE) {
            return store_error(db_, what);
        }
        return Ok{};
    }

    // Every row, each made into a value by read(*this).
    template <typename Read>
    Result<std::vector<std::invoke_result_t<Read&, const Statement&>>> rows(const std::string& what,
                                                                            Read&& read) {
        std::vector<std::invoke_result_t<Read&, const Statement&>> values;
        Status done = for_each_row(what, [&](const Statement& row) { values.push_back(read(row)); });
        if (!done) {
            return done.error();
        }
        return values;
    }

    // Steps to the one row a statement always returns (a PRAGMA, an aggregate): fails without it.
    Status single_row(const std::string& what);

    // Columns of the current row (0-based).
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::int64_t number(int column) const;
    [[nodiscard]] bool flag(int column) const { return number(column) != 0; }

private:
    struct Finalize {
        void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
    };
    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

}  // namespace onair
