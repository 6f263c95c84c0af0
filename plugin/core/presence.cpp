// SPDX-License-Identifier: GPL-3.0-or-later
#include "presence.h"

#include "model/events.h"

namespace onair {

void PresenceBook::subscribe(HandleId handle, const std::string& site,
                             const std::vector<std::string>& users) {
    unsubscribe(handle);
    std::set<SiteUser>& watched = by_handle_[handle];
    for (const std::string& user : users) {
        SiteUser key{site, user};
        by_user_[key].insert(handle);
        watched.insert(std::move(key));
    }
}

void PresenceBook::unsubscribe(HandleId handle) {
    auto found = by_handle_.find(handle);
    if (found == by_handle_.end()) {
        return;
    }
    for (const SiteUser& key : found->second) {
        auto listeners = by_user_.find(key);
        if (listeners == by_user_.end()) {
            continue;
        }
        listeners->second.erase(handle);
        if (listeners->second.empty()) {
            by_user_.erase(listeners);
        }
    }
    by_handle_.erase(found);
}

void PresenceBook::announce(const std::string& site, const std::string& user, bool live,
                            Effects& effects) const {
    auto found = by_user_.find(SiteUser{site, user});
    if (found == by_user_.end()) {
        return;
    }
    for (HandleId subscriber : found->second) {
        JsonPtr users(json_object());
        json_object_set_new(users.get(), user.c_str(), json_boolean(live));
        effects.notify(subscriber, Event(EventName::Presence).object("users", std::move(users)).take());
    }
}

}  // namespace onair
