// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/hub.h"
#include "delivery/sender.h"
#include "janus/message_queue.h"
#include "media/janus_api.h"
#include "media/router.h"
#include "media/session.h"

namespace onair::janus {

// The Janus-facing plugin: one instance between init() and destroy(), behind the C entry points
// in entry.cpp. It maps Janus handles to Sessions, queues messages for its handler thread, drives
// the Hub (requests, handle lifecycle, a one-second tick) and carries out the Effects the Hub
// returns: events pushed to handles (with a subscriber offer where one asks for it), router changes,
// PeerConnection hang-ups.
//
// Lock order: Router lock -> Session::mutex_ -> Janus' internal locks; every other lock is a leaf.
//   - sessions_mutex_ guards only the session tables: held for a lookup, never while calling the
//     Hub, the Router, Janus or a Session;
//   - the Hub's mutex lives inside each Hub call; the Hub never calls out, and no plugin lock is
//     held while calling it (so the Hub mutex is never held while calling the Router or Janus);
//   - the Router's lock is held only inside Router calls, which never call the Hub or take
//     sessions_mutex_; under it the router reads a Session's negotiated media lines (its exclusive
//     side) or calls Janus' queueing functions relay_rtp/send_pli_stream (its shared side);
//   - Session::mutex_ guards a session's own fields, held for a copy, never while calling out.
//   - the callback Sender runs on its own thread with its own SQLite connection; it calls the Hub
//     (callback_target) with no lock of its own held, and the Hub never calls it, so no lock is
//     ever held across its HTTP I/O;
//   - the media path only sets per-session atomic evidence flags; the timer thread collects them
//     (under sessions_mutex_, a leaf) and hands them to the Hub after releasing it.
// Effects are carried out after the Hub call returned, on the calling thread.
class Plugin {
public:
    Plugin(janus_callbacks* gateway, janus_plugin* descriptor);
    ~Plugin();
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    // Reads the configuration, opens the store, starts the threads. False (logged) on failure.
    bool start(const char* config_path);

    void create_session(janus_plugin_session* handle, int* error);
    janus_plugin_result* handle_message(janus_plugin_session* handle, char* transaction, json_t* message,
                                        json_t* jsep);
    json_t* handle_admin_message(json_t* message);
    void setup_media(janus_plugin_session* handle);
    void incoming_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet);
    void incoming_rtcp(janus_plugin_session* handle, janus_plugin_rtcp* packet);
    void hangup_media(janus_plugin_session* handle);
    void destroy_session(janus_plugin_session* handle, int* error);
    json_t* query_session(janus_plugin_session* handle);

private:
    media::SessionPtr find(const janus_plugin_session* handle) const;
    media::SessionPtr find(HandleId id) const;

    void run_handler();
    void run_timer();
    void collect_evidence();
    void process(Message& message);
    void process_request(Message& message, const Request& request);

    // Pushes an event (and optional jsep) to a handle that is still alive.
    void push(const media::Session& session, const std::string& transaction, JsonPtr event,
              const json_t* jsep = nullptr);
    // Pushes `event` with `jsep` (a publisher's answer) or, when the event asks for one, a fresh
    // subscriber offer (or, failing that, the error); notes the event in the session.
    void push_result(media::Session& session, const std::string& transaction, PluginEvent event,
                     const json_t* jsep = nullptr);
    void push_error(const media::Session& session, const std::string& transaction, const Error& error);

    void carry_out(Effects effects);
    void carry_out(const MediaAction& action);
    // A fresh subscriber offer as jsep, its media lines noted in the viewer's session; `ice_restart`
    // asks Janus to restart ICE with it.
    Result<JsonPtr> viewer_offer(media::Session& viewer, bool ice_restart);

    static const CoreClock& clock();
    static std::int64_t now();  // the steady time (base/clock.h); the Hub reads the wall clock itself

    janus_callbacks* const gateway_;
    janus_plugin* const descriptor_;
    std::unique_ptr<Hub> hub_;
    media::Router router_;
    // Delivers billing callbacks from the store on its own thread; stopped before hub_ goes.
    std::unique_ptr<Sender> sender_;
    bool curl_initialized_ = false;

    mutable std::mutex sessions_mutex_;
    std::unordered_map<const janus_plugin_session*, media::SessionPtr> sessions_;
    std::unordered_map<HandleId, media::SessionPtr> sessions_by_id_;
    HandleId next_id_ = 1;  // guarded by sessions_mutex_

    MessageQueue messages_{kMaxWaitingMessages};
    std::atomic<bool> stopping_{false};
    std::thread handler_;
    std::thread timer_;
    std::mutex timer_mutex_;
    std::condition_variable timer_wakeup_;
};

}  // namespace onair::janus
