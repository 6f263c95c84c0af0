// SPDX-License-Identifier: GPL-3.0-or-later
#include "delivery/sender.h"

#include <chrono>
#include <random>
#include <set>

#include "delivery/signature.h"

namespace onair {

namespace {
constexpr int kBatch = 500;
}  // namespace

Sender::Sender(std::unique_ptr<Store> store, std::unique_ptr<CallbackSink> sink, TargetLookup lookup,
               SenderSettings settings, Clock steady, Clock wall, Jitter jitter)
    : store_(std::move(store)),
      sink_(std::move(sink)),
      lookup_(std::move(lookup)),
      settings_(settings),
      steady_(std::move(steady)),
      wall_(std::move(wall)),
      jitter_(std::move(jitter)) {}

Sender::~Sender() { stop(); }

std::int64_t Sender::system_clock() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double Sender::random_jitter() {
    thread_local std::mt19937 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(-1.0, 1.0)(generator);
}

void Sender::prune_if_due() {
    const std::int64_t now = steady_();
    if (now < next_prune_at_) {
        return;
    }
    // A failed prune is retried at the next due time; nothing is lost by waiting.
    (void)store_->prune_delivered(now - std::int64_t{settings_.retention_days} * 86400);
    next_prune_at_ = now + kPruneEvery;
}

int Sender::run_once() {
    prune_if_due();
    int attempts = 0;
    // A site whose receiver failed in this pass gets no more attempts in it: its next events would
    // most likely fail the same way, each taking up to the timeout, while other sites wait.
    std::set<std::string> failing;
    while (!stopping_.load()) {
        Result<std::vector<OutboxEntry>> due = store_->due_events(steady_(), kBatch);
        if (!due) {
            break;  // a store error is retried on the next pass
        }
        int attempted = 0;
        for (const OutboxEntry& entry : due.value()) {
            if (stopping_.load()) {
                break;
            }
            if (failing.count(entry.site) > 0) {
                continue;  // stays due for the next pass
            }
            if (!attempt(entry)) {
                failing.insert(entry.site);
            }
            ++attempted;
        }
        attempts += attempted;
        if (attempted == 0) {
            break;  // nothing due, or only events of failing sites
        }
    }
    return attempts;
}

bool Sender::attempt(const OutboxEntry& entry) {
    CallbackResponse response;
    const std::optional<CallbackTarget> target = lookup_(entry.site);
    if (!target) {
        response.error = "site '" + entry.site + "' has no callback_url (or was removed)";
    } else {
        const std::int64_t timestamp = wall_();
        CallbackRequest request;
        request.url = target->url;
        request.body = event_body(entry);
        request.timeout_seconds = settings_.timeout;
        request.headers = {
            {"Content-Type", "application/json"},
            {"webhook-id", entry.id},
            {"webhook-timestamp", std::to_string(timestamp)},
            {"webhook-signature", webhook_signature(target->secret, entry.id, timestamp, request.body)}};
        response = sink_->post(request);
    }
    const std::int64_t now = steady_();
    if (response.delivered) {
        (void)store_->mark_delivered(entry.id, now);  // a failed write means one more (idempotent) delivery
        return true;
    }
    const int attempts = entry.attempts + 1;
    const bool park = attempts >= settings_.max_attempts;
    const std::int64_t next =
        now + backoff_delay(attempts, settings_.backoff_base, settings_.backoff_max, jitter_());
    (void)store_->mark_failed(entry.id, response.error, park ? 0 : next, park);
    return false;
}

void Sender::start() {
    if (thread_.joinable()) {
        return;
    }
    stopping_.store(false);
    thread_ = std::thread([this] { run(); });
}

void Sender::stop() {
    stopping_.store(true);
    wake();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Sender::wake() {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        woken_ = true;
    }
    wakeup_.notify_all();
}

void Sender::run() {
    while (!stopping_.load()) {
        run_once();
        std::unique_lock<std::mutex> lock(mutex_);
        wakeup_.wait_for(lock, std::chrono::seconds(1), [this] { return woken_ || stopping_.load(); });
        woken_ = false;
    }
}

}  // namespace onair
