// SPDX-License-Identifier: GPL-3.0-or-later
// The billing outbox on a real SQLite file and its delivery to a real local HTTP receiver:
// per-broadcast order, backoff bounds, parking and retry, restart survival, the v1 -> v2
// migration, and signatures checked against vectors computed independently.
#include <CUnit/CUnit.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "base/json.h"
#include "billing/outbox.h"
#include "delivery/curl_sink.h"
#include "delivery/sender.h"
#include "delivery/signature.h"
#include "fixtures.h"
#include "http_receiver.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

void append(Store& store, const std::string& broadcast_id, const char* type, std::int64_t now = kNow,
            const std::string& site = "demo") {
    CU_ASSERT_FATAL(
        store
            .append_event(OutboxEvent{site, broadcast_id, type, now, JsonObject().text("user", "42").take()},
                          now)
            .ok());
}

std::vector<OutboxEntry> due(Store& store, std::int64_t now) {
    Result<std::vector<OutboxEntry>> entries = store.due_events(now, 100);
    CU_ASSERT_FATAL(entries.ok());
    return entries.value();
}

OutboxEntry only(const std::vector<OutboxEntry>& entries, const std::string& broadcast_id) {
    for (const OutboxEntry& entry : entries) {
        if (entry.broadcast_id == broadcast_id) {
            return entry;
        }
    }
    CU_FAIL_FATAL("no due event of that broadcast");
    return {};
}

// ---- signing ----

void signature_matches_independent_vectors() {
    // Computed with `openssl dgst -sha256 -hmac demo-secret-0123456789 -binary | base64` and with
    // Python's hmac module, over id + "." + timestamp + "." + body.
    CU_ASSERT_EQUAL(
        webhook_signature("demo-secret-0123456789", "evt_0123456789abcdef0123456789abcdef", 1764100000,
                          R"({"id":"evt_0123456789abcdef0123456789abcdef","type":"broadcast.started"})"),
        "v1,ine60yakdxvTdNqcR8/aALvHoj1/hhpyouYZuv/rYtU=");
    // A UTF-8 secret and body (Python: hmac.new("секрет-ключ-сайта-1234".encode(), ...)).
    CU_ASSERT_EQUAL(webhook_signature("секрет-ключ-сайта-1234", "evt_x", 42, R"({"name":"Анна"})"),
                    "v1,UtgUpBeqQuQPRveYAKvIoxOOhpBwpwcGI7WaJWT0a4M=");
}

// ---- the outbox state machine in the Store ----

void seq_counts_per_broadcast_and_gates_order() {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("onair.sqlite"));
    append(*store, "b-1", "broadcast.started");
    append(*store, "b-1", "viewer.requested");
    append(*store, "b-2", "broadcast.started");
    append(*store, "b-1", "broadcast.ended");
    std::vector<OutboxEntry> first = due(*store, kNow);
    // One event per broadcast is due: the lowest seq of each.
    CU_ASSERT_EQUAL_FATAL(first.size(), 2U);
    OutboxEntry b1 = only(first, "b-1");
    CU_ASSERT_EQUAL(b1.seq, 1);
    CU_ASSERT_EQUAL(b1.type, "broadcast.started");
    CU_ASSERT_EQUAL(b1.id.rfind("evt_", 0), 0U);
    CU_ASSERT_EQUAL(b1.id.size(), 4U + 32U);
    CU_ASSERT_EQUAL(only(first, "b-2").seq, 1);
    // b-1's first failing holds its second back; b-2 is independent.
    CU_ASSERT(store->mark_failed(b1.id, "HTTP 500", kNow + 2, false).ok());
    std::vector<OutboxEntry> second = due(*store, kNow + 1);
    CU_ASSERT_EQUAL_FATAL(second.size(), 1U);
    CU_ASSERT_EQUAL(second[0].broadcast_id, "b-2");
    std::vector<OutboxEntry> third = due(*store, kNow + 2);
    OutboxEntry retried = only(third, "b-1");
    CU_ASSERT_EQUAL(retried.seq, 1);
    CU_ASSERT_EQUAL(retried.attempts, 1);
    CU_ASSERT_EQUAL(retried.last_error, "HTTP 500");
    // Delivered: the next seq of b-1 comes up.
    CU_ASSERT(store->mark_delivered(retried.id, kNow + 2).ok());
    CU_ASSERT_EQUAL(only(due(*store, kNow + 2), "b-1").seq, 2);
    // Parked also lets the next one go (the order is kept, a dead event does not block forever).
    OutboxEntry two = only(due(*store, kNow + 2), "b-1");
    CU_ASSERT(store->mark_failed(two.id, "HTTP 404", 0, true).ok());
    OutboxEntry three = only(due(*store, kNow + 2), "b-1");
    CU_ASSERT_EQUAL(three.seq, 3);
    CU_ASSERT_EQUAL(three.type, "broadcast.ended");

    Result<CallbackStatus> status = store->callback_status("demo");
    CU_ASSERT_FATAL(status.ok());
    CU_ASSERT_EQUAL(status.value().parked, 1);
    CU_ASSERT_EQUAL(status.value().pending, 2);  // b-1 seq 3, b-2 seq 1
    CU_ASSERT_EQUAL(status.value().last_success_at, kNow + 2);
    CU_ASSERT_EQUAL(status.value().last_error, "HTTP 404");

    Result<std::vector<OutboxEntry>> parked = store->list_outbox("demo", OutboxState::Parked, 100);
    CU_ASSERT_FATAL(parked.ok() && parked.value().size() == 1);
    CU_ASSERT_EQUAL(parked.value()[0].id, two.id);
    Result<int> requeued = store->requeue(two.id, kNow + 3);
    CU_ASSERT_FATAL(requeued.ok());
    CU_ASSERT_EQUAL(requeued.value(), 1);
    CU_ASSERT_EQUAL(store->requeue(two.id, kNow + 3).value(), 0);  // only parked ones
    Result<std::vector<OutboxEntry>> pending = store->list_outbox("", OutboxState::Pending, 100);
    CU_ASSERT_EQUAL(pending.value().size(), 3U);
    CU_ASSERT_EQUAL(store->list_outbox("other", std::nullopt, 100).value().size(), 0U);
}

void backoff_doubles_within_jitter_and_caps() {
    CU_ASSERT_EQUAL(backoff_delay(1, 2, 600, 0.0), 2);
    CU_ASSERT_EQUAL(backoff_delay(2, 2, 600, 0.0), 4);
    CU_ASSERT_EQUAL(backoff_delay(5, 2, 600, 0.0), 32);
    CU_ASSERT_EQUAL(backoff_delay(10, 2, 600, 0.0), 600);  // 1024 capped
    CU_ASSERT_EQUAL(backoff_delay(100, 2, 600, 0.0), 600);
    CU_ASSERT_EQUAL(backoff_delay(5, 2, 600, 1.0), 38);   // +20 %: 38.4
    CU_ASSERT_EQUAL(backoff_delay(5, 2, 600, -1.0), 26);  // -20 %: 25.6
    CU_ASSERT_EQUAL(backoff_delay(1, 1, 600, -1.0), 1);   // never below a second
    for (int i = 0; i < 2000; ++i) {
        const double jitter = Sender::random_jitter();
        CU_ASSERT(jitter >= -1.0 && jitter <= 1.0);
        const std::int64_t delay = backoff_delay(7, 2, 600, jitter);
        CU_ASSERT(delay >= 102 && delay <= 154);  // 128 +- 20 %
    }
}

void outbox_survives_reopening() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    std::string failed_id;
    {
        std::unique_ptr<Store> store = open_store(path);
        append(*store, "b-1", "broadcast.started");
        append(*store, "b-1", "airtime.report");
        failed_id = due(*store, kNow)[0].id;
        CU_ASSERT(store->mark_failed(failed_id, "Couldn't connect to server", kNow + 8, false).ok());
    }  // the process is gone; only the file remains
    std::unique_ptr<Store> store = open_store(path);
    CU_ASSERT_EQUAL(due(*store, kNow + 7).size(), 0U);
    std::vector<OutboxEntry> back = due(*store, kNow + 8);
    CU_ASSERT_EQUAL_FATAL(back.size(), 1U);
    CU_ASSERT_EQUAL(back[0].id, failed_id);
    CU_ASSERT_EQUAL(back[0].attempts, 1);
    append(*store, "b-1", "broadcast.ended");
    Result<std::vector<OutboxEntry>> all = store->list_outbox("demo", std::nullopt, 100);
    CU_ASSERT_EQUAL_FATAL(all.value().size(), 3U);
    std::int64_t seq_sum = 0;
    for (const OutboxEntry& entry : all.value()) {
        seq_sum += entry.seq;
    }
    CU_ASSERT_EQUAL(seq_sum, 1 + 2 + 3);  // numbering continued after the restart
}

void version_one_store_is_migrated() {
    TempDir dir;
    const std::string path = dir.file("onair.sqlite");
    run_sql(path, R"sql(
CREATE TABLE sites (key TEXT PRIMARY KEY, secret TEXT NOT NULL, identity TEXT NOT NULL, media TEXT NOT NULL,
    audio INTEGER NOT NULL, max_broadcasts INTEGER NOT NULL, max_viewers INTEGER NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE broadcasts (broadcast_id TEXT PRIMARY KEY, site TEXT NOT NULL, user TEXT NOT NULL, name TEXT NOT NULL,
    registered_at INTEGER NOT NULL, started_at INTEGER NOT NULL DEFAULT 0, ended_at INTEGER NOT NULL DEFAULT 0,
    end_reason TEXT NOT NULL DEFAULT '');
CREATE INDEX broadcasts_unended ON broadcasts (ended_at) WHERE ended_at = 0;
INSERT INTO sites VALUES ('old', 'old-secret-0123456789', 'signed', 'sfu', 1, 5, 7, 0);
INSERT INTO broadcasts VALUES ('b-old', 'old', '42', 'Анна', 1, 2, 3, 'stopped');
PRAGMA user_version = 1;
)sql");
    std::unique_ptr<Store> store = open_store(path);
    Result<std::vector<Site>> sites = store->load_sites();
    CU_ASSERT_FATAL(sites.ok() && sites.value().size() == 1);
    CU_ASSERT_EQUAL(sites.value()[0].key, "old");
    CU_ASSERT_EQUAL(sites.value()[0].max_viewers, 7);
    CU_ASSERT_EQUAL(sites.value()[0].callback_url, "");
    CU_ASSERT_TRUE(sites.value()[0].simulcast);  // version 3 defaults
    CU_ASSERT_FALSE(sites.value()[0].p2p_relay_only);
    Result<std::optional<BroadcastRecord>> old = store->find_broadcast("b-old");
    CU_ASSERT_FATAL(old.ok() && old.value().has_value());
    CU_ASSERT_EQUAL(old.value()->end_reason, "stopped");
    CU_ASSERT_FALSE(old.value()->relay);
    CU_ASSERT(store->save_grant("b-old", "17", "Boris").ok());
    // The new tables work.
    Site site = sites.value()[0];
    site.callback_url = "https://billing.example/hook";
    CU_ASSERT(store->save_site(site).ok());
    CU_ASSERT_EQUAL(store->load_sites().value()[0].callback_url, "https://billing.example/hook");
    append(*store, "b-old", "broadcast.ended", kNow, "old");
    CU_ASSERT_EQUAL(due(*store, kNow).size(), 1U);
    store.reset();
    // Reopening a migrated file changes nothing.
    store = open_store(path);
    CU_ASSERT_EQUAL(due(*store, kNow).size(), 1U);
}

// ---- the sender, with libcurl and a real receiver ----

struct SenderRig {
    TempDir dir;
    HttpReceiver receiver;
    std::unique_ptr<Store> store;  // the Hub's side: appends and inspects
    std::int64_t clock = kNow;     // the steady clock: deadlines
    std::int64_t wall_offset = 0;  // how far the wall clock was stepped from it
    std::string url;
    std::string dead_url;  // a port nobody listens on
    std::unique_ptr<Sender> sender;

    explicit SenderRig(SenderSettings settings = {}) {
        store = open_store(dir.file("onair.sqlite"));
        url = receiver.url();
        dead_url = unused_url();
        sender = std::make_unique<Sender>(
            open_store(dir.file("onair.sqlite")), std::make_unique<CurlSink>(true),
            [this](const std::string& site) -> std::optional<CallbackTarget> {
                if (site == "dead") {
                    return CallbackTarget{dead_url, kSecret};
                }
                if (site != "demo" || url.empty()) {
                    return std::nullopt;
                }
                return CallbackTarget{url, kSecret};
            },
            settings, [this] { return clock; }, [this] { return clock + wall_offset; }, [] { return 0.0; });
    }
};

void sender_posts_signed_events_in_order() {
    SenderRig rig;
    append(*rig.store, "b-1", "broadcast.started");
    append(*rig.store, "b-1", "viewer.requested");
    append(*rig.store, "b-1", "broadcast.ended");
    append(*rig.store, "b-2", "broadcast.started");
    CU_ASSERT_EQUAL(rig.sender->run_once(), 4);
    std::vector<HttpReceiver::Request> got = rig.receiver.received();
    CU_ASSERT_EQUAL_FATAL(got.size(), 4U);
    std::int64_t last_seq_b1 = 0;
    for (const HttpReceiver::Request& request : got) {
        CU_ASSERT_EQUAL(request.method, "POST");
        CU_ASSERT_EQUAL(request.path, "/hook");
        CU_ASSERT_EQUAL(request.headers.at("content-type"), "application/json");
        JsonPtr body = parse_json(request.body);
        const std::string id = text_of(body.get(), "id");
        CU_ASSERT_EQUAL(request.headers.at("webhook-id"), id);
        CU_ASSERT_EQUAL(request.headers.at("webhook-timestamp"), std::to_string(kNow));
        CU_ASSERT_EQUAL(request.headers.at("webhook-signature"),
                        webhook_signature(kSecret, id, kNow, request.body));
        CU_ASSERT_EQUAL(text_of(body.get(), "site"), "demo");
        CU_ASSERT_EQUAL(number_of(body.get(), "timestamp"), kNow);
        CU_ASSERT_EQUAL(text_of(json_object_get(body.get(), "data"), "user"), "42");
        if (text_of(body.get(), "broadcast_id") == "b-1") {
            CU_ASSERT_EQUAL(number_of(body.get(), "seq"), last_seq_b1 + 1);
            last_seq_b1 = number_of(body.get(), "seq");
        }
    }
    CU_ASSERT_EQUAL(last_seq_b1, 3);
    CU_ASSERT_EQUAL(rig.store->list_outbox("demo", OutboxState::Delivered, 100).value().size(), 4U);
    CU_ASSERT_EQUAL(rig.sender->run_once(), 0);  // nothing left: nothing sent twice
    CU_ASSERT_EQUAL(rig.receiver.received().size(), 4U);
}

void sender_prunes_delivered_events_after_retention() {
    SenderRig rig;  // outbox_retention_days 30
    append(*rig.store, "b-1", "broadcast.started");
    append(*rig.store, "b-1", "viewer.joined");
    append(*rig.store, "b-1", "viewer.left");
    append(*rig.store, "b-2", "broadcast.started");
    CU_ASSERT_EQUAL(rig.sender->run_once(), 4);
    rig.receiver.set_status(500);
    append(*rig.store, "b-1", "airtime.report");  // stays pending: the receiver fails
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    const auto delivered = [&rig] {
        return rig.store->list_outbox("demo", OutboxState::Delivered, 100).value().size();
    };
    rig.clock = kNow + 30 * 86400 - 1;  // 30 days after the delivery, less a second: all kept
    rig.sender->run_once();
    CU_ASSERT_EQUAL(delivered(), 4U);
    rig.clock = kNow + 30 * 86400 + Sender::kPruneEvery;  // the next pruning pass
    rig.sender->run_once();
    // b-1's delivered events went; b-2 keeps its last one, b-1 its pending one.
    std::vector<OutboxEntry> left = rig.store->list_outbox("demo", std::nullopt, 100).value();
    CU_ASSERT_EQUAL_FATAL(left.size(), 2U);
    CU_ASSERT_EQUAL(delivered(), 1U);
    CU_ASSERT_EQUAL(only(left, "b-2").seq, 1);
    CU_ASSERT_EQUAL(only(left, "b-1").seq, 4);
    // Seqs count on from the kept rows.
    append(*rig.store, "b-2", "broadcast.ended", rig.clock);
    CU_ASSERT_EQUAL(rig.store->list_outbox("demo", std::nullopt, 100).value().front().seq, 2);
}

// Deadlines follow the steady clock, as the Hub's outbox rows do: a wall clock stepped back an hour
// holds nothing back (the Hub's new events and a retry are due on time) and one stepped forward
// rushes no retry, while webhook-timestamp, read by the receiver against its own clock, follows
// the wall.
void sender_deadlines_ignore_wall_clock_steps() {
    SenderRig rig(SenderSettings{5, 2, 600, 5});
    rig.wall_offset = -3600;
    append(*rig.store, "b-1", "broadcast.started", kNow);
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    CU_ASSERT_EQUAL_FATAL(rig.receiver.received().size(), 1U);
    const std::string stamp = std::to_string(kNow - 3600);
    CU_ASSERT_EQUAL(rig.receiver.received()[0].headers.at("webhook-timestamp"), stamp);

    rig.receiver.set_status(500);
    rig.wall_offset = 3600;
    append(*rig.store, "b-1", "broadcast.ended", kNow);
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);  // fails: retry due in 2 s of steady time
    CU_ASSERT_EQUAL(rig.sender->run_once(), 0);  // an hour of wall time makes it no earlier
    rig.receiver.set_status(204);
    rig.wall_offset = -3600;
    rig.clock = kNow + 2;
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);  // and an hour back makes it no later
    CU_ASSERT_EQUAL(rig.store->list_outbox("demo", OutboxState::Pending, 100).value().size(), 0U);
}

void sender_backs_off_then_parks_then_retry_delivers() {
    SenderRig rig(SenderSettings{3, 2, 600, 5});
    rig.receiver.set_status(500);
    append(*rig.store, "b-1", "broadcast.started");
    append(*rig.store, "b-1", "broadcast.ended");
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);  // the second waits behind the first
    OutboxEntry first = rig.store->list_outbox("demo", OutboxState::Pending, 100).value().back();
    CU_ASSERT_EQUAL(first.seq, 1);
    CU_ASSERT_EQUAL(first.attempts, 1);
    CU_ASSERT_EQUAL(first.last_error, "HTTP 500");
    CU_ASSERT_EQUAL(first.next_attempt_at, kNow + 2);
    rig.clock = kNow + 1;
    CU_ASSERT_EQUAL(rig.sender->run_once(), 0);  // not due yet
    rig.clock = kNow + 2;
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    rig.clock = kNow + 2 + 4;                    // second delay: 4 s
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);  // the third attempt parks it
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);  // then seq 2 goes (and fails), in the next pass
    Result<std::vector<OutboxEntry>> parked = rig.store->list_outbox("demo", OutboxState::Parked, 100);
    CU_ASSERT_EQUAL_FATAL(parked.value().size(), 1U);
    CU_ASSERT_EQUAL(parked.value()[0].seq, 1);
    CU_ASSERT_EQUAL(parked.value()[0].attempts, 3);
    CU_ASSERT_EQUAL(rig.receiver.received().size(), 4U);

    // The receiver is fixed; an operator requeues the parked event.
    rig.receiver.set_status(204);
    CU_ASSERT_EQUAL(rig.store->requeue_site("demo", rig.clock).value(), 1);
    rig.clock += 2;  // seq 2's own retry is due too
    CU_ASSERT_EQUAL(rig.sender->run_once(), 2);
    CU_ASSERT_EQUAL(rig.store->list_outbox("demo", OutboxState::Delivered, 100).value().size(), 2U);
    std::vector<HttpReceiver::Request> got = rig.receiver.received();
    CU_ASSERT_EQUAL_FATAL(got.size(), 6U);
    // The same event keeps its id and bytes across attempts: receivers deduplicate by id.
    CU_ASSERT_EQUAL(got[0].headers.at("webhook-id"), got[4].headers.at("webhook-id"));
    CU_ASSERT_EQUAL(got[0].body, got[4].body);
}

void sender_reports_network_and_tls_errors() {
    SenderRig rig(SenderSettings{12, 2, 600, 3});
    append(*rig.store, "b-1", "broadcast.started");
    append(*rig.store, "b-2", "broadcast.started");
    // https to a plain-HTTP receiver: the TLS handshake fails.
    rig.url = "https://127.0.0.1:" + std::to_string(rig.receiver.port()) + "/hook";
    // One attempt per pass for a failing site: two passes try both events.
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    std::vector<OutboxEntry> pending = rig.store->list_outbox("demo", OutboxState::Pending, 100).value();
    for (const OutboxEntry& entry : pending) {
        CU_ASSERT_EQUAL(entry.attempts, 1);
        CU_ASSERT(entry.last_error.find("SSL") != std::string::npos ||
                  entry.last_error.find("TLS") != std::string::npos);
    }
    // Nobody listening.
    rig.url = unused_url();
    rig.clock += 3;
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    pending = rig.store->list_outbox("demo", OutboxState::Pending, 100).value();
    for (const OutboxEntry& entry : pending) {
        CU_ASSERT(entry.last_error.find("connect") != std::string::npos);
    }
    // The site lost its callback URL.
    rig.url.clear();
    rig.clock += 5;
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    Result<CallbackStatus> status = rig.store->callback_status("demo");
    CU_ASSERT(status.value().last_error.find("no callback_url") != std::string::npos);
    CU_ASSERT_EQUAL(status.value().pending, 2);
}

void a_failing_site_does_not_hold_up_others() {
    SenderRig rig;
    append(*rig.store, "b-d1", "broadcast.started", kNow, "dead");
    append(*rig.store, "b-d2", "broadcast.started", kNow, "dead");
    append(*rig.store, "b-1", "broadcast.started");
    append(*rig.store, "b-2", "broadcast.started");
    CU_ASSERT_EQUAL(rig.sender->run_once(), 3);  // one try for the dead site, both of demo's
    CU_ASSERT_EQUAL(rig.receiver.received().size(), 2U);
    std::vector<OutboxEntry> dead = rig.store->list_outbox("dead", OutboxState::Pending, 100).value();
    CU_ASSERT_EQUAL_FATAL(dead.size(), 2U);
    CU_ASSERT_EQUAL(dead[0].attempts + dead[1].attempts, 1);
    // Next pass: the untried one goes first (it has waited longest), and again only one.
    CU_ASSERT_EQUAL(rig.sender->run_once(), 1);
    dead = rig.store->list_outbox("dead", OutboxState::Pending, 100).value();
    CU_ASSERT_EQUAL(dead[0].attempts, 1);
    CU_ASSERT_EQUAL(dead[1].attempts, 1);
    CU_ASSERT(dead[0].last_error.find("connect") != std::string::npos);
}

void sender_thread_delivers_and_stops() {
    SenderRig rig;
    rig.sender.reset();
    auto sender = std::make_unique<Sender>(
        open_store(rig.dir.file("onair.sqlite")), std::make_unique<CurlSink>(true),
        [&rig](const std::string& /*site*/) {
            return std::optional<CallbackTarget>(CallbackTarget{rig.url, kSecret});
        },
        SenderSettings{});
    sender->start();
    append(*rig.store, "b-1", "broadcast.started", Sender::system_clock());
    sender->wake();
    for (int i = 0; i < 100 && rig.receiver.received().empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CU_ASSERT_EQUAL(rig.receiver.received().size(), 1U);
    sender->stop();
}

// Without allow_private_callbacks, the address a name resolves to is checked at connect time:
// "localhost" and a loopback literal are refused there, and the receiver gets nothing.
void internal_receivers_refused_at_connect() {
    HttpReceiver receiver;
    CurlSink sink(false);
    const std::string port = std::to_string(receiver.port());
    for (const std::string& url : {"http://127.0.0.1:" + port + "/hook", "http://localhost:" + port + "/hook",
                                   "http://[::ffff:127.0.0.1]:" + port + "/hook"}) {
        CallbackResponse response = sink.post(CallbackRequest{url, {}, "{}", 5});
        CU_ASSERT_FALSE(response.delivered);
        CU_ASSERT_PTR_NOT_NULL(std::strstr(response.error.c_str(), "refused to connect to"));
        CU_ASSERT_PTR_NOT_NULL(std::strstr(response.error.c_str(), "allow_private_callbacks"));
    }
    CU_ASSERT_EQUAL(receiver.received().size(), 0U);
    CurlSink allowed(true);
    CU_ASSERT_TRUE(
        allowed.post(CallbackRequest{"http://localhost:" + port + "/hook", {}, "{}", 5}).delivered);
    CU_ASSERT_EQUAL(receiver.received().size(), 1U);
}

CU_TestInfo tests[] = {
    {"signature matches independent vectors", signature_matches_independent_vectors},
    {"seq counts per broadcast and gates order", seq_counts_per_broadcast_and_gates_order},
    {"backoff doubles within jitter and caps", backoff_doubles_within_jitter_and_caps},
    {"outbox survives reopening", outbox_survives_reopening},
    {"version 1 store is migrated", version_one_store_is_migrated},
    {"sender posts signed events in order", sender_posts_signed_events_in_order},
    {"sender prunes delivered events after the retention", sender_prunes_delivered_events_after_retention},
    {"sender backs off, parks, and retry delivers", sender_backs_off_then_parks_then_retry_delivers},
    {"sender deadlines ignore wall-clock steps", sender_deadlines_ignore_wall_clock_steps},
    {"sender reports network and TLS errors", sender_reports_network_and_tls_errors},
    {"a failing site does not hold up others", a_failing_site_does_not_hold_up_others},
    {"sender thread delivers and stops", sender_thread_delivers_and_stops},
    {"internal receivers refused at connect", internal_receivers_refused_at_connect},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_outbox_tests() { return add_suite("outbox", tests); }
