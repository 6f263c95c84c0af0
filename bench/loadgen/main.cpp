// SPDX-License-Identifier: GPL-3.0-or-later
// onair-loadgen: a simulated broadcaster and N simulated viewers on GStreamer webrtcbin, driven
// through a real Janus (OnAir, VideoRoom or Streaming). Prints JSON lines on stdout: progress
// events, then one summary. See bench/loadgen/README.md.
#include <gst/gst.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "janus_client.h"
#include "nice_viewer.h"
#include "peer.h"
#include "stats.h"
#include "targets.h"

using namespace loadgen;

namespace {

struct Options {
    std::string target = "onair";
    std::string janus = "ws://127.0.0.1:8188";
    int viewers = 10;
    int seconds = 10;       // measuring window
    int warmup = 3;         // after the last viewer joined, before the window
    int join_timeout = 60;  // the whole join phase; viewers not joined by then are left out
    bool full_receive = false;
    std::string viewer_stack = "webrtcbin";  // or "nice"
    TargetOptions target_options;
};

// How long the broadcaster runs alone before the first viewer joins, to measure its own CPU.
constexpr int baseline_seconds = 2;

const char* usage =
    "usage: onair-loadgen [--target onair|videoroom|streaming] [--viewers N] [--seconds S]\n"
    "         [--warmup S] [--join-timeout S] [--janus ws://HOST:PORT] [--site KEY]\n"
    "         [--streaming-threads K] [--rtp-host IP] [--width W] [--height H] [--fps F]\n"
    "         [--video-kbps K] [--audio-kbps K] [--keyframe-seconds S] [--pattern NAME]\n"
    "         [--full-receive] [--viewer-stack webrtcbin|nice]\n";

Options parse(int argc, char** argv) {
    Options options;
    auto& media = options.target_options.media;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "-h" || flag == "--help") {
            std::fputs(usage, stdout);
            std::exit(0);
        }
        if (flag == "--full-receive") {
            options.full_receive = true;
            continue;
        }
        if (i + 1 >= argc)
            throw std::invalid_argument("missing value for " + flag);
        const std::string value = argv[++i];
        auto number = [&](int low, int high) {
            const int parsed = std::stoi(value);
            if (parsed < low || parsed > high)
                throw std::invalid_argument(flag + " out of range");
            return parsed;
        };
        if (flag == "--target")
            options.target = value;
        else if (flag == "--janus")
            options.janus = value;
        else if (flag == "--viewers")
            options.viewers = number(0, 2000);
        else if (flag == "--seconds")
            options.seconds = number(1, 600);
        else if (flag == "--warmup")
            options.warmup = number(0, 60);
        else if (flag == "--join-timeout")
            options.join_timeout = number(1, 600);
        else if (flag == "--viewer-stack") {
            if (value != "webrtcbin" && value != "nice")
                throw std::invalid_argument("--viewer-stack is webrtcbin or nice");
            options.viewer_stack = value;
        } else if (flag == "--site")
            options.target_options.site = value;
        else if (flag == "--streaming-threads")
            options.target_options.streaming_threads = number(0, 16);
        else if (flag == "--rtp-host")
            options.target_options.rtp_host = value;
        else if (flag == "--width")
            media.width = number(16, 1920);
        else if (flag == "--height")
            media.height = number(16, 1080);
        else if (flag == "--fps")
            media.fps = number(1, 60);
        else if (flag == "--video-kbps")
            media.video_kbps = number(50, 5000);
        else if (flag == "--audio-kbps")
            media.audio_kbps = number(6, 256);
        else if (flag == "--pattern")
            media.pattern = value;
        else if (flag == "--keyframe-seconds")
            media.keyframe_seconds = number(1, 60);
        else
            throw std::invalid_argument("unknown option " + flag);
    }
    return options;
}

void emit(json_t* line) {
    Json owned = json_take(line);
    std::cout << json_dump(owned.get()) << std::endl;
}

json_t* quantiles(std::vector<double> samples) {
    const auto count = static_cast<json_int_t>(samples.size());
    const double p50 = quantile(samples, 0.5), p95 = quantile(samples, 0.95), p99 = quantile(samples, 0.99),
                 max = quantile(samples, 1.0);
    return json_pack("{s:I,s:f,s:f,s:f,s:f}", "samples", count, "p50", p50, "p95", p95, "p99", p99, "max",
                     max);
}

json_t* summarize(const Options& options, const Target& target, int joined,
                  const std::vector<std::string>& errors, const std::vector<std::unique_ptr<Viewer>>& viewers,
                  const ProcessUsage& before, const ProcessUsage& after, double window_s) {
    std::uint64_t received = 0, expected = 0, unmatched = 0, received_video = 0, received_audio = 0;
    int receiving = 0;
    std::vector<double> delays, jitter_video, jitter_audio, first_packet;
    const std::uint64_t sent_video = target.publisher().sent_video(),
                        sent_audio = target.publisher().sent_audio();
    // Loss: sequence gaps, plus everything sent on a stream a viewer never received, plus every
    // packet for the viewers that never joined.
    double wanted =
        static_cast<double>(sent_video + sent_audio) * (options.viewers - static_cast<int>(viewers.size()));
    for (const auto& viewer : viewers) {
        ViewerReport report = viewer->report();
        received += report.received;
        expected += report.expected;
        received_video += report.received_video;
        received_audio += report.received_audio;
        unmatched += report.unmatched;
        if (report.received_video > 0 && report.received_audio > 0)
            ++receiving;
        wanted += static_cast<double>(report.expected + (report.received_video ? 0 : sent_video) +
                                      (report.received_audio ? 0 : sent_audio));
        if (report.received_video)
            jitter_video.push_back(report.jitter_video_ms);
        if (report.received_audio)
            jitter_audio.push_back(report.jitter_audio_ms);
        if (report.first_packet_ms >= 0)
            first_packet.push_back(report.first_packet_ms);
        delays.insert(delays.end(), report.delay_ms.begin(), report.delay_ms.end());
    }
    const double loss = wanted > 0 ? std::max(0.0, 1.0 - static_cast<double>(received) / wanted) : 1.0;
    // Delivery: received against sent over the same window; packets in flight at its edges blur it.
    const double sent_to_all = static_cast<double>(sent_video + sent_audio) * options.viewers;
    const double delivery = sent_to_all > 0 ? static_cast<double>(received) / sent_to_all : 0;
    const double seq_loss =
        expected ? 1.0 - static_cast<double>(received) / static_cast<double>(expected) : 0;
    const double matched =
        delays.size() + unmatched ? static_cast<double>(delays.size()) / (delays.size() + unmatched) : 0;
    json_t* error_list = json_array();
    for (std::size_t i = 0; i < errors.size() && i < 5; ++i)
        json_array_append_new(error_list, json_string(errors[i].c_str()));
    const double cpu = after.cpu_seconds - before.cpu_seconds;
    const auto& media = options.target_options.media;
    json_t* summary = json_pack(
        "{s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:f,"
        "s:{s:i,s:i,s:i,s:i,s:i,s:i},"
        "s:{s:I,s:I,s:f},s:{s:I,s:I,s:I},s:f,s:f,s:I,s:I,"
        "s:{s:o,s:o},s:o,s:f,s:o,"
        "s:{s:f,s:f,s:I,s:I,s:i},s:o}",
        "event", "summary", "target", options.target.c_str(), "setup", target.describe().c_str(), "viewers",
        options.viewers, "joined", joined, "receiving", receiving, "seconds", options.seconds, "window_s",
        window_s, "media", "width", media.width, "height", media.height, "fps", media.fps, "video_kbps",
        media.video_kbps, "audio_kbps", media.audio_kbps, "keyframe_seconds", media.keyframe_seconds, "sent",
        "video", static_cast<json_int_t>(sent_video), "audio", static_cast<json_int_t>(sent_audio), "kbps",
        window_s > 0 ? static_cast<double>(target.publisher().sent_bytes()) * 8 / 1000 / window_s : 0.0,
        "received", "total", static_cast<json_int_t>(received), "video",
        static_cast<json_int_t>(received_video), "audio", static_cast<json_int_t>(received_audio), "delivery",
        delivery, "seq_loss", seq_loss, "expected_seq", static_cast<json_int_t>(expected), "lost_seq",
        static_cast<json_int_t>(expected > received ? expected - received : 0), "jitter_ms", "video",
        quantiles(jitter_video), "audio", quantiles(jitter_audio), "delay_ms", quantiles(delays),
        "delay_matched", matched, "first_packet_ms", quantiles(first_packet), "loadgen", "cpu_seconds", cpu,
        "cpu_percent", window_s > 0 ? 100.0 * cpu / window_s : 0.0, "rss_kb",
        static_cast<json_int_t>(after.rss_kb), "rss_kb_start", static_cast<json_int_t>(before.rss_kb),
        "threads", after.threads, "errors", error_list);
    json_object_set_new(summary, "loss", json_real(loss));
    return summary;
}

int run(const Options& options) {
    JanusClient janus(options.janus);
    janus.connect();
    PayloadClock clock;
    std::unique_ptr<Target> target = make_target(options.target, janus, clock, options.target_options);
    if (!target)
        throw std::invalid_argument("unknown target " + options.target);
    target->publish();
    emit(json_pack("{s:s,s:s}", "event", "publishing", "setup", target->describe().c_str()));

    auto sleep_for = [&](int seconds) {
        janus.pump_until([] { return false; }, JanusClient::Clock::now() + std::chrono::seconds(seconds));
    };
    // The broadcaster alone (encoder, its WebRTC stack) for a while, so that the viewers' own share
    // of the window's CPU is known.
    const ProcessUsage idle = process_usage();
    const std::int64_t idle_started = now_us();
    sleep_for(baseline_seconds);
    const double broadcaster_cpu_percent = 100.0 * (process_usage().cpu_seconds - idle.cpu_seconds) /
                                           (static_cast<double>(now_us() - idle_started) / 1e6);
    std::unique_ptr<NiceStack> nice;
    if (options.viewer_stack == "nice")
        nice = std::make_unique<NiceStack>();
    std::vector<std::unique_ptr<Viewer>> viewers;
    std::vector<std::string> errors;
    const auto join_deadline = JanusClient::Clock::now() + std::chrono::seconds(options.join_timeout);
    const std::int64_t join_started = now_us();
    for (int i = 0; i < options.viewers && JanusClient::Clock::now() < join_deadline; ++i) {
        try {
            std::unique_ptr<Viewer> viewer;
            if (nice)
                viewer = std::make_unique<NiceViewer>(clock, *nice);
            else
                viewer = std::make_unique<WebRtcViewer>(i, clock, options.full_receive);
            target->add_viewer(*viewer, i);
            viewers.push_back(std::move(viewer));
        } catch (const std::exception& error) {
            errors.emplace_back(error.what());
            if (errors.size() > 10 && errors.size() > viewers.size() / 10)
                break;  // the machine gave up
        }
    }
    const int joined = static_cast<int>(viewers.size());
    emit(json_pack("{s:s,s:i,s:i,s:f}", "event", "joined", "viewers", joined, "failed",
                   static_cast<int>(errors.size()), "join_s",
                   static_cast<double>(now_us() - join_started) / 1e6));

    sleep_for(options.warmup);
    const ProcessUsage before = process_usage();
    const std::int64_t window_start = now_us();
    g_phase = Phase::measuring;
    emit(json_pack("{s:s}", "event", "window_start"));
    sleep_for(options.seconds);
    g_phase = Phase::done;
    const double window_s = static_cast<double>(now_us() - window_start) / 1e6;
    const ProcessUsage after = process_usage();
    emit(json_pack("{s:s,s:f}", "event", "window_end", "window_s", window_s));

    Json summary = json_take(summarize(options, *target, joined, errors, viewers, before, after, window_s));
    json_object_set_new(summary.get(), "loadgen_rss_kb_idle", json_integer(idle.rss_kb));
    json_t* cost = json_object_get(summary.get(), "loadgen");
    const double viewers_cpu =
        100.0 * (after.cpu_seconds - before.cpu_seconds) / window_s - broadcaster_cpu_percent;
    const double per_viewer = joined ? 1.0 / joined : 0.0;
    json_object_set_new(cost, "broadcaster_cpu_percent", json_real(broadcaster_cpu_percent));
    json_object_set_new(
        cost, "main_thread_cpu_percent",
        json_real(100.0 * (after.main_thread_cpu_seconds - before.main_thread_cpu_seconds) / window_s));
    json_object_set_new(cost, "cpu_percent_per_viewer", json_real(viewers_cpu * per_viewer));
    json_object_set_new(cost, "rss_kb_per_viewer",
                        json_real(static_cast<double>(after.rss_kb - idle.rss_kb) * per_viewer));
    json_object_set_new(cost, "threads_per_viewer", json_real((after.threads - idle.threads) * per_viewer));
    json_object_set_new(summary.get(), "full_receive", json_boolean(options.full_receive));
    json_object_set_new(summary.get(), "viewer_stack", json_string(options.viewer_stack.c_str()));
    std::cout << json_dump(summary.get()) << std::endl;
    janus.destroy();
    const int receiving = static_cast<int>(json_integer_value(json_object_get(summary.get(), "receiving")));
    return receiving == options.viewers ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
    gst_init(&argc, &argv);
    try {
        quiet_ice_defaults();
        return run(parse(argc, argv));
    } catch (const std::invalid_argument& error) {
        std::fprintf(stderr, "onair-loadgen: %s\n%s", error.what(), usage);
        return 2;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "onair-loadgen: %s\n", error.what());
        return 1;
    }
}
