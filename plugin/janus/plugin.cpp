// SPDX-License-Identifier: GPL-3.0-or-later
// Plugin lifecycle and the Janus callbacks; request handling is in plugin_requests.cpp, carrying
// out the Hub's effects in plugin_effects.cpp.
#include "janus/plugin.h"

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <string>

#include "base/clock.h"
#include "core/admin_answers.h"
#include "delivery/curl_sink.h"
#include "janus/config_reader.h"
#include "janus/json_event.h"
#include "store/store.h"

namespace onair::janus {
namespace {

constexpr const char* kPackage = "janus.plugin.onair";

// Creates the folder of the store file, so a fresh install works without manual steps.
bool ensure_parent_folder(const std::string& path) {
    gchar* folder = g_path_get_dirname(path.c_str());
    const int result = g_mkdir_with_parents(folder, 0755);
    if (result != 0)
        JANUS_LOG(LOG_ERR, "OnAir: cannot create the store folder %s: %s\n", folder, g_strerror(errno));
    g_free(folder);
    return result == 0;
}

}  // namespace

Plugin::Plugin(janus_callbacks* gateway, janus_plugin* descriptor)
    : gateway_(gateway), descriptor_(descriptor), router_(gateway) {}

Plugin::~Plugin() {
    stopping_.store(true);
    if (sender_)
        sender_->stop();  // an in-flight POST ends within delivery_timeout
    messages_.close();
    {
        std::lock_guard lock(timer_mutex_);  // so the timer cannot miss the wakeup
    }
    timer_wakeup_.notify_all();
    if (handler_.joinable())
        handler_.join();
    if (timer_.joinable())
        timer_.join();
    router_.clear();
    std::unordered_map<const janus_plugin_session*, media::SessionPtr> sessions;
    {
        std::lock_guard lock(sessions_mutex_);
        sessions.swap(sessions_);
        sessions_by_id_.clear();
    }
    for (auto& [handle, session] : sessions)
        session->mark_destroyed();
    sessions.clear();  // gives the core its plugin-session references back
    sender_.reset();
    hub_.reset();
    if (curl_initialized_)
        curl_global_cleanup();  // reference-counted by libcurl: pairs with our curl_global_init
}

bool Plugin::start(const char* config_path) {
    Result<PluginConfig> config = read_plugin_config(config_path, kPackage);
    if (!config) {
        JANUS_LOG(LOG_ERR, "OnAir: %s\n", config.error().message.c_str());
        return false;
    }
    const Settings& settings = config.value().settings;
    if (!ensure_parent_folder(settings.store_path))
        return false;
    Result<std::unique_ptr<Store>> store = Store::open(settings.store_path);
    if (!store) {
        JANUS_LOG(LOG_ERR, "OnAir: cannot open the store %s: %s\n", settings.store_path.c_str(),
                  store.error().message.c_str());
        return false;
    }
    hub_ = std::make_unique<Hub>(settings, std::move(store.value()),
                                 [](std::int64_t /*steady_now*/) { return clock().wall_now(); });
    if (Status started = hub_->start(config.value().sites, now()); !started.ok()) {
        JANUS_LOG(LOG_ERR, "OnAir: cannot start: %s\n", started.error().message.c_str());
        return false;
    }
    JANUS_LOG(LOG_INFO, "OnAir: %zu configured site(s), store %s\n", config.value().sites.size(),
              settings.store_path.c_str());

    // Billing callbacks: their own thread and their own connection to the store.
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        JANUS_LOG(LOG_ERR, "OnAir: cannot initialize libcurl for billing callbacks\n");
        return false;
    }
    curl_initialized_ = true;
    Result<std::unique_ptr<Store>> sender_store = Store::open(settings.store_path);
    if (!sender_store) {
        JANUS_LOG(LOG_ERR, "OnAir: cannot open the store for the callback sender: %s\n",
                  sender_store.error().message.c_str());
        return false;
    }
    SenderSettings delivery{settings.delivery_max_attempts, settings.delivery_backoff_base,
                            settings.delivery_backoff_max, settings.delivery_timeout,
                            settings.outbox_retention_days};
    Hub* hub = hub_.get();
    sender_ = std::make_unique<Sender>(
        std::move(sender_store.value()), std::make_unique<CurlSink>(settings.allow_private_callbacks),
        [hub](const std::string& site) { return hub->callback_target(site); }, delivery,
        [] { return clock().steady_now(); }, [] { return clock().wall_now(); });
    sender_->start();
    handler_ = std::thread([this] { run_handler(); });
    timer_ = std::thread([this] { run_timer(); });
    return true;
}

const CoreClock& Plugin::clock() {
    // Made at the first call (init): from then on a wall-clock step moves no duration.
    static const CoreClock clock;
    return clock;
}

std::int64_t Plugin::now() { return clock().steady_now(); }

media::SessionPtr Plugin::find(const janus_plugin_session* handle) const {
    std::lock_guard lock(sessions_mutex_);
    auto found = sessions_.find(handle);
    return found == sessions_.end() ? nullptr : found->second;
}

media::SessionPtr Plugin::find(HandleId id) const {
    std::lock_guard lock(sessions_mutex_);
    auto found = sessions_by_id_.find(id);
    return found == sessions_by_id_.end() ? nullptr : found->second;
}

void Plugin::create_session(janus_plugin_session* handle, int* error) {
    if (stopping_.load()) {
        *error = -1;
        return;
    }
    media::SessionPtr session;
    {
        std::lock_guard lock(sessions_mutex_);
        session = std::make_shared<media::Session>(handle, next_id_++);
        sessions_.emplace(handle, session);
        sessions_by_id_.emplace(session->id(), session);
    }
    handle->plugin_handle = session.get();
    hub_->handle_created(session->id());
    JANUS_LOG(LOG_VERB, "OnAir: handle %" PRIu64 " attached\n", session->id());
}

janus_plugin_result* Plugin::handle_message(janus_plugin_session* handle, char* transaction, json_t* message,
                                            json_t* jsep) {
    // Janus hands us one reference to each of these: own them from here on.
    Message queued{nullptr, transaction ? transaction : "", json_take(message), json_take(jsep)};
    g_free(transaction);
    if (stopping_.load())
        return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "Shutting down", nullptr);
    queued.session = find(handle);
    if (!queued.session || queued.session->destroyed())
        return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "No session associated with this handle", nullptr);
    const HandleId id = queued.session->id();
    switch (messages_.push(id, queued)) {
        case MessageQueue::Push::Queued:
            return janus_plugin_result_new(JANUS_PLUGIN_OK_WAIT, nullptr, nullptr);
        case MessageQueue::Push::Closed:
            return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "Shutting down", nullptr);
        case MessageQueue::Push::Full:
            break;
    }
    // An application-level refusal is a synchronous plugin answer, as in Janus' own plugins
    // (JANUS_PLUGIN_ERROR is for severe errors and reaches the client without our error_code).
    JANUS_LOG(LOG_VERB, "OnAir: handle %" PRIu64 " refused a message: %zu already waiting\n", id,
              kMaxWaitingMessages);
    const Error refusal{ErrorCode::RateLimited, "Rate limited: " + std::to_string(kMaxWaitingMessages) +
                                                    " messages of this handle are still waiting"};
    return janus_plugin_result_new(JANUS_PLUGIN_OK, nullptr, event_error(refusal).release());
}

json_t* Plugin::handle_admin_message(json_t* message) {
    if (stopping_.load())
        return admin_error(fail(ErrorCode::Internal, "Shutting down")).release();
    Effects effects;
    JsonPtr answer = hub_->admin(message, now(), effects);
    carry_out(std::move(effects));
    return answer.release();
}

void Plugin::setup_media(janus_plugin_session* handle) {
    media::SessionPtr session = find(handle);
    if (!session || session->destroyed() || stopping_.load())
        return;
    JANUS_LOG(LOG_INFO, "OnAir: handle %" PRIu64 " media is up\n", session->id());
    session->set_media_up(true);
    carry_out(hub_->media_up(session->id(), now()));
    router_.media_up(handle);  // a viewer that just connected needs a keyframe
}

void Plugin::incoming_rtp(janus_plugin_session* handle, janus_plugin_rtp* packet) {
    if (!handle || g_atomic_int_get(&handle->stopped) || stopping_.load(std::memory_order_relaxed))
        return;
    router_.incoming_rtp(handle, packet);
}

void Plugin::incoming_rtcp(janus_plugin_session* handle, janus_plugin_rtcp* packet) {
    if (!handle || g_atomic_int_get(&handle->stopped) || stopping_.load(std::memory_order_relaxed))
        return;
    router_.incoming_rtcp(handle, packet);
}

void Plugin::hangup_media(janus_plugin_session* handle) {
    media::SessionPtr session = find(handle);
    if (!session || session->destroyed() || stopping_.load())
        return;
    if (!session->begin_hangup())
        return;
    JANUS_LOG(LOG_INFO, "OnAir: handle %" PRIu64 " media is down\n", session->id());
    session->set_media_up(false);
    carry_out(hub_->media_down(session->id(), now()));
    session->end_hangup();
}

void Plugin::destroy_session(janus_plugin_session* handle, int* error) {
    if (stopping_.load()) {
        *error = -1;
        return;
    }
    media::SessionPtr session;
    {
        std::lock_guard lock(sessions_mutex_);
        auto found = sessions_.find(handle);
        if (found == sessions_.end()) {
            *error = -2;
            return;
        }
        session = found->second;
        sessions_.erase(found);
        sessions_by_id_.erase(session->id());
    }
    if (!session->mark_destroyed())
        return;
    JANUS_LOG(LOG_VERB, "OnAir: handle %" PRIu64 " detached\n", session->id());
    session->set_media_up(false);
    carry_out(hub_->handle_destroyed(session->id(), now()));
    router_.forget(handle);
    handle->plugin_handle = nullptr;
    // Queued messages and the router may still hold the session for a moment; the last of them
    // gives the core its reference back.
}

json_t* Plugin::query_session(janus_plugin_session* handle) {
    media::SessionPtr session = find(handle);
    if (!session)
        return nullptr;
    JsonPtr info = session->describe();
    if (JsonPtr media = router_.describe(handle))
        json_object_update(info.get(), media.get());  // a relayed handle's simulcast layer, estimate, rates
    return info.release();
}

void Plugin::run_handler() {
    JANUS_LOG(LOG_VERB, "OnAir: handler thread started\n");
    while (std::optional<Message> message = messages_.pop())
        process(*message);
    JANUS_LOG(LOG_VERB, "OnAir: handler thread stopped\n");
}

void Plugin::run_timer() {
    std::unique_lock lock(timer_mutex_);
    while (!stopping_.load()) {
        timer_wakeup_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
        if (stopping_.load())
            break;
        lock.unlock();
        collect_evidence();
        carry_out(hub_->tick(now()));
        lock.lock();
    }
}

void Plugin::collect_evidence() {
    std::vector<HandleId> evidenced;
    const std::int64_t now_us = janus_get_monotonic_time();
    {
        std::lock_guard lock(sessions_mutex_);
        for (const auto& [id, session] : sessions_by_id_) {
            if (session->take_evidence(now_us))
                evidenced.push_back(id);
        }
    }
    if (!evidenced.empty())
        hub_->evidence(evidenced, now());
}

}  // namespace onair::janus
