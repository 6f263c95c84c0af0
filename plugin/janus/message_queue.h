// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>

#include "base/json.h"
#include "core/handle_queue.h"
#include "media/session.h"

namespace onair::janus {

// A plugin message as Janus handed it over, owned until the handler thread is done with it.
struct Message {
    media::SessionPtr session;
    std::string transaction;
    JsonPtr body;
    JsonPtr jsep;
};

// Messages one handle may have waiting for the handler thread; one more is refused with 551.
// Clients send one request and wait for its answer, except the direct-mode signalling of a page,
// which sends each ICE candidate as its own `signal` (a burst of a few dozen while gathering):
// 64 is twice that.
inline constexpr std::size_t kMaxWaitingMessages = 64;

// Hands messages from handle_message (Janus' transport threads) to the handler thread.
using MessageQueue = HandleQueue<Message>;

}  // namespace onair::janus
