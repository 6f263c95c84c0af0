// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/settings.h"
#include "billing/billing.h"
#include "model/broadcast.h"
#include "model/effects.h"

namespace onair {

// Consent (docs/protocol.md, "Consent"): a viewer's watch request prompts the broadcaster, who
// accepts or declines it; an accepted viewer keeps a grant and gets back in without a new prompt
// until the broadcast ends or they are removed. This class moves a broadcast's prompts through
// their stages, with their events to both sides and their billing events, and queues the grant
// changes for the store. Admitting an accepted viewer (its media path) is the HubState's.
//
// Not thread-safe: it lives in the Hub's state, under the Hub's one lock. It queues through
// billing, and writes through the Hub's Store, which outlive it.
class Consent {
public:
    Consent(const Settings& settings, Billing& billing, Store* store);

    // ---- Prompts ----
    // The viewer's `session` waits for the broadcaster's answer until request_timeout; the
    // broadcaster (when a handle holds it) gets the prompt.
    void ask(Broadcast& broadcast, HandleId viewer, ViewerSession session, std::int64_t now,
             Effects& effects);
    // A new broadcaster handle gets the prompts that wait.
    void show_prompts(const Broadcast& broadcast, HandleId broadcaster, std::int64_t now,
                      Effects& effects) const;
    // The broadcaster accepts the pending `session`: it is granted and Accepted.
    void accept(Broadcast& broadcast, ViewerSession& session, std::int64_t now);
    // The broadcaster declines the viewer's pending session, which ends.
    void deny(Broadcast& broadcast, HandleId viewer, std::int64_t now, Effects& effects);
    // The viewer gave up its pending `session` (leave, handle gone), already out of the broadcast.
    void cancel(const Broadcast& broadcast, const ViewerSession& session, std::int64_t now, Effects& effects);
    // Ends the prompts unanswered at `now`; returns their viewer handles.
    std::vector<HandleId> expire_prompts(Broadcast& broadcast, std::int64_t now, Effects& effects);

    // ---- Grants ----
    // Remembers the broadcaster's consent for this viewer, in memory and (queued) in the store.
    void grant(Broadcast& broadcast, const std::string& viewer_user, const std::string& name);
    // Forgets it, for good once stored; false when the user had none.
    bool revoke(Broadcast& broadcast, const std::string& viewer_user);

    // ---- Writing (the Hub's commit) ----
    // Stores the queued grant changes in order; call inside Store::atomically.
    Status write();
    void written() { changes_.clear(); }
    [[nodiscard]] std::size_t unstored() const { return changes_.size(); }
    // The queue as it was: a refused request puts it back.
    struct Checkpoint {
        std::size_t changes = 0;
    };
    [[nodiscard]] Checkpoint checkpoint() const { return Checkpoint{changes_.size()}; }
    void roll_back(Checkpoint before) { changes_.resize(before.changes); }

private:
    struct GrantChange {
        std::string broadcast_id;
        std::string user;
        std::string name;
        bool granted = false;  // false: revoked
    };

    std::int64_t request_timeout_;
    Billing& billing_;
    Store* store_;
    std::vector<GrantChange> changes_;  // written by write() in this order
};

}  // namespace onair
