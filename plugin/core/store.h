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

    Status save_site(const Site& site);  // also undoes an earlier delete_site of that key
    // Remembers the removal (a tombstone), so a site from the config file stays removed too.
    Status delete_site(const std::string& key);
    Result<std::vector<Site>> load_sites();            // stored sites, without removed ones
    Result<std::vector<std::string>> removed_sites();  // keys removed through delete_site

    Status save_broadcast(const BroadcastRecord& record);  // insert or update by broadcast_id
    Result<std::optional<BroadcastRecord>> find_broadcast(const std::string& broadcast_id);
    Result<std::vector<BroadcastRecord>> unended_broadcasts();  // ended_at == 0
    // Marks every unended broadcast ended (at `now`, with `reason`): used at start-up, since
    // media does not survive a restart of this version.
    Status end_all_unended(std::int64_t now, const std::string& reason);

    // The schema version this build writes (PRAGMA user_version).
    static constexpr int kSchemaVersion = 1;

private:
    struct CloseDb {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    using DbPtr = std::unique_ptr<sqlite3, CloseDb>;

    explicit Store(DbPtr db);
    DbPtr db_;
};

}  // namespace onair
