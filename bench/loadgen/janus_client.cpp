// SPDX-License-Identifier: GPL-3.0-or-later
#include "janus_client.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace loadgen {

namespace {

// Wakes the blocking context iteration so deadlines are noticed even when nothing happens.
gboolean tick(gpointer) { return G_SOURCE_CONTINUE; }

std::string plugin_error(json_t* answer) {
    json_t* data = json_path(answer, {"plugindata", "data"});
    if (json_t* error = json_object_get(data, "error"))
        return json_string_value(error);
    return {};
}

}  // namespace

JanusClient::JanusClient(std::string url)
    : url_(std::move(url)), trace_(std::getenv("LOADGEN_TRACE") != nullptr) {}

JanusClient::~JanusClient() {
    if (keepalive_)
        g_source_remove(keepalive_);
    if (socket_) {
        if (soup_websocket_connection_get_state(socket_) == SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_close(socket_, SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
        g_signal_handlers_disconnect_by_data(socket_, this);
        g_object_unref(socket_);
    }
    if (soup_)
        g_object_unref(soup_);
}

bool JanusClient::pump_until(const std::function<bool()>& done, Clock::time_point deadline) {
    const guint ticker = g_timeout_add(20, tick, nullptr);
    bool finished = done();
    while (!finished && Clock::now() < deadline) {
        g_main_context_iteration(nullptr, TRUE);
        finished = done();
    }
    g_source_remove(ticker);
    return finished;
}

void JanusClient::connect() {
    soup_ = soup_session_new();
    SoupMessage* upgrade = soup_message_new("GET", url_.c_str());
    if (!upgrade)
        throw std::runtime_error("bad Janus URL: " + url_);
    struct Outcome {
        SoupWebsocketConnection* socket = nullptr;
        std::string error;
        bool done = false;
    } outcome;
    const char* protocols[] = {"janus-protocol", nullptr};
    soup_session_websocket_connect_async(
        soup_, upgrade, nullptr, const_cast<char**>(protocols), G_PRIORITY_DEFAULT, nullptr,
        [](GObject* source, GAsyncResult* result, gpointer data) {
            auto* out = static_cast<Outcome*>(data);
            GError* error = nullptr;
            out->socket = soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
            if (error) {
                out->error = error->message;
                g_error_free(error);
            }
            out->done = true;
        },
        &outcome);
    g_object_unref(upgrade);
    pump_until([&] { return outcome.done; }, Clock::now() + std::chrono::seconds(10));
    if (!outcome.socket)
        throw std::runtime_error("WebSocket to " + url_ + " failed: " + outcome.error);
    socket_ = outcome.socket;
    soup_websocket_connection_set_max_incoming_payload_size(socket_, 0);
    g_signal_connect(socket_, "message", G_CALLBACK(on_message), this);
    g_signal_connect(socket_, "closed", G_CALLBACK(on_closed), this);

    Json created = request(json_take(json_pack("{s:s}", "janus", "create")));
    session_ = json_integer_value(json_path(created.get(), {"data", "id"}));
    keepalive_ = g_timeout_add_seconds(15, on_keepalive, this);
}

std::uint64_t JanusClient::attach(const std::string& plugin) {
    Json answer = request(json_take(json_pack("{s:s,s:s}", "janus", "attach", "plugin", plugin.c_str())));
    return json_integer_value(json_path(answer.get(), {"data", "id"}));
}

void JanusClient::destroy() {
    if (!session_ || closed_)
        return;
    try {
        request(json_take(json_pack("{s:s}", "janus", "destroy")), std::chrono::seconds(5));
    } catch (const std::exception&) {
        // Janus drops the session itself when the socket closes or the session times out.
    }
    session_ = 0;
}

Json JanusClient::message(std::uint64_t handle, Json body, Json jsep) {
    Json request_body = json_take(json_pack("{s:s,s:I,s:o}", "janus", "message", "handle_id",
                                            static_cast<json_int_t>(handle), "body", body.release()));
    if (jsep)
        json_object_set_new(request_body.get(), "jsep", jsep.release());
    Json answer = request(std::move(request_body));
    if (std::string error = plugin_error(answer.get()); !error.empty())
        throw std::runtime_error("plugin error: " + error);
    return answer;
}

void JanusClient::trickle(std::uint64_t handle, Json candidate) {
    Json body = json_take(json_pack("{s:s,s:I,s:I,s:s}", "janus", "trickle", "session_id",
                                    static_cast<json_int_t>(session_), "handle_id",
                                    static_cast<json_int_t>(handle), "transaction", "trickle"));
    if (candidate)
        json_object_set_new(body.get(), "candidate", candidate.release());
    else
        json_object_set_new(body.get(), "candidate", json_pack("{s:b}", "completed", 1));
    send(body.get());
}

Json JanusClient::next_event(std::uint64_t handle, const std::function<bool(json_t*)>& match,
                             std::chrono::milliseconds timeout) {
    Json found;
    auto take = [&] {
        auto& queue = events_[handle];
        for (auto it = queue.begin(); it != queue.end(); ++it) {
            if (match(it->get())) {
                found = std::move(*it);
                queue.erase(it);
                return true;
            }
        }
        return closed_;
    };
    if (!pump_until(take, Clock::now() + timeout) || !found)
        throw std::runtime_error("timed out waiting for an event on handle " + std::to_string(handle));
    return found;
}

Json JanusClient::request(Json body, std::chrono::milliseconds timeout) {
    const std::string transaction = "t" + std::to_string(next_transaction_++);
    json_object_set_new(body.get(), "transaction", json_string(transaction.c_str()));
    if (session_)
        json_object_set_new(body.get(), "session_id", json_integer(static_cast<json_int_t>(session_)));
    waiting_.insert(transaction);
    send(body.get());
    const bool answered =
        pump_until([&] { return closed_ || answers_.count(transaction) > 0; }, Clock::now() + timeout);
    waiting_.erase(transaction);
    if (!answered || closed_)
        throw std::runtime_error("no answer from Janus to " + json_dump(body.get()));
    Json answer = std::move(answers_[transaction]);
    answers_.erase(transaction);
    if (json_text(answer.get(), "janus") == "error")
        throw std::runtime_error("Janus error: " + json_dump(json_object_get(answer.get(), "error")));
    return answer;
}

void JanusClient::send(json_t* body) {
    if (closed_ || !socket_)
        throw std::runtime_error("Janus connection closed");
    const std::string text = json_dump(body);
    if (trace_)
        std::fprintf(stderr, "-> %s\n", text.c_str());
    soup_websocket_connection_send_text(socket_, text.c_str());
}

void JanusClient::on_text(const char* text, std::size_t size) {
    if (trace_)
        std::fprintf(stderr, "<- %.*s\n", static_cast<int>(size), text);
    json_error_t error;
    Json message = json_take(json_loadb(text, size, 0, &error));
    if (!message)
        return;
    const std::string kind = json_text(message.get(), "janus");
    const std::string transaction = json_text(message.get(), "transaction");
    if (kind == "ack")
        return;
    if (!transaction.empty() && waiting_.count(transaction)) {
        answers_[transaction] = std::move(message);
        return;
    }
    const auto sender = json_integer_value(json_object_get(message.get(), "sender"));
    if (sender)
        events_[static_cast<std::uint64_t>(sender)].push_back(std::move(message));
}

void JanusClient::on_message(SoupWebsocketConnection*, gint, GBytes* message, gpointer self) {
    gsize size = 0;
    const auto* data = static_cast<const char*>(g_bytes_get_data(message, &size));
    static_cast<JanusClient*>(self)->on_text(data, size);
}

void JanusClient::on_closed(SoupWebsocketConnection*, gpointer self) {
    static_cast<JanusClient*>(self)->closed_ = true;
}

gboolean JanusClient::on_keepalive(gpointer self) {
    auto* client = static_cast<JanusClient*>(self);
    if (client->closed_)
        return G_SOURCE_REMOVE;
    Json body = json_take(json_pack("{s:s,s:I,s:s}", "janus", "keepalive", "session_id",
                                    static_cast<json_int_t>(client->session_), "transaction", "keepalive"));
    client->send(body.get());
    return G_SOURCE_CONTINUE;
}

}  // namespace loadgen
