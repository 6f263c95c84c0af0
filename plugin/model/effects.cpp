// SPDX-License-Identifier: GPL-3.0-or-later
#include "effects.h"

#include <iterator>

namespace onair {

const char* to_string(EventName name) {
    switch (name) {
        case EventName::Accepted:
            return "accepted";
        case EventName::Answered:
            return "answered";
        case EventName::Declined:
            return "declined";
        case EventName::Ended:
            return "ended";
        case EventName::Heartbeat:
            return "heartbeat";
        case EventName::Interrupted:
            return "interrupted";
        case EventName::Kicked:
            return "kicked";
        case EventName::Left:
            return "left";
        case EventName::Live:
            return "live";
        case EventName::Peer:
            return "peer";
        case EventName::Presence:
            return "presence";
        case EventName::Publishing:
            return "publishing";
        case EventName::Registered:
            return "registered";
        case EventName::RelayNeeded:
            return "relay_needed";
        case EventName::RequestCancelled:
            return "request_cancelled";
        case EventName::RequestExpired:
            return "request_expired";
        case EventName::Restarting:
            return "restarting";
        case EventName::Resumed:
            return "resumed";
        case EventName::Signal:
            return "signal";
        case EventName::Signalled:
            return "signalled";
        case EventName::Switch:
            return "switch";
        case EventName::Usage:
            return "usage";
        case EventName::ViewerJoined:
            return "viewer_joined";
        case EventName::ViewerLeft:
            return "viewer_left";
        case EventName::Waiting:
            return "waiting";
        case EventName::Watching:
            return "watching";
        case EventName::WatchRequest:
            return "watch_request";
    }
    return "";
}

void Effects::append(Effects&& other) {
    notices.insert(notices.end(), std::make_move_iterator(other.notices.begin()),
                   std::make_move_iterator(other.notices.end()));
    media.insert(media.end(), std::make_move_iterator(other.media.begin()),
                 std::make_move_iterator(other.media.end()));
    other.notices.clear();
    other.media.clear();
}

}  // namespace onair
