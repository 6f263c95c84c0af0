// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/effects.h"

namespace onair {

// Who wants to hear about whose live state: one subscription (one site, a set of users) per
// handle, indexed both ways. The Hub decides who is visible and announces the changes. Not
// thread-safe: the Hub's lock guards it.
class PresenceBook {
public:
    // Replaces the handle's previous subscription.
    void subscribe(HandleId handle, const std::string& site, const std::vector<std::string>& users);
    void unsubscribe(HandleId handle);
    // Tells the user's subscribers whether the user is `live` now (a `presence` event each).
    void announce(const std::string& site, const std::string& user, bool live, Effects& effects) const;

private:
    using SiteUser = std::pair<std::string, std::string>;
    std::map<HandleId, std::set<SiteUser>> by_handle_;
    std::map<SiteUser, std::set<HandleId>> by_user_;
};

}  // namespace onair
