// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/broadcast_record.h"
#include "base/result.h"
#include "base/site.h"
#include "store/airtime_segment.h"
#include "store/database.h"
#include "store/outbox_records.h"

namespace onair {

// The store is the lowest folder of the plugin above base/ (docs/architecture.md, "Layers"): it
// holds the row types billing, delivery and the core read from it (airtime_segment.h,
// outbox_records.h) and includes no folder but base/ (results, JSON, ids, sites, BroadcastRecord).
//
// Durable state in one SQLite file: sites managed at run time, every broadcast, the airtime ledger
// and the billing outbox. Opens (creating or migrating the schema, schema.cpp) with WAL and a busy
// timeout; every write is one transaction, so a crash leaves either the old or the new rows. Writes
// inside atomically() join its one transaction. Not thread-safe: one Store per thread (the Hub's,
// guarded by its lock, and the callback sender's own connection to the same file). Its methods are
// defined by area: sites.cpp, broadcasts.cpp (with grants), airtime.cpp and outbox.cpp.
class Store {
public:
    static Result<std::unique_ptr<Store>> open(const std::string& path);

    Status save_site(const Site& site);  // also undoes an earlier delete_site of that key
    // Remembers the removal (a tombstone), so a site from the config file stays removed too, and
    // retires the site's broadcasts, airtime and events: they stay in the file, but no query below
    // and no delivery sees them again, so a site added later under the same key starts afresh.
    Status delete_site(const std::string& key);
    Result<std::vector<Site>> load_sites();            // stored sites, without removed ones
    Result<std::vector<std::string>> removed_sites();  // keys removed through delete_site

    Status save_broadcast(const BroadcastRecord& record);  // insert or update by broadcast_id
    Result<std::optional<BroadcastRecord>> find_broadcast(const std::string& broadcast_id);
    Result<std::vector<BroadcastRecord>> unended_broadcasts();  // ended_at == 0

    // Consent grants of a broadcast (viewer user -> name), kept until the broadcast ends or the
    // viewer is removed.
    Status save_grant(const std::string& broadcast_id, const std::string& user, const std::string& name);
    Status delete_grant(const std::string& broadcast_id, const std::string& user);
    Result<std::map<std::string, std::string>> grants_of(const std::string& broadcast_id);

    // Runs `body` as one transaction: every write it makes commits together, or none does.
    Status atomically(const std::function<Status()>& body);

    // ---- airtime ledger ----
    Status save_segments(const std::vector<AirtimeSegment>& segments);  // insert or update
    // Closes every segment a previous run left open, at its stored last evidence.
    Status close_open_segments();
    // Every segment of a broadcast and of its viewer sessions.
    Result<std::vector<AirtimeSegment>> segments_of_broadcast(const std::string& broadcast_id);
    // Segments of the site whose wall-clock span (AirtimeSegment::wall_offset) overlaps [from, to).
    Result<std::vector<AirtimeSegment>> segments_between(const std::string& site, std::int64_t from,
                                                         std::int64_t to);

    // ---- billing outbox ----
    // Stores the event as pending (due now) with a fresh id and the next seq of its broadcast.
    Status append_event(const OutboxEvent& event, std::int64_t now);
    // Pending events due at `now`, each the lowest-seq undelivered, unparked event of its broadcast
    // (so one broadcast's events go strictly in order while broadcasts stay independent).
    Result<std::vector<OutboxEntry>> due_events(std::int64_t now, int limit);
    Status mark_delivered(const std::string& id, std::int64_t now);
    // A failed attempt: counted, with its error; parked when `park`, else due at `next_attempt_at`.
    Status mark_failed(const std::string& id, const std::string& error, std::int64_t next_attempt_at,
                       bool park);
    Result<std::vector<OutboxEntry>> list_outbox(const std::string& site, std::optional<OutboxState> state,
                                                 int limit);
    // Parked -> pending, attempts from zero, due now. Returns how many were requeued.
    Result<int> requeue(const std::string& id, std::int64_t now);
    Result<int> requeue_site(const std::string& site, std::int64_t now);
    Result<CallbackStatus> callback_status(const std::string& site);
    // Deletes delivered events delivered before `before`, except each broadcast's highest seq
    // (the next event's seq counts on from it). Returns how many rows went.
    Result<int> prune_delivered(std::int64_t before);

private:
    explicit Store(Database db) : db_(std::move(db)) {}
    // Runs one requeueing UPDATE (?1 = the key, ?2 = now) and counts the rows it changed.
    Result<int> requeue_parked(const char* sql, const std::string& key, std::int64_t now, const char* what);

    Database db_;
};

}  // namespace onair
