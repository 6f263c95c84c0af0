// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/ids.h"
#include "base/json.h"

namespace onair {

// The events the plugin pushes to handles (docs/protocol.md): the `event` of each `result` object.
enum class EventName {
    Accepted,
    Answered,
    Declined,
    Ended,
    Heartbeat,
    Interrupted,
    Kicked,
    Left,
    Live,
    Peer,
    Presence,
    Publishing,
    Registered,
    RelayNeeded,
    RequestCancelled,
    RequestExpired,
    Restarting,
    Resumed,
    Signal,
    Signalled,
    Switch,
    Usage,
    ViewerJoined,
    ViewerLeft,
    Waiting,
    Watching,
    WatchRequest,
};
const char* to_string(EventName name);  // its name on the wire: "relay_needed", ...

// Whether a fresh subscriber offer (the relay's, for a viewer) goes with an event as its jsep.
enum class ViewerOffer { None, Fresh, IceRestart };

// One event for a handle as it leaves the core: its name and offer typed, for the Janus layer to act
// on, and `result`, the JSON sent to the client (with "event": to_string(name)); the Janus layer
// wraps it as {"onair":"event","result":result} and never reads it.
struct PluginEvent {
    EventName name = EventName::Heartbeat;
    JsonPtr result;
    ViewerOffer offer = ViewerOffer::None;
};

// An unsolicited event to push to a handle (no transaction).
struct Notice {
    HandleId to = 0;
    PluginEvent event;
};

// Media work the Janus layer carries out after the core's lock is released.
struct RouterSetPublisher {  // the broadcaster's handle now feeds this broadcast (0: none for now)
    std::string broadcast_id;
    HandleId publisher = 0;
};
struct RouterAddViewer {  // start forwarding to this viewer and ask the publisher for a keyframe
    std::string broadcast_id;
    HandleId viewer = 0;
};
struct RouterRemoveViewer {
    std::string broadcast_id;
    HandleId viewer = 0;
};
struct RouterEnd {  // the broadcast is over: drop its fanout
    std::string broadcast_id;
};
struct ClosePeerConnection {  // hang up this handle's PeerConnection (viewer removed, broadcast ended)
    HandleId handle = 0;
};

using MediaAction =
    std::variant<RouterSetPublisher, RouterAddViewer, RouterRemoveViewer, RouterEnd, ClosePeerConnection>;

// What one call into the core asks the outside world to do, in order: notices first, then media.
struct Effects {
    std::vector<Notice> notices;
    std::vector<MediaAction> media;

    void notify(HandleId to, PluginEvent event) { notices.push_back(Notice{to, std::move(event)}); }
    void append(Effects&& other);
};

}  // namespace onair
