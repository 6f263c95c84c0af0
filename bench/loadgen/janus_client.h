// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "json.h"

namespace loadgen {

// One Janus session over the WebSocket transport (libsoup), driven from the GLib main context of
// the calling thread. Requests block while pumping that context, so WebRTC callbacks marshalled
// onto it (trickled candidates) keep flowing during signaling. Not thread-safe: main thread only.
class JanusClient {
public:
    using Clock = std::chrono::steady_clock;

    explicit JanusClient(std::string url);
    ~JanusClient();
    JanusClient(const JanusClient&) = delete;
    JanusClient& operator=(const JanusClient&) = delete;

    void connect();  // WebSocket + Janus session + keepalive; throws on failure
    std::uint64_t attach(const std::string& plugin);
    void destroy();  // ends the session (Janus frees every handle of it)

    // A plugin request; returns the plugin's final answer (the event or success after the ack).
    // Throws on a Janus error or a plugin error (data.error).
    Json message(std::uint64_t handle, Json body, Json jsep = nullptr);
    void trickle(std::uint64_t handle, Json candidate);  // fire and forget; null: completed

    // The next unsolicited event of a handle that `match` accepts (earlier ones stay queued).
    Json next_event(std::uint64_t handle, const std::function<bool(json_t*)>& match,
                    std::chrono::milliseconds timeout);

    // Runs the main context until `done` holds or the deadline passes; false on timeout.
    bool pump_until(const std::function<bool()>& done, Clock::time_point deadline);

private:
    Json request(Json body, std::chrono::milliseconds timeout = std::chrono::seconds(15));
    void send(json_t* body);
    void on_text(const char* text, std::size_t size);
    static void on_message(SoupWebsocketConnection* connection, gint type, GBytes* message, gpointer self);
    static void on_closed(SoupWebsocketConnection* connection, gpointer self);
    static gboolean on_keepalive(gpointer self);

    std::string url_;
    bool trace_;  // LOADGEN_TRACE set: every Janus message on stderr
    SoupSession* soup_ = nullptr;
    SoupWebsocketConnection* socket_ = nullptr;
    bool closed_ = false;
    std::uint64_t session_ = 0;
    guint keepalive_ = 0;
    std::uint64_t next_transaction_ = 1;
    std::map<std::string, Json> answers_;               // final answers by transaction
    std::set<std::string> waiting_;                     // transactions still expected
    std::map<std::uint64_t, std::deque<Json>> events_;  // unsolicited, by handle
};

}  // namespace loadgen
