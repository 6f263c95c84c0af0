// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "core/json.h"
#include "janus/session.h"

namespace onair::janus {

// A plugin message as Janus handed it over, owned until the handler thread is done with it.
struct Message {
    SessionPtr session;
    std::string transaction;
    JsonPtr body;
    JsonPtr jsep;
};

// Hands messages from handle_message (Janus' transport threads) to the handler thread.
class MessageQueue {
public:
    void push(Message message) {
        {
            std::lock_guard lock(mutex_);
            if (closed_)
                return;
            queue_.push_back(std::move(message));
        }
        ready_.notify_one();
    }

    // Blocks until a message arrives; nullopt once the queue is closed.
    std::optional<Message> pop() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return closed_ || !queue_.empty(); });
        if (closed_)
            return std::nullopt;
        Message message = std::move(queue_.front());
        queue_.pop_front();
        return message;
    }

    // Wakes the handler to exit and drops what was still queued.
    void close() {
        std::deque<Message> dropped;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            dropped.swap(queue_);
        }
        ready_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Message> queue_;
    bool closed_ = false;
};

}  // namespace onair::janus
