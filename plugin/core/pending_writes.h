// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "billing/billing.h"
#include "consent.h"
#include "model/broadcast.h"
#include "store/store.h"

namespace onair {

// What waits for the store: broadcast rows, with consent's grant changes and billing's airtime
// segments and events, all written in one Store transaction by commit(). A failed commit keeps it
// all queued: the next commit (the timer's, at the latest a second later) tries again, so nothing is
// lost. A request the store refuses puts the queue back as it was (checkpoint, roll_back).
//
// Not thread-safe: it lives in the Hub's state, under the Hub's one lock. It writes through the
// Hub's Store, billing and consent, which outlive it.
class PendingWrites {
public:
    PendingWrites(Store* store, Billing& billing, Consent& consent, const WallClock& wall_clock);

    // A broadcast row to store whether or not the store takes it now (the change stands): retried
    // until stored.
    void queue(BroadcastRecord record) { unsaved_records_.push_back(std::move(record)); }
    // Queues the broadcast's end: its viewers' and its own airtime close, their billing events and
    // the ended row.
    void queue_end(const Broadcast& broadcast, const std::string& reason, std::int64_t now);
    // Writes what is queued in one transaction, with `record` and `also` (an extra write) when given.
    Status commit(std::int64_t now, const BroadcastRecord* record = nullptr,
                  const std::function<Status()>& also = nullptr);

    // Writes the record now, or (on a store failure) undoes everything queued since the call began
    // and returns the error: the caller refuses its request and changes nothing.
    Status persist(const BroadcastRecord& record, std::int64_t now);
    // queue_end and commit; on a store failure nothing ended (ledger and queue as before) and the
    // error is returned. The caller then ends the broadcast in memory, or refuses.
    Status persist_end(const Broadcast& broadcast, const std::string& reason, std::int64_t now);

    // Work waiting for the store: billing events, broadcast rows, grant changes and closed airtime
    // segments.
    [[nodiscard]] std::size_t unstored() const;
    // 554 once unstored() reaches Hub::kMaxUnstored.
    [[nodiscard]] Status check_backlog() const;

    // The queues and the ledger, as they were: a refused request puts them back.
    struct Checkpoint {
        Billing::Checkpoint billing;
        Consent::Checkpoint consent;
        std::size_t records = 0;
    };
    [[nodiscard]] Checkpoint checkpoint() const;
    void roll_back(Checkpoint&& before);

private:
    Store* store_;
    Billing& billing_;
    Consent& consent_;
    const WallClock& wall_clock_;
    std::vector<BroadcastRecord> unsaved_records_;  // written by commit() before consent_'s changes
};

}  // namespace onair
