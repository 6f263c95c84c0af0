// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loadgen {

// Microseconds on the monotonic clock that every probe in the process shares.
std::int64_t now_us();

// The measurement phases every probe follows: packets count only inside the window.
enum class Phase { warmup, measuring, done };
extern std::atomic<Phase> g_phase;

// 64-bit FNV-1a of an RTP payload: identical on both sides of a relay, which rewrites headers only.
std::uint64_t payload_hash(std::string_view payload);

// When the broadcaster handed each RTP payload to its WebRTC stack, by payload hash, for the last
// few seconds. A payload seen twice (silence, repeated frames) is marked ambiguous and never used
// for a delay sample. Written by the sender's streaming threads, read by every viewer's.
class PayloadClock {
public:
    void sent(std::uint64_t hash, std::int64_t at_us);
    // Send time of a payload, or -1 when unknown or ambiguous.
    std::int64_t sent_at(std::uint64_t hash) const;

private:
    static constexpr std::int64_t keep_us = 5'000'000;
    static constexpr std::int64_t ambiguous = -1;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::uint64_t, std::int64_t> by_hash_;
    std::deque<std::pair<std::int64_t, std::uint64_t>> order_;  // (sent at, hash), oldest first
};

// Sequence loss and RFC 3550 interarrival jitter of one received RTP stream (one SSRC).
class StreamStats {
public:
    explicit StreamStats(std::uint32_t clock_rate) : clock_rate_(clock_rate) {}
    void packet(std::uint16_t seq, std::uint32_t timestamp, std::int64_t arrival_us);

    std::uint64_t received() const { return received_; }
    std::uint64_t expected() const { return received_ ? max_ext_ - base_ext_ + 1 : 0; }
    double jitter_ms() const { return clock_rate_ ? jitter_ / clock_rate_ * 1000.0 : 0.0; }
    double jitter_units() const { return jitter_; }  // in RTP timestamp units, for receiver reports
    // The extended highest sequence number received (cycles in the high 16 bits), as RTCP reports it.
    std::uint32_t highest_seq() const { return static_cast<std::uint32_t>(max_ext_); }

private:
    std::uint32_t clock_rate_;
    std::uint64_t received_ = 0;
    std::uint64_t base_ext_ = 0, max_ext_ = 0;
    std::uint16_t max_seq_ = 0;
    std::uint64_t cycles_ = 0;
    double jitter_ = 0;
    std::int64_t last_transit_ = 0;
};

// p-quantile (0..1) of samples (reorders them); 0 when empty.
double quantile(std::vector<double>& samples, double p);

// CPU seconds (user + system) and resident memory of this process. Call on the main thread.
struct ProcessUsage {
    double cpu_seconds = 0;
    double main_thread_cpu_seconds = 0;  // the GLib main loop: signaling, and every nice viewer
    long rss_kb = 0;
    int threads = 0;
};
ProcessUsage process_usage();

}  // namespace loadgen
