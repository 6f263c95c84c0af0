// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <utility>

#include "base/json.h"
#include "effects.h"

namespace onair {

// Builds one event of docs/protocol.md: {"event": to_string(name), ...}, with its typed name.
// Its members are set as a JsonObject's are (JsonMembers, base/json.h).
class Event : public JsonMembers<Event> {
public:
    explicit Event(EventName name);

    Event& with_offer(ViewerOffer offer);

    PluginEvent take() { return PluginEvent{name_, std::move(members_), offer_}; }

private:
    EventName name_;
    ViewerOffer offer_ = ViewerOffer::None;
};

// {"event": "signal", "peer": ..., "bye": true}: the other side of a direct connection closed it.
PluginEvent bye_event(const std::string& peer);

}  // namespace onair
