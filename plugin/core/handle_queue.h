// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include "model/effects.h"

namespace onair {

// A queue from many producer threads to one consumer that holds at most `per_handle` items of any
// one handle at a time: a client flooding one handle is refused at once instead of growing the
// queue, and the items of other handles are never refused because of it.
template <typename Item>
class HandleQueue {
public:
    enum class Push { Queued, Full, Closed };

    explicit HandleQueue(std::size_t per_handle) : per_handle_(per_handle) {}

    // Queues `item` unless `handle` already has `per_handle` items waiting or the queue is closed;
    // a refused item is left in place for the caller.
    Push push(HandleId handle, Item& item) {
        {
            std::lock_guard lock(mutex_);
            if (closed_)
                return Push::Closed;
            std::size_t& waiting = waiting_[handle];
            if (waiting >= per_handle_)
                return Push::Full;
            ++waiting;
            queue_.emplace_back(handle, std::move(item));
        }
        ready_.notify_one();
        return Push::Queued;
    }

    // Blocks until an item arrives; nullopt once the queue is closed.
    std::optional<Item> pop() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return closed_ || !queue_.empty(); });
        if (closed_)
            return std::nullopt;
        auto [handle, item] = std::move(queue_.front());
        queue_.pop_front();
        // Only handles with items waiting keep an entry, so the map is as bounded as the queue.
        auto waiting = waiting_.find(handle);
        if (--waiting->second == 0)
            waiting_.erase(waiting);
        return std::move(item);
    }

    // Wakes the consumer to exit and drops what was still queued.
    void close() {
        std::deque<std::pair<HandleId, Item>> dropped;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            dropped.swap(queue_);
            waiting_.clear();
        }
        ready_.notify_all();
    }

private:
    const std::size_t per_handle_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::pair<HandleId, Item>> queue_;
    std::unordered_map<HandleId, std::size_t> waiting_;  // items in queue_ per handle, never 0
    bool closed_ = false;
};

}  // namespace onair
