// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <string>
#include <utility>

#include "model/broadcast.h"
#include "model/effects.h"

namespace onair {

// The unended broadcasts, by id and by their (site, user): a user has at most one. Ended ones leave
// it (the store keeps them). Not thread-safe: it lives in the Hub's state, under the Hub's lock.
class BroadcastRegistry {
public:
    using Map = std::map<std::string, Broadcast>;  // by broadcast id

    // The broadcast with this id; nullptr for an empty or unknown id.
    Broadcast* find(const std::string& broadcast_id);
    // The broadcast of (site, user); nullptr while the user has none.
    Broadcast* of(const std::string& site, const std::string& user);
    // The broadcast `broadcast_id` (a handle's record says it holds it) if `handle` is still its
    // broadcaster: a takeover or a reload leaves the old handle's record behind.
    Broadcast* held_by(HandleId handle, const std::string& broadcast_id);
    [[nodiscard]] int count_of_site(const std::string& site) const;
    // Whether presence shows the user live (Broadcast::visible).
    [[nodiscard]] bool is_visible(const std::string& site, const std::string& user) const;

    // Adds a broadcast whose (site, user) has none; returns it where it now lives.
    Broadcast& add(Broadcast broadcast);
    // Forgets it, under both keys; nothing for an unknown id.
    void remove(const std::string& broadcast_id);

    // A known broadcast (the caller found it before).
    Broadcast& at(const std::string& broadcast_id) { return broadcasts_.at(broadcast_id); }
    // In id order, as (id, broadcast).
    Map::iterator begin() { return broadcasts_.begin(); }
    Map::iterator end() { return broadcasts_.end(); }
    [[nodiscard]] Map::const_iterator begin() const { return broadcasts_.begin(); }
    [[nodiscard]] Map::const_iterator end() const { return broadcasts_.end(); }

private:
    Map broadcasts_;
    std::map<std::pair<std::string, std::string>, std::string> by_broadcaster_;  // (site, user) -> id
};

}  // namespace onair
