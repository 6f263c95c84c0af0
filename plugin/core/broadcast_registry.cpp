// SPDX-License-Identifier: GPL-3.0-or-later
#include "broadcast_registry.h"

#include <algorithm>

namespace onair {

Broadcast* BroadcastRegistry::find(const std::string& broadcast_id) {
    if (broadcast_id.empty()) {
        return nullptr;
    }
    auto found = broadcasts_.find(broadcast_id);
    return found == broadcasts_.end() ? nullptr : &found->second;
}

Broadcast* BroadcastRegistry::of(const std::string& site, const std::string& user) {
    auto found = by_broadcaster_.find({site, user});
    return found == by_broadcaster_.end() ? nullptr : find(found->second);
}

Broadcast* BroadcastRegistry::held_by(HandleId handle, const std::string& broadcast_id) {
    Broadcast* broadcast = find(broadcast_id);
    return broadcast != nullptr && broadcast->broadcaster == handle ? broadcast : nullptr;
}

int BroadcastRegistry::count_of_site(const std::string& site) const {
    return static_cast<int>(std::count_if(broadcasts_.begin(), broadcasts_.end(), [&site](const auto& entry) {
        return entry.second.record.site == site;
    }));
}

bool BroadcastRegistry::is_visible(const std::string& site, const std::string& user) const {
    auto found = by_broadcaster_.find({site, user});
    if (found == by_broadcaster_.end()) {
        return false;
    }
    auto broadcast = broadcasts_.find(found->second);
    return broadcast != broadcasts_.end() && broadcast->second.visible();
}

Broadcast& BroadcastRegistry::add(Broadcast broadcast) {
    const std::string id = broadcast.record.broadcast_id;
    by_broadcaster_[{broadcast.record.site, broadcast.record.user}] = id;
    return broadcasts_.emplace(id, std::move(broadcast)).first->second;
}

void BroadcastRegistry::remove(const std::string& broadcast_id) {
    auto found = broadcasts_.find(broadcast_id);
    if (found == broadcasts_.end()) {
        return;
    }
    by_broadcaster_.erase({found->second.record.site, found->second.record.user});
    broadcasts_.erase(found);
}

}  // namespace onair
