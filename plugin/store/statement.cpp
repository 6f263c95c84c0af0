// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/statement.h"

namespace onair {

Error store_error(sqlite3* db, const std::string& what) {
    return fail(ErrorCode::Internal, "Internal error: store " + what + " failed: " + sqlite3_errmsg(db));
}

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) == SQLITE_OK) {
        stmt_.reset(raw);
    }
}

void Statement::bind(int index, const std::string& text) {
    if (stmt_) {
        sqlite3_bind_text(stmt_.get(), index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
}

void Statement::bind(int index, std::int64_t number) {
    if (stmt_) {
        sqlite3_bind_int64(stmt_.get(), index, number);
    }
}

Status Statement::run(const std::string& what) {
    if (!stmt_ || sqlite3_step(stmt_.get()) != SQLITE_DONE) {
        return store_error(db_, what);
    }
    return Ok{};
}

Status Statement::single_row(const std::string& what) {
    if (!stmt_ || sqlite3_step(stmt_.get()) != SQLITE_ROW) {
        return store_error(db_, what);
    }
    return Ok{};
}

std::string Statement::text(int column) const {
    const unsigned char* value = sqlite3_column_text(stmt_.get(), column);
    if (value == nullptr) {
        return {};
    }
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): SQLite hands out UTF-8 bytes
    return {reinterpret_cast<const char*>(value),
            static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column))};
}

std::int64_t Statement::number(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

}  // namespace onair
