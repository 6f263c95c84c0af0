// SPDX-License-Identifier: GPL-3.0-or-later
// Store: the billing outbox, from append_event to delivery, parking and pruning.
#include "store/store.h"

#include <cstdlib>
#include <memory>

#include "base/ids.h"

namespace onair {

namespace {

constexpr const char* kOutboxColumns =
    "SELECT id, type, site, broadcast_id, seq, timestamp, data, state, attempts, next_attempt_at, last_error,"
    " delivered_at FROM outbox ";

OutboxEntry read_entry(const Statement& row) {
    OutboxEntry entry;
    entry.id = row.text(0);
    entry.type = row.text(1);
    entry.site = row.text(2);
    entry.broadcast_id = row.text(3);
    entry.seq = row.number(4);
    entry.timestamp = row.number(5);
    entry.data = row.text(6);
    entry.state = outbox_state_from(row.text(7)).value_or(OutboxState::Pending);
    entry.attempts = static_cast<int>(row.number(8));
    entry.next_attempt_at = row.number(9);
    entry.last_error = row.text(10);
    entry.delivered_at = row.number(11);
    return entry;
}

struct FreeJsonText {
    void operator()(char* text) const { std::free(text); }  // NOLINT(cppcoreguidelines-no-malloc): jansson's
};

}  // namespace

Status Store::append_event(const OutboxEvent& event, std::int64_t now) {
    if (!event.data) {
        return fail(ErrorCode::Internal, "Internal error: a " + event.type + " event without data");
    }
    std::unique_ptr<char, FreeJsonText> data(
        json_dumps(event.data.get(), JSON_COMPACT | JSON_PRESERVE_ORDER));
    if (!data) {
        return fail(ErrorCode::Internal, "Internal error: cannot serialize a " + event.type + " event");
    }
    return db_.transact("queueing a " + event.type + " event", [&]() {
        Statement insert = db_.prepare(
            "INSERT INTO outbox (id, site, broadcast_id, seq, type, timestamp, data, created_at,"
            " next_attempt_at, retired) VALUES (?1, ?2, ?3,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox WHERE broadcast_id = ?3),"
            " ?4, ?5, ?6, ?7, ?7,"
            " EXISTS (SELECT 1 FROM broadcasts WHERE broadcast_id = ?3 AND retired = 1)"
            " OR EXISTS (SELECT 1 FROM sites WHERE key = ?2 AND removed = 1))");
        insert.bind(1, new_event_id());
        insert.bind(2, event.site);
        insert.bind(3, event.broadcast_id);
        insert.bind(4, event.type);
        insert.bind(5, event.timestamp);
        insert.bind(6, std::string(data.get()));
        insert.bind(7, now);
        return insert.run("queueing a " + event.type + " event");
    });
}

Result<std::vector<OutboxEntry>> Store::due_events(std::int64_t now, int limit) {
    Statement query =
        db_.prepare(std::string(kOutboxColumns) +
                    "AS o WHERE state = 'pending' AND retired = 0 AND next_attempt_at <= ?1 AND seq ="
                    " (SELECT MIN(seq) FROM outbox AS p WHERE p.broadcast_id = o.broadcast_id"
                    " AND p.state = 'pending') ORDER BY next_attempt_at, created_at LIMIT ?2");
    query.bind(1, now);
    query.bind(2, std::int64_t{limit});
    return query.rows("listing due events", read_entry);
}

Status Store::mark_delivered(const std::string& id, std::int64_t now) {
    return db_.transact("recording a delivery", [&]() {
        Statement update = db_.prepare(
            "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2,"
            " last_attempt_at = ?2, last_error = '' WHERE id = ?1");
        update.bind(1, id);
        update.bind(2, now);
        return update.run("recording a delivery");
    });
}

Status Store::mark_failed(const std::string& id, const std::string& error, std::int64_t next_attempt_at,
                          bool park) {
    return db_.transact("recording a failed delivery", [&]() {
        Statement update = db_.prepare(
            "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,"
            " next_attempt_at = ?4, last_attempt_at = strftime('%s', 'now') WHERE id = ?1");
        update.bind(1, id);
        update.bind(2, std::string(park ? "parked" : "pending"));
        update.bind(3, error);
        update.bind(4, next_attempt_at);
        return update.run("recording a failed delivery");
    });
}

Result<std::vector<OutboxEntry>> Store::list_outbox(const std::string& site, std::optional<OutboxState> state,
                                                    int limit) {
    Statement query = db_.prepare(std::string(kOutboxColumns) +
                                  "WHERE retired = 0 AND (?1 = '' OR site = ?1) AND (?2 = '' OR state = ?2)"
                                  " ORDER BY created_at DESC, broadcast_id, seq DESC LIMIT ?3");
    query.bind(1, site);
    query.bind(2, std::string(state ? to_string(*state) : ""));
    query.bind(3, std::int64_t{limit});
    return query.rows("listing the outbox", read_entry);
}

Result<int> Store::requeue(const std::string& id, std::int64_t now) {
    return requeue_parked(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2"
        " WHERE id = ?1 AND state = 'parked' AND retired = 0",
        id, now, "requeueing an event");
}

Result<int> Store::requeue_site(const std::string& site, std::int64_t now) {
    return requeue_parked(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2"
        " WHERE site = ?1 AND state = 'parked' AND retired = 0",
        site, now, "requeueing events");
}

Result<int> Store::requeue_parked(const char* sql, const std::string& key, std::int64_t now,
                                  const char* what) {
    int changed = 0;
    Status done = db_.transact(what, [&]() -> Status {
        Statement update = db_.prepare(sql);
        update.bind(1, key);
        update.bind(2, now);
        Status run = update.run(what);
        changed = db_.changes();
        return run;
    });
    if (!done) {
        return done.error();
    }
    return changed;
}

Result<int> Store::prune_delivered(std::int64_t before) {
    int deleted = 0;
    Status done = db_.transact("pruning delivered events", [&]() -> Status {
        Statement remove = db_.prepare(
            "DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?1 AND seq <"
            " (SELECT MAX(seq) FROM outbox AS later WHERE later.broadcast_id = outbox.broadcast_id)");
        remove.bind(1, before);
        Status run = remove.run("pruning delivered events");
        deleted = db_.changes();
        return run;
    });
    if (!done) {
        return done.error();
    }
    return deleted;
}

Result<CallbackStatus> Store::callback_status(const std::string& site) {
    Statement query = db_.prepare(
        "SELECT (SELECT COUNT(*) FROM outbox WHERE site = ?1 AND retired = 0 AND state = 'pending'),"
        " (SELECT COUNT(*) FROM outbox WHERE site = ?1 AND retired = 0 AND state = 'parked'),"
        " (SELECT last_error FROM outbox WHERE site = ?1 AND retired = 0 AND last_error != ''"
        "  ORDER BY last_attempt_at DESC LIMIT 1),"
        " (SELECT COALESCE(MAX(delivered_at), 0) FROM outbox WHERE site = ?1 AND retired = 0)");
    query.bind(1, site);
    if (Status read = query.single_row("reading the callback status of " + site); !read) {
        return read.error();
    }
    return CallbackStatus{query.number(0), query.number(1), query.text(2), query.number(3)};
}

}  // namespace onair
