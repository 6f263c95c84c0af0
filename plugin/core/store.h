// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "result.h"
#include "site.h"

namespace onair {

struct BroadcastRecord {
    std::string broadcast_id;
    std::string site;
    std::string user;
    std::string name;
    std::int64_t registered_at = 0;
    std::int64_t started_at = 0;  // 0 until media first flowed
    std::int64_t ended_at = 0;    // 0 while not ended
    std::string end_reason;
};

// Durable state in one SQLite file: sites managed at run time and every broadcast.
// Opens (creating the schema) with WAL and a busy timeout; every write is one transaction, so a
// crash leaves either the old or the new row. Not thread-safe: the Hub's lock guards it.
class Store {
public:
    static Result<std::unique_ptr<Store>> open(const std::string& path);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    Status save_site(const Site& site);
    Status delete_site(const std::string& key);
    Result<std::vector<Site>> load_sites();

    Status save_broadcast(const BroadcastRecord& record);  // insert or update by broadcast_id
    Result<std::optional<BroadcastRecord>> find_broadcast(const std::string& broadcast_id);
    Result<std::vector<BroadcastRecord>> unended_broadcasts();  // ended_at == 0
    // Marks every unended broadcast ended (at `now`, with `reason`): used at start-up, since
    // media does not survive a restart of this version.
    Status end_all_unended(std::int64_t now, const std::string& reason);

private:
    explicit Store(sqlite3* db);
    sqlite3* db_;
};

}  // namespace onair
