// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "billing/outbox.h"
#include "delivery/callback_sink.h"
#include "store/store.h"

namespace onair {

struct SenderSettings {
    int max_attempts = 12;
    int backoff_base = 2;
    int backoff_max = 600;
    int timeout = 10;
    int retention_days = 30;  // delivered events are deleted this long after their delivery
};

// Delivers the outbox: on its own thread, one POST at a time, each broadcast's events strictly in
// seq order (the Store hands out only the lowest undelivered, unparked seq of each broadcast),
// failed attempts retried with exponential backoff and jitter, parked after max_attempts.
// It has its own Store (its own SQLite connection to the same file), so it never touches the Hub's
// Store or lock while it posts.
//
// Lock order: mutex_ guards only the wake-up flag and is never held while calling anything; the
// target lookup (which takes the Hub's lock briefly) and the sink's I/O run with no sender lock
// held, and the Hub never calls the sender. So the Hub's lock is never held during I/O.
class Sender {
public:
    // The site's current URL and secret, or nullopt (unknown site, or no callback_url any more).
    using TargetLookup = std::function<std::optional<CallbackTarget>(const std::string& site)>;
    using Clock = std::function<std::int64_t()>;
    using Jitter = std::function<double()>;  // uniform in [-1, 1]

    // `steady` times every deadline (retries, pruning), as the Hub's steady clock does the
    // outbox rows it writes: a wall-clock step then neither holds events back nor rushes retries.
    // `wall` stamps webhook-timestamp, which the receiver compares with its own clock (base/clock.h).
    Sender(std::unique_ptr<Store> store, std::unique_ptr<CallbackSink> sink, TargetLookup lookup,
           SenderSettings settings, Clock steady = system_clock, Clock wall = system_clock,
           Jitter jitter = random_jitter);
    ~Sender();  // stops the thread
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    // Attempts every event due now, once each, until none is due; returns the attempts made. After
    // a failed attempt, the other events of that site wait for the next pass. Once an hour it also
    // prunes events delivered more than retention_days ago, so the outbox stays bounded.
    int run_once();

    static constexpr std::int64_t kPruneEvery = 3600;

    void start();  // the delivery thread: run_once, then sleep up to a second or until wake()
    void stop();   // finishes the POST in flight (bounded by the timeout) and joins
    void wake();

    static std::int64_t system_clock();
    static double random_jitter();

private:
    bool attempt(const OutboxEntry& entry);  // true when delivered
    void prune_if_due();
    void run();

    std::unique_ptr<Store> store_;
    std::unique_ptr<CallbackSink> sink_;
    TargetLookup lookup_;
    SenderSettings settings_;
    Clock steady_;
    Clock wall_;
    Jitter jitter_;

    std::atomic<bool> stopping_{false};
    std::mutex mutex_;  // guards woken_ only
    std::condition_variable wakeup_;
    bool woken_ = false;
    std::int64_t next_prune_at_ = 0;  // the delivery thread's own
    std::thread thread_;
};

}  // namespace onair
