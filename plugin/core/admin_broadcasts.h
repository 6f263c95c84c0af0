// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "model/broadcast.h"
#include "model/effects.h"

namespace onair {

// What the Admin API reads of the broadcasts and does to them. The broadcasts are the Hub's
// (HubState implements this, under the Hub's lock): an operator's stop or removal ends them by the
// same code as a broadcaster's, with the same events, store writes and effects.
class AdminBroadcasts {
public:
    // The unended broadcasts, in order of their ids.
    [[nodiscard]] virtual std::vector<const Broadcast*> unended_broadcasts() const = 0;
    // How many unended broadcasts the site has.
    [[nodiscard]] virtual int broadcast_count(const std::string& site) const = 0;
    // The unended broadcast of `user` on `site`; nullptr when there is none.
    [[nodiscard]] virtual const Broadcast* broadcast_named(const std::string& site,
                                                           const std::string& user) = 0;
    // Ends the broadcast (an id broadcast_named() gave) with reason `admin`, stored first: on a store
    // failure nothing changed.
    virtual Status stop_by_admin(const std::string& broadcast_id, std::int64_t now, Effects& effects) = 0;
    // The viewer user leaves the broadcast (an id broadcast_named() gave) with reason `admin`, its
    // grant with it; false when it is neither accepted nor watching.
    virtual bool remove_viewer_by_admin(const std::string& broadcast_id, const std::string& viewer,
                                        std::int64_t now, Effects& effects) = 0;
    // Ends the site's broadcasts with reason `admin`, stored in one transaction with `also` (the
    // site's deletion): on a store failure nothing changed. How many it ended.
    virtual Result<int> end_site_broadcasts(const std::string& site, const std::function<Status()>& also,
                                            std::int64_t now, Effects& effects) = 0;

protected:
    ~AdminBroadcasts() = default;
};

}  // namespace onair
