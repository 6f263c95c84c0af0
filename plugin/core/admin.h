// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>

#include "admin_broadcasts.h"
#include "admin_request.h"
#include "base/json.h"
#include "base/settings.h"
#include "base/site.h"
#include "billing/billing.h"
#include "ice_servers.h"
#include "model/effects.h"
#include "store/store.h"

namespace onair {

// The Admin API of docs/protocol.md ("Admin API"): carries out a request that read_admin_request()
// read and checked, over the sites, the broadcasts (AdminBroadcasts), the store's outbox and
// billing's usage (those two in admin_billing.cpp). Ending a broadcast or removing a viewer is left
// to AdminBroadcasts, which runs the broadcasts' own code. Not thread-safe: it runs under the Hub's
// lock, on parts of the Hub that outlive it.
class AdminApi {
public:
    // `store` may be null (no persistence: nothing stored, empty outbox).
    AdminApi(SiteRegistry& sites, Store* store, Billing& billing, const Settings& settings,
             const IceServers& ice_servers, AdminBroadcasts& broadcasts);

    // The answer object: {"onair":"success",…} or {"onair":"error",…}.
    JsonPtr execute(const AdminRequest& request, std::int64_t now, Effects& effects);

private:
    [[nodiscard]] JsonPtr list_sites() const;
    JsonPtr add_site(const AddSite& request);
    JsonPtr remove_site(const RemoveSite& request, std::int64_t now, Effects& effects);
    [[nodiscard]] JsonPtr list_broadcasts(const ListBroadcasts& request) const;
    JsonPtr list_viewers(const ListViewers& request);
    JsonPtr stop_broadcast(const StopBroadcast& request, std::int64_t now, Effects& effects);
    JsonPtr remove_viewer(const RemoveViewer& request, std::int64_t now, Effects& effects);
    [[nodiscard]] JsonPtr list_outbox(const ListOutbox& request) const;
    JsonPtr retry_outbox(const RetryOutbox& request, std::int64_t now);
    JsonPtr usage(const UsageQuery& request, std::int64_t now);

    // The broadcast `name` names (NotFound when there is none).
    Result<const Broadcast*> named_broadcast(const BroadcastName& name);
    [[nodiscard]] JsonPtr site_json(const Site& site) const;

    SiteRegistry& sites_;
    Store* store_;
    Billing& billing_;
    const Settings& settings_;
    const IceServers& ice_servers_;
    AdminBroadcasts& broadcasts_;
};

}  // namespace onair
