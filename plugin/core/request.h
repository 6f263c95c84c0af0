// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <jansson.h>

#include <string>
#include <variant>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace onair {

// Credentials every acting request carries (docs/protocol.md, "Identity").
struct Credentials {
    std::string site;
    std::string user;
    std::string name;  // already a display_name(): hidden characters removed, at most 128 long
    std::string token;
};

struct BroadcastRequest {
    Credentials who;
};
struct PublishRequest {  // with a jsep offer: relay publishing; without: "my camera runs" (direct)
    bool offer = true;
};
struct AnswerRequest {
    std::string request_id;
    bool accept = false;
};
struct KickRequest {
    std::string viewer;
};
struct StopRequest {};
struct WatchRequest {
    Credentials who;
    std::string target;
};
struct StartRequest {  // with a jsep answer: relay viewing; without: a direct viewer's media is up
    bool answer = true;
};
struct LeaveRequest {};
struct PresenceRequest {
    std::string site;
    std::vector<std::string> users;
};

// One signaling message between the two parties of a direct (peer-to-peer) connection, relayed as is.
enum class SignalKind { Offer, Answer, Candidate, Restart, Bye };
struct SignalRequest {
    std::string peer;
    SignalKind kind = SignalKind::Candidate;
    // The `sdp` object, the `candidate` object (JSON null: end of candidates), or true.
    JsonPtr payload;
};
struct IceRestartRequest {};  // a relay viewer asks for an offer that restarts ICE

// Evidence that a broadcaster or viewer is still there. `peers`: the direct (peer-to-peer) pairings
// whose connection is up on the sender's side; a direct pair is billed only while both ends name it.
struct HeartbeatRequest {
    std::vector<std::string> peers;
};
struct UsageRequest {  // a site's backend asks for its airtime (token with scope "usage")
    std::string site;
    std::string token;
    std::string from;  // YYYY-MM-DD, UTC
    std::string to;
};

using Request = std::variant<BroadcastRequest, PublishRequest, AnswerRequest, KickRequest, StopRequest,
                             WatchRequest, StartRequest, LeaveRequest, PresenceRequest, HeartbeatRequest,
                             UsageRequest, SignalRequest, IceRestartRequest>;

// Validates a plugin message body and turns it into a typed request: 540 for null, 541 for a
// non-object, 553 for oversized bodies (over 16 KiB serialized) or lists, 542 for an unknown
// `request`, 543 for a missing field, 544 for a field of the wrong type or form (site key
// characters, user ids of 1-64 chars without control, bidi or zero-width characters, tokens up to
// 4096, request ids). A `name` is never refused: it is cleaned up by display_name().
// `publish` and `start` read as carrying a jsep; the Janus layer clears that when none came.
Result<Request> parse_request(const json_t* body);

// The `request` name of a typed request, for logs and admin listings.
const char* request_name(const Request& request);

}  // namespace onair
