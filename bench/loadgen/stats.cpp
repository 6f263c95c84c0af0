// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats.h"

#include <glib.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace loadgen {

std::atomic<Phase> g_phase{Phase::warmup};

std::int64_t now_us() { return g_get_monotonic_time(); }

std::uint64_t payload_hash(std::string_view payload) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const unsigned char byte : payload) {
        hash ^= byte;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

void PayloadClock::sent(std::uint64_t hash, std::int64_t at_us) {
    std::unique_lock lock(mutex_);
    while (!order_.empty() && order_.front().first < at_us - keep_us) {
        by_hash_.erase(order_.front().second);
        order_.pop_front();
    }
    auto [it, inserted] = by_hash_.try_emplace(hash, at_us);
    if (!inserted) {
        it->second = ambiguous;
        return;
    }
    order_.emplace_back(at_us, hash);
}

std::int64_t PayloadClock::sent_at(std::uint64_t hash) const {
    std::shared_lock lock(mutex_);
    const auto it = by_hash_.find(hash);
    return it == by_hash_.end() ? ambiguous : it->second;
}

void StreamStats::packet(std::uint16_t seq, std::uint32_t timestamp, std::int64_t arrival_us) {
    // Extended sequence numbers (RFC 3550 A.1 without the probation logic: streams here are known).
    if (received_ == 0) {
        max_seq_ = seq;
        base_ext_ = max_ext_ = seq;
    } else {
        const auto delta = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - max_seq_));
        if (delta > 0) {
            if (seq < max_seq_)
                cycles_ += 65536;
            max_seq_ = seq;
            max_ext_ = cycles_ + seq;
        }
    }
    ++received_;
    // Interarrival jitter (RFC 3550 6.4.1) in timestamp units.
    const auto arrival = static_cast<std::int64_t>(static_cast<double>(arrival_us) * clock_rate_ / 1e6);
    const std::int64_t transit = arrival - static_cast<std::int64_t>(timestamp);
    if (received_ > 1) {
        const double d = std::fabs(static_cast<double>(transit - last_transit_));
        // A wrapped timestamp shows as a huge jump: skip that one sample.
        if (d < 10.0 * clock_rate_)
            jitter_ += (d - jitter_) / 16.0;
    }
    last_transit_ = transit;
}

double quantile(std::vector<double>& samples, double p) {
    if (samples.empty())
        return 0;
    const auto index =
        static_cast<std::size_t>(std::clamp(p, 0.0, 1.0) * static_cast<double>(samples.size() - 1));
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(index), samples.end());
    return samples[index];
}

ProcessUsage process_usage() {
    ProcessUsage usage;
    auto seconds = [](int who) {
        rusage used{};
        getrusage(who, &used);
        return static_cast<double>(used.ru_utime.tv_sec + used.ru_stime.tv_sec) +
               static_cast<double>(used.ru_utime.tv_usec + used.ru_stime.tv_usec) / 1e6;
    };
    usage.cpu_seconds = seconds(RUSAGE_SELF);
    usage.main_thread_cpu_seconds = seconds(RUSAGE_THREAD);
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0)
            usage.rss_kb = std::stol(line.substr(6));
        if (line.rfind("Threads:", 0) == 0)
            usage.threads = std::stoi(line.substr(8));
    }
    return usage;
}

}  // namespace loadgen
