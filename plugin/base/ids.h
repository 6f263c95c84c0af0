// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace onair {

// The core's name for one Janus handle; the Janus layer maps it to its janus_plugin_session.
using HandleId = std::uint64_t;

// Unguessable ids: a prefix and 16 random bytes as 32 lowercase hex digits. Request ids are
// capabilities of a sort (whoever knows one may answer it from the right handle), so they come
// from the operating system's random source, not from a seeded PRNG.
std::string new_broadcast_id();  // "b-…"
std::string new_request_id();    // "r-…"
std::string new_watch_id();      // "w-…": one viewer session's airtime
std::string new_event_id();      // "evt_…": one billing callback event
std::string new_peer_id();       // "p-…": one direct (peer-to-peer) pairing of broadcaster and viewer

// Whether the text has the form new_request_id() produces.
bool is_request_id(std::string_view text);
bool is_peer_id(std::string_view text);

}  // namespace onair
