// SPDX-License-Identifier: GPL-3.0-or-later
#include "hub.h"

#include <algorithm>

#include "hub_state.h"
#include "model/events.h"

namespace onair {

namespace {
constexpr std::int64_t kRateWindowSeconds = 60;
}  // namespace

// ---- Hub: one lock around HubState ----

Hub::Hub(Settings settings, std::unique_ptr<Store> store, WallClock wall_clock)
    : settings_(std::move(settings)),
      state_(std::make_unique<HubState>(settings_, std::move(store), std::move(wall_clock))) {}

Hub::~Hub() = default;

Status Hub::start(const std::vector<Site>& configured, std::int64_t now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    return state_->start(configured, now);
}

void Hub::handle_created(HandleId handle) {
    const std::lock_guard<std::mutex> lock(mutex_);
    state_->handle_created(handle);
}

Effects Hub::handle_destroyed(HandleId handle, std::int64_t now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Effects effects = state_->handle_destroyed(handle, now);
    (void)state_->commit(now);  // a failed write drops the events; the state change stands
    return effects;
}

Effects Hub::media_up(HandleId handle, std::int64_t now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Effects effects = state_->media_up(handle, now);
    (void)state_->commit(now);
    return effects;
}

Effects Hub::media_down(HandleId handle, std::int64_t now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Effects effects = state_->media_down(handle, now);
    (void)state_->commit(now);
    return effects;
}

Result<Reply> Hub::handle_request(HandleId handle, const Request& request, std::int64_t now,
                                  const SdpCheck& check_sdp) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Result<Reply> reply = state_->handle_request(handle, request, now, check_sdp);
    (void)state_->commit(now);
    return reply;
}

Effects Hub::tick(std::int64_t now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Effects effects = state_->tick(now);
    (void)state_->commit(now);
    return effects;
}

JsonPtr Hub::admin(const json_t* request, std::int64_t now, Effects& effects) {
    const std::lock_guard<std::mutex> lock(mutex_);
    JsonPtr answer = state_->admin(request, now, effects);
    (void)state_->commit(now);
    return answer;
}

void Hub::evidence(const std::vector<HandleId>& handles, std::int64_t now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    state_->evidence(handles, now);
}

std::optional<CallbackTarget> Hub::callback_target(const std::string& site) {
    const std::lock_guard<std::mutex> lock(mutex_);
    return state_->callback_target(site);
}

// ---- HubState: lifecycle and timers ----

HubState::HubState(const Settings& settings, std::unique_ptr<Store> store, WallClock wall_clock)
    : settings_(settings),
      wall_clock_(std::move(wall_clock)),
      store_(std::move(store)),
      pairing_(settings_, sites_, wall_clock_),
      billing_(settings_, sites_, wall_clock_, store_.get()),
      consent_(settings_, billing_, store_.get()),
      writes_(store_.get(), billing_, consent_, wall_clock_),
      watch_limiter_(settings.watch_rate, kRateWindowSeconds) {}

Status HubState::start(const std::vector<Site>& configured, std::int64_t now) {
    std::vector<Site> stored;
    std::vector<std::string> removed;
    if (store_) {
        Result<std::vector<Site>> loaded = store_->load_sites();
        if (!loaded) {
            return loaded.error();
        }
        stored = std::move(loaded.value());
        Result<std::vector<std::string>> tombstones = store_->removed_sites();
        if (!tombstones) {
            return tombstones.error();
        }
        removed = std::move(tombstones.value());
    }
    for (const Site& site : configured) {
        if (std::find(removed.begin(), removed.end(), site.key) != removed.end()) {
            continue;  // removed through the Admin API: stays removed
        }
        Status added = sites_.put(site);
        if (!added) {
            return added;
        }
    }
    for (Site& site : stored) {
        Status added = sites_.put(std::move(site));
        if (!added) {
            return added;
        }
    }
    return recover_previous_run(now);
}

void HubState::handle_created(HandleId handle) { handles_.try_emplace(handle); }

Effects HubState::handle_destroyed(HandleId handle, std::int64_t now) {
    Effects effects;
    presence_.unsubscribe(handle);
    auto found = handles_.find(handle);
    if (found == handles_.end()) {
        return effects;
    }
    const std::string watching = found->second.watching;
    if (Broadcast* broadcast = broadcast_held_by(handle); broadcast != nullptr) {
        if (broadcast->state == BroadcastState::Live) {
            broadcast->interrupt(now + settings_.resume_grace, effects);
        }
        broadcast->broadcaster = 0;
    }
    if (Broadcast* broadcast = broadcasts_.find(watching); broadcast != nullptr) {
        drop_session(*broadcast, handle, "gone", now, effects);
    }
    handles_.erase(handle);
    return effects;
}

Effects HubState::media_up(HandleId handle, std::int64_t now) {
    Effects effects;
    Broadcast* broadcast = broadcast_held_by(handle);
    if (broadcast == nullptr) {
        return effects;  // a viewer's PeerConnection: its relay starts with `start`
    }
    go_live(*broadcast, handle, now, effects);
    broadcast->relay_up = true;
    effects.media.emplace_back(RouterSetPublisher{broadcast->record.broadcast_id, handle});
    pairing_.offer_switch(*broadcast, effects);
    return effects;
}

Effects HubState::media_down(HandleId handle, std::int64_t now) {
    Effects effects;
    if (Broadcast* broadcast = broadcast_held_by(handle); broadcast != nullptr) {
        // A direct broadcast does not depend on a PeerConnection with Janus: a relay offer that
        // was refused, or never came up, leaves it live.
        if (broadcast->state == BroadcastState::Live && broadcast->relay_up) {
            broadcast->interrupt(now + settings_.resume_grace, effects);
        }
        return effects;
    }
    auto found = handles_.find(handle);
    if (found == handles_.end()) {
        return effects;
    }
    if (Broadcast* broadcast = broadcasts_.find(found->second.watching); broadcast != nullptr) {
        auto session = broadcast->sessions.find(handle);
        if (session != broadcast->sessions.end() && session->second.admitted() && !session->second.direct) {
            drop_session(*broadcast, handle, "hangup", now, effects);
        }
    }
    return effects;
}

Effects HubState::tick(std::int64_t now) {
    Effects effects;
    std::vector<std::pair<std::string, std::string>> overdue;  // (broadcast id, reason)
    billing_.expire(now);
    for (auto& [id, broadcast] : broadcasts_) {
        // While the store holds back too much, reports wait: a later one carries the same seconds
        // and more.
        if (billing_.report_due(broadcast, now) && writes_.check_backlog()) {
            billing_.report_airtime(broadcast, now);
        }
        for (HandleId viewer : consent_.expire_prompts(broadcast, now, effects)) {
            if (auto record = handles_.find(viewer); record != handles_.end()) {
                record->second.watching.clear();
            }
        }
        for (HandleId viewer : broadcast.unstarted(now, settings_.publish_timeout)) {
            end_session(broadcast, viewer, "start_timeout", now, effects);  // the grant stays
        }
        if (broadcast.deadline != 0 && broadcast.deadline <= now && broadcast.state != BroadcastState::Live) {
            overdue.emplace_back(id, broadcast.deadline_reason);
        }
    }
    for (const auto& [id, reason] : overdue) {
        // The media is gone either way: the end is queued, and retried until the store takes it.
        writes_.queue_end(broadcasts_.at(id), reason, now);
        end_broadcast(id, reason, true, effects);
    }
    watch_limiter_.forget_idle(now);
    return effects;
}

// ---- HubState: shared helpers ----

Result<Identity> HubState::authenticate(const HandleRecord& record, const Credentials& who,
                                        std::int64_t now) const {
    const Site* site = sites_.find(who.site);
    if (site == nullptr) {
        return unknown_site(who.site);
    }
    Result<Identity> identity = verify_identity(*site, who.user, who.name, who.token, wall_at(now));
    if (identity && !record.user.empty() &&
        (record.site != identity.value().site || record.user != identity.value().user)) {
        return fail(ErrorCode::WrongState, "This handle acts for user '" + record.user + "' of site '" +
                                               record.site + "': attach a new handle for another user");
    }
    return identity;
}

Broadcast* HubState::broadcast_held_by(HandleId handle) {
    auto found = handles_.find(handle);
    return found == handles_.end() ? nullptr : broadcasts_.held_by(handle, found->second.broadcasting);
}

}  // namespace onair
