// SPDX-License-Identifier: GPL-3.0-or-later
// Store: the sites managed at run time, and the tombstones of removed ones.
#include "store/store.h"

#include <utility>

namespace onair {

Status Store::save_site(const Site& site) {
    return db_.transact("saving site " + site.key, [&]() {
        Statement upsert = db_.prepare(
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
    return db_.transact("removing site " + key, [&]() -> Status {
        // The tombstone keeps no secret.
        Statement tombstone = db_.prepare(
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
            Statement retire = db_.prepare(sql);
            retire.bind(1, key);
            if (Status retired = retire.run("retiring the rows of site " + key); !retired) {
                return retired;
            }
        }
        return Ok{};
    });
}

Result<std::vector<Site>> Store::load_sites() {
    Statement query = db_.prepare(
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
    Statement query = db_.prepare("SELECT key FROM sites WHERE removed = 1 ORDER BY key");
    std::vector<std::string> keys;
    Status read = query.for_each_row("loading removed sites",
                                     [&](const Statement& row) { keys.push_back(row.text(0)); });
    if (!read) {
        return read.error();
    }
    return keys;
}

}  // namespace onair
