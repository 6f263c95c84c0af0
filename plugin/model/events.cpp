// SPDX-License-Identifier: GPL-3.0-or-later
#include "events.h"

namespace onair {

Event::Event(EventName name) : name_(name) { text("event", to_string(name)); }

Event& Event::with_offer(ViewerOffer offer) {
    offer_ = offer;
    return *this;
}

PluginEvent bye_event(const std::string& peer) {
    return Event(EventName::Signal).text("peer", peer).flag("bye", true).take();
}

}  // namespace onair
