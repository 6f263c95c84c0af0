// SPDX-License-Identifier: GPL-3.0-or-later
#include "targets.h"

#include <unistd.h>

#include <stdexcept>

namespace loadgen {

namespace {

using std::chrono::seconds;

std::string sdp_of(json_t* message) {
    std::string sdp = json_text(json_object_get(message, "jsep"), "sdp");
    if (sdp.empty())
        throw std::runtime_error("expected a jsep in " + json_dump(message));
    return sdp;
}

json_t* data_of(json_t* message) { return json_path(message, {"plugindata", "data"}); }

Json jsep(const char* type, const std::string& sdp) {
    return json_take(json_pack("{s:s,s:s}", "type", type, "sdp", sdp.c_str()));
}

// A process-unique number for rooms, mountpoints and users, so runs never collide in one Janus.
std::int64_t run_id() { return static_cast<std::int64_t>(getpid()) * 1000 + (now_us() / 1000) % 1000; }

}  // namespace

Viewer::CandidateSink Target::trickle_to(std::uint64_t handle) {
    return [this, handle](Json candidate) {
        janus_.trickle(handle, std::move(candidate));
    };
}

void Target::answer_offer(Viewer& viewer, std::uint64_t handle, json_t* event, const char* start_request) {
    const std::string answer = viewer.answer(sdp_of(event));
    janus_.message(handle, json_take(json_pack("{s:s}", "request", start_request)), jsep("answer", answer));
}

void Target::start_webrtc_publisher() {
    publisher_ = std::make_unique<Publisher>(options_.media, clock_);
    publisher_->start();
}

Json Target::publish_webrtc(std::uint64_t handle, Json request) {
    if (!publisher_)
        start_webrtc_publisher();
    publisher_->on_candidate(trickle_to(handle));
    const std::string offer = publisher_->create_offer();
    Json answer = janus_.message(handle, std::move(request), jsep("offer", offer));
    publisher_->set_remote_answer(sdp_of(answer.get()));
    return answer;
}

namespace {

// janus.plugin.onair: broadcast + publish; each viewer watches, the broadcaster accepts
// (`answer`), the viewer answers the `accepted` offer with `start` (docs/protocol.md).
class OnAirTarget : public Target {
public:
    using Target::Target;

    void publish() override {
        // Sources first: a registered broadcast must publish within the plugin's publish_timeout.
        start_webrtc_publisher();
        broadcaster_ = janus_.attach("janus.plugin.onair");
        user_ = "bench-broadcaster-" + std::to_string(run_id());
        janus_.message(broadcaster_, json_take(json_pack("{s:s,s:s,s:s,s:s}", "request", "broadcast", "site",
                                                         options_.site.c_str(), "user", user_.c_str(), "name",
                                                         "Benchmark")));
        publish_webrtc(broadcaster_, json_take(json_pack("{s:s}", "request", "publish")));
        janus_.next_event(
            broadcaster_, [](json_t* e) { return event_name(e) == "live"; }, seconds(20));
    }

    void add_viewer(Viewer& viewer, int index) override {
        const std::uint64_t handle = janus_.attach("janus.plugin.onair");
        viewer.on_candidate(trickle_to(handle));
        const std::string user = user_ + "-viewer-" + std::to_string(index);
        Json waiting = janus_.message(handle, json_take(json_pack("{s:s,s:s,s:s,s:s}", "request", "watch",
                                                                  "site", options_.site.c_str(), "target",
                                                                  user_.c_str(), "user", user.c_str())));
        const std::string request_id =
            json_text(json_object_get(data_of(waiting.get()), "result"), "request_id");
        janus_.next_event(
            broadcaster_,
            [&](json_t* e) {
                return event_name(e) == "watch_request" &&
                       json_text(json_object_get(data_of(e), "result"), "request_id") == request_id;
            },
            seconds(10));
        janus_.message(broadcaster_, json_take(json_pack("{s:s,s:s,s:b}", "request", "answer", "request_id",
                                                         request_id.c_str(), "accept", 1)));
        Json accepted = janus_.next_event(
            handle, [](json_t* e) { return event_name(e) == "accepted"; }, seconds(10));
        answer_offer(viewer, handle, accepted.get());
    }

    std::string describe() const override { return "onair site " + options_.site + ", broadcaster " + user_; }

private:
    static std::string event_name(json_t* message) {
        return json_text(json_object_get(data_of(message), "result"), "event");
    }
    std::uint64_t broadcaster_ = 0;
    std::string user_;
};

// janus.plugin.videoroom: a fresh room, the broadcaster joins as publisher and configures; each
// viewer joins as a subscriber to its feed and starts.
class VideoRoomTarget : public Target {
public:
    using Target::Target;

    void publish() override {
        const std::uint64_t handle = janus_.attach("janus.plugin.videoroom");
        room_ = run_id();
        janus_.message(
            handle, json_take(json_pack("{s:s,s:I,s:i,s:s,s:s,s:b}", "request", "create", "room",
                                        static_cast<json_int_t>(room_), "publishers", 1, "videocodec", "vp8",
                                        "audiocodec", "opus", "permanent", 0)));
        Json joined = janus_.message(
            handle, json_take(json_pack("{s:s,s:s,s:I,s:s}", "request", "join", "ptype", "publisher", "room",
                                        static_cast<json_int_t>(room_), "display", "Benchmark")));
        feed_ = json_integer_value(json_object_get(data_of(joined.get()), "id"));
        publish_webrtc(handle,
                       json_take(json_pack("{s:s,s:b,s:b}", "request", "configure", "audio", 1, "video", 1)));
        janus_.next_event(
            handle, [](json_t* e) { return json_text(e, "janus") == "webrtcup"; }, seconds(20));
    }

    void add_viewer(Viewer& viewer, int index) override {
        (void)index;
        const std::uint64_t handle = janus_.attach("janus.plugin.videoroom");
        viewer.on_candidate(trickle_to(handle));
        Json attached =
            janus_.message(handle, json_take(json_pack("{s:s,s:s,s:I,s:[{s:I}]}", "request", "join", "ptype",
                                                       "subscriber", "room", static_cast<json_int_t>(room_),
                                                       "streams", "feed", static_cast<json_int_t>(feed_))));
        answer_offer(viewer, handle, attached.get());
    }

    std::string describe() const override { return "videoroom room " + std::to_string(room_); }

private:
    std::int64_t room_ = 0;
    std::int64_t feed_ = 0;
};

// janus.plugin.streaming: an RTP mountpoint created through the API (ports chosen by Janus,
// optional helper threads), fed with plain RTP by the broadcaster, as a Streaming operator feeds
// it from an encoder; each viewer watches and starts.
class StreamingTarget : public Target {
public:
    using Target::Target;

    void publish() override {
        const std::uint64_t handle = janus_.attach("janus.plugin.streaming");
        mountpoint_ = run_id();
        const std::string name = "bench-" + std::to_string(mountpoint_);
        Json created = janus_.message(
            handle, json_take(json_pack(
                        "{s:s,s:s,s:I,s:s,s:i,s:b,s:[{s:s,s:s,s:i,s:i,s:s},{s:s,s:s,s:i,s:i,s:s}]}",
                        "request", "create", "type", "rtp", "id", static_cast<json_int_t>(mountpoint_),
                        "name", name.c_str(), "threads", options_.streaming_threads, "permanent", 0, "media",
                        "type", "video", "mid", "v", "port", 0, "pt", 96, "codec", "vp8", "type", "audio",
                        "mid", "a", "port", 0, "pt", 111, "codec", "opus")));
        Publisher::PlainRtp plain{options_.rtp_host, 0, 0};
        json_t* ports = json_path(data_of(created.get()), {"stream", "ports"});
        for (std::size_t i = 0; i < json_array_size(ports); ++i) {
            json_t* port = json_array_get(ports, i);
            const int number = static_cast<int>(json_integer_value(json_object_get(port, "port")));
            (json_text(port, "type") == "video" ? plain.video_port : plain.audio_port) = number;
        }
        if (!plain.video_port || !plain.audio_port)
            throw std::runtime_error("mountpoint ports missing in " + json_dump(created.get()));
        publisher_ = std::make_unique<Publisher>(options_.media, clock_, &plain);
        publisher_->start();
    }

    void add_viewer(Viewer& viewer, int index) override {
        (void)index;
        const std::uint64_t handle = janus_.attach("janus.plugin.streaming");
        viewer.on_candidate(trickle_to(handle));
        Json preparing = janus_.message(handle, json_take(json_pack("{s:s,s:I}", "request", "watch", "id",
                                                                    static_cast<json_int_t>(mountpoint_))));
        answer_offer(viewer, handle, preparing.get());
    }

    std::string describe() const override {
        return "streaming mountpoint " + std::to_string(mountpoint_) + ", " +
               std::to_string(options_.streaming_threads) + " helper threads";
    }

private:
    std::int64_t mountpoint_ = 0;
};

}  // namespace

std::unique_ptr<Target> make_target(const std::string& name, JanusClient& janus, PayloadClock& clock,
                                    const TargetOptions& options) {
    if (name == "onair")
        return std::make_unique<OnAirTarget>(janus, clock, options);
    if (name == "videoroom")
        return std::make_unique<VideoRoomTarget>(janus, clock, options);
    if (name == "streaming")
        return std::make_unique<StreamingTarget>(janus, clock, options);
    return nullptr;
}

}  // namespace loadgen
