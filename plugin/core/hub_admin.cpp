// SPDX-License-Identifier: GPL-3.0-or-later
// The HubState's side of the Admin API: the request read and checked (admin_request.h), then
// carried out by AdminApi (admin.h) over the Hub's parts, and what AdminApi asks of the broadcasts
// (AdminBroadcasts), done by the broadcasts' own code.
#include "admin.h"
#include "admin_answers.h"
#include "hub_state.h"

namespace onair {

JsonPtr HubState::admin(const json_t* request, std::int64_t now, Effects& effects) {
    Result<AdminRequest> read = read_admin_request(request, sites_);
    if (!read) {
        return admin_error(read.error());
    }
    AdminBroadcasts& broadcasts = *this;
    AdminApi api(sites_, store_.get(), billing_, settings_, pairing_.ice_servers(), broadcasts);
    return api.execute(read.value(), now, effects);
}

std::vector<const Broadcast*> HubState::unended_broadcasts() const {
    std::vector<const Broadcast*> unended;
    for (const auto& [id, broadcast] : broadcasts_) {
        unended.push_back(&broadcast);
    }
    return unended;
}

int HubState::broadcast_count(const std::string& site) const { return broadcasts_.count_of_site(site); }

const Broadcast* HubState::broadcast_named(const std::string& site, const std::string& user) {
    return broadcasts_.of(site, user);
}

Status HubState::stop_by_admin(const std::string& broadcast_id, std::int64_t now, Effects& effects) {
    if (Status saved = writes_.persist_end(broadcasts_.at(broadcast_id), "admin", now); !saved) {
        return saved;
    }
    end_broadcast(broadcast_id, "admin", true, effects);
    return Ok{};
}

bool HubState::remove_viewer_by_admin(const std::string& broadcast_id, const std::string& viewer,
                                      std::int64_t now, Effects& effects) {
    return remove_viewer(broadcasts_.at(broadcast_id), viewer, "admin", now, effects);
}

Result<int> HubState::end_site_broadcasts(const std::string& site, const std::function<Status()>& also,
                                          std::int64_t now, Effects& effects) {
    std::vector<std::string> ending;
    for (const auto& [id, broadcast] : broadcasts_) {
        if (broadcast.record.site == site) {
            ending.push_back(id);
        }
    }
    PendingWrites::Checkpoint before = writes_.checkpoint();
    for (const std::string& id : ending) {
        writes_.queue_end(broadcasts_.at(id), "admin", now);
    }
    if (Status saved = writes_.commit(now, nullptr, also); !saved) {
        writes_.roll_back(std::move(before));
        return saved.error();
    }
    for (const std::string& id : ending) {
        end_broadcast(id, "admin", true, effects);
    }
    return static_cast<int>(ending.size());
}

}  // namespace onair
