// SPDX-License-Identifier: GPL-3.0-or-later
// Store: broadcasts and their consent grants.
#include "store/store.h"

namespace onair {

namespace {

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

Status Store::save_broadcast(const BroadcastRecord& record) {
    return db_.transact("saving broadcast " + record.broadcast_id, [&]() {
        Statement upsert = db_.prepare(
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
    Statement query = db_.prepare(std::string(kBroadcastColumns) + "WHERE broadcast_id = ?1");
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
    Statement query =
        db_.prepare(std::string(kBroadcastColumns) + "WHERE ended_at = 0 ORDER BY registered_at");
    return query.rows("listing unended broadcasts", read_broadcast);
}

Status Store::save_grant(const std::string& broadcast_id, const std::string& user, const std::string& name) {
    return db_.transact("saving a grant of " + broadcast_id, [&]() {
        Statement upsert = db_.prepare(
            "INSERT INTO grants (broadcast_id, user, name) VALUES (?1, ?2, ?3)"
            " ON CONFLICT (broadcast_id, user) DO UPDATE SET name = ?3");
        upsert.bind(1, broadcast_id);
        upsert.bind(2, user);
        upsert.bind(3, name);
        return upsert.run("saving a grant of " + broadcast_id);
    });
}

Status Store::delete_grant(const std::string& broadcast_id, const std::string& user) {
    return db_.transact("removing a grant of " + broadcast_id, [&]() {
        Statement remove = db_.prepare("DELETE FROM grants WHERE broadcast_id = ?1 AND user = ?2");
        remove.bind(1, broadcast_id);
        remove.bind(2, user);
        return remove.run("removing a grant of " + broadcast_id);
    });
}

Result<std::map<std::string, std::string>> Store::grants_of(const std::string& broadcast_id) {
    Statement query = db_.prepare("SELECT user, name FROM grants WHERE broadcast_id = ?1 ORDER BY user");
    query.bind(1, broadcast_id);
    std::map<std::string, std::string> grants;
    Status read = query.for_each_row("loading the grants of " + broadcast_id,
                                     [&](const Statement& row) { grants.emplace(row.text(0), row.text(1)); });
    if (!read) {
        return read.error();
    }
    return grants;
}

}  // namespace onair
