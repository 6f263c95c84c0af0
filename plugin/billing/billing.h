// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/settings.h"
#include "base/site.h"
#include "billing/ledger.h"
#include "billing/outbox.h"
#include "model/broadcast.h"
#include "store/store.h"

namespace onair {

// The end reason of what a previous run left unended (docs/billing.md, "Reasons").
inline constexpr const char* kRestartReason = "restart";

// Airtime and billing events (docs/billing.md): the ledger of sessions in progress, the queue of
// events for the outbox, the eight event types, the recovery of a previous run's airtime and the
// usage queries. Every billing event is built here.
//
// It only queues: the Hub's commit writes the queue and the ledger's changes (write()) in the
// same Store transaction as its own rows, and the callback sender delivers from the outbox. Not
// thread-safe: it lives in the Hub's state, under the Hub's one lock, and takes no lock itself.
// It reads the Hub's sites (whether a site takes callbacks), wall clock and Store, which outlive it.
class Billing {
public:
    // `store` may be null (no persistence: events are dropped, usage is empty).
    Billing(const Settings& settings, const SiteRegistry& sites, const WallClock& wall_clock, Store* store);

    // Where the site's billing events go now and its signing key; nullopt for an unknown site or
    // one without a callback_url.
    [[nodiscard]] std::optional<CallbackTarget> callback_target(const std::string& site) const;

    // ---- Evidence (docs/billing.md, "Evidence") ----
    // The broadcast's media was up at `now`.
    void broadcast_evidence(const std::string& broadcast_id, std::int64_t now);
    // Evidence of a watch session at `when` (at or before `now`); its billing starts with its
    // first evidence.
    void watch_evidence(const BroadcastRecord& record, const ViewerSession& session, std::int64_t when,
                        std::int64_t now);
    // A direct pair's evidence: the earlier of both ends' latest heartbeats naming it.
    void pair_evidence(const BroadcastRecord& record, const ViewerSession& session, std::int64_t now);
    // Closes segments whose evidence stopped (Ledger::expire).
    void expire(std::int64_t now);

    // ---- Events of a broadcast's life ----
    // Its media came up for the first time (record.started_at set): its airtime opens, its
    // reports are scheduled, broadcast.started.
    void broadcast_started(Broadcast& broadcast, std::int64_t now);
    void viewer_requested(const BroadcastRecord& record, const ViewerSession& session, std::int64_t now);
    void viewer_accepted(const BroadcastRecord& record, const ViewerSession& session, std::int64_t now);
    void viewer_declined(const BroadcastRecord& record, const ViewerSession& session,
                         const std::string& reason, std::int64_t now);
    void viewer_joined(const BroadcastRecord& record, const ViewerSession& session, std::int64_t now);
    // A watching session ends: its airtime closes (kept for the next report), viewer.left.
    void watch_ended(Broadcast& broadcast, const ViewerSession& session, const std::string& reason,
                     std::int64_t now);
    // The broadcast ends as `ended` says (ended_at, end_reason): every viewer's session ends with it
    // (viewer.declined for prompts, viewer.left), then the broadcast itself (broadcast.ended).
    void broadcast_ended(const Broadcast& broadcast, const BroadcastRecord& ended, std::int64_t now);
    // Whether the broadcast's airtime.report is due at `now`.
    [[nodiscard]] bool report_due(const Broadcast& broadcast, std::int64_t now) const;
    // Queues the airtime.report and schedules the next one; the next write() stores every segment
    // whose evidence moved, so the report never announces seconds the store does not have.
    void report_airtime(Broadcast& broadcast, std::int64_t now);

    // ---- Writing (the Hub's commit) ----
    // The segments the next write() must save.
    [[nodiscard]] std::vector<AirtimeSegment> unsaved_segments(std::int64_t now) const;
    [[nodiscard]] bool has_events() const { return !events_.empty(); }
    // Saves `segments` (from unsaved_segments()) and appends the queued events to the outbox;
    // call inside Store::atomically. A failure keeps it all for the next write.
    Status write(const std::vector<AirtimeSegment>& segments, std::int64_t now);
    // The transaction of write(segments) committed: forget what it stored.
    void written(const std::vector<AirtimeSegment>& segments, std::int64_t now);
    // Events and closed segments waiting for a write (what a store outage holds back).
    [[nodiscard]] std::size_t unstored() const { return events_.size() + ledger_.unsaved_closed(); }

    // The ledger and the queue as they were: a refused request puts them back.
    struct Checkpoint {
        Ledger ledger;
        std::size_t events = 0;
    };
    [[nodiscard]] Checkpoint checkpoint() const { return Checkpoint{ledger_, events_.size()}; }
    void roll_back(Checkpoint&& before);

    // ---- Start-up and queries ----
    // A broadcast a previous run left unended after its media came up: its sessions' seconds from
    // the store, the broadcast's airtime kept open when it `resumes` (back as interrupted),
    // viewer.left for its viewers (viewer sessions do not survive), and broadcast.ended at its last
    // evidence when it does not resume.
    Status recover(const BroadcastRecord& record, bool resumes, std::int64_t now);
    // Seconds per user and UTC day of the site between the days `from` and `to` (YYYY-MM-DD), as
    // the `usage` request and the Admin API answer them.
    Result<JsonPtr> usage(const std::string& site, const std::string& from, const std::string& to,
                          std::int64_t now);

private:
    // Queues an event of the broadcast for the site's callback (none when it has no URL).
    void emit(const BroadcastRecord& record, const char* type, std::int64_t when, JsonPtr data);
    void emit_viewer_left(const BroadcastRecord& record, const std::string& viewer,
                          const std::string& watch_id, std::int64_t seconds, const std::string& reason,
                          std::int64_t now);
    void emit_viewer_declined(const BroadcastRecord& record, const std::string& viewer,
                              const std::string& request_id, const std::string& reason, std::int64_t now);
    void emit_broadcast_ended(const BroadcastRecord& record, std::int64_t ended_at, const std::string& reason,
                              std::int64_t seconds, std::int64_t now);
    // The wall time at steady time `now` (event stamps), and the wall clock minus the steady clock
    // (airtime segments: their usage days follow the wall clock, their seconds stay steady).
    [[nodiscard]] std::int64_t wall_at(std::int64_t now) const { return wall_clock_(now); }
    [[nodiscard]] std::int64_t wall_offset_at(std::int64_t now) const { return wall_at(now) - now; }

    std::int64_t report_interval_;
    const SiteRegistry& sites_;
    const WallClock& wall_clock_;
    Store* store_;
    Ledger ledger_;
    std::vector<OutboxEvent> events_;  // queued for the outbox, stored by write()
    // An airtime.report is queued: write() saves every segment whose evidence moved.
    bool flush_airtime_ = false;
};

}  // namespace onair
