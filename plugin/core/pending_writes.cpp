// SPDX-License-Identifier: GPL-3.0-or-later
#include "pending_writes.h"

#include "hub.h"

namespace onair {

PendingWrites::PendingWrites(Store* store, Billing& billing, Consent& consent, const WallClock& wall_clock)
    : store_(store), billing_(billing), consent_(consent), wall_clock_(wall_clock) {}

Status PendingWrites::commit(std::int64_t now, const BroadcastRecord* record,
                             const std::function<Status()>& also) {
    if (record != nullptr) {
        unsaved_records_.push_back(*record);
    }
    std::vector<AirtimeSegment> segments = billing_.unsaved_segments(now);
    const bool nothing = unsaved_records_.empty() && consent_.unstored() == 0 && segments.empty() &&
                         !billing_.has_events() && !also;
    Status done = Ok{};
    if (store_ != nullptr && !nothing) {
        done = store_->atomically([&]() -> Status {
            for (const BroadcastRecord& unsaved : unsaved_records_) {
                if (Status saved = store_->save_broadcast(unsaved); !saved) {
                    return saved;
                }
            }
            if (Status saved = consent_.write(); !saved) {
                return saved;
            }
            if (Status saved = billing_.write(segments, now); !saved) {
                return saved;
            }
            return also ? also() : Status{Ok{}};
        });
    }
    if (!done) {
        return done;  // all of it stays queued for the next commit
    }
    unsaved_records_.clear();
    consent_.written();
    billing_.written(segments, now);
    return done;
}

std::size_t PendingWrites::unstored() const {
    return billing_.unstored() + consent_.unstored() + unsaved_records_.size();
}

Status PendingWrites::check_backlog() const {
    if (unstored() < Hub::kMaxUnstored) {
        return Ok{};
    }
    return fail(ErrorCode::Internal, "Internal error: the store is failing; " + std::to_string(unstored()) +
                                         " changes wait to be stored");
}

PendingWrites::Checkpoint PendingWrites::checkpoint() const {
    return Checkpoint{billing_.checkpoint(), consent_.checkpoint(), unsaved_records_.size()};
}

void PendingWrites::roll_back(Checkpoint&& before) {
    billing_.roll_back(std::move(before.billing));
    consent_.roll_back(before.consent);
    unsaved_records_.resize(before.records);
}

Status PendingWrites::persist(const BroadcastRecord& record, std::int64_t now) {
    Checkpoint before = checkpoint();
    Status saved = commit(now, &record);
    if (!saved) {
        roll_back(std::move(before));
    }
    return saved;
}

Status PendingWrites::persist_end(const Broadcast& broadcast, const std::string& reason, std::int64_t now) {
    Checkpoint before = checkpoint();
    queue_end(broadcast, reason, now);
    Status saved = commit(now);
    if (!saved) {
        roll_back(std::move(before));  // still live and billed, as if stop had not come
    }
    return saved;
}

void PendingWrites::queue_end(const Broadcast& broadcast, const std::string& reason, std::int64_t now) {
    BroadcastRecord record = broadcast.record;
    record.ended_at = wall_clock_(now);
    record.end_reason = reason;
    if (record.started_at != 0) {
        billing_.broadcast_ended(broadcast, record, now);
    }
    unsaved_records_.push_back(std::move(record));
}

}  // namespace onair
