// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "json.h"

namespace onair {

// The core's name for one Janus handle; the Janus layer maps it to its janus_plugin_session.
using HandleId = std::uint64_t;

// An event to push to a handle: `data` is the `result` object of docs/protocol.md (with `event`);
// the Janus layer wraps it as {"onair":"event","result":data}. `transaction` is empty for
// unsolicited notifications.
struct Notice {
    HandleId to = 0;
    JsonPtr data;
};

// Media work the Janus layer carries out after the core's lock is released.
struct SendViewerOffer {  // push `accepted` (data) with a fresh subscriber offer as jsep
    HandleId viewer = 0;
    JsonPtr data;
};
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

using MediaAction = std::variant<SendViewerOffer, RouterSetPublisher, RouterAddViewer, RouterRemoveViewer,
                                 RouterEnd, ClosePeerConnection>;

// What one call into the core asks the outside world to do, in order: notices first, then media.
struct Effects {
    std::vector<Notice> notices;
    std::vector<MediaAction> media;

    void notify(HandleId to, JsonPtr data) { notices.push_back(Notice{to, std::move(data)}); }
    void append(Effects&& other);
};

}  // namespace onair
