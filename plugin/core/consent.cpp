// SPDX-License-Identifier: GPL-3.0-or-later
#include "consent.h"

#include <algorithm>
#include <utility>

#include "model/events.h"

namespace onair {

namespace {

PluginEvent watch_request_event(const ViewerSession& session, std::int64_t now) {
    return Event(EventName::WatchRequest)
        .text("request_id", session.request_id)
        .object("viewer", viewer_json(session))
        .number("expires_in", std::max<std::int64_t>(0, session.expires_at - now))
        .take();
}

}  // namespace

Consent::Consent(const Settings& settings, Billing& billing, Store* store)
    : request_timeout_(settings.request_timeout), billing_(billing), store_(store) {}

// ---- prompts ----

void Consent::ask(Broadcast& broadcast, HandleId viewer, ViewerSession session, std::int64_t now,
                  Effects& effects) {
    session.stage = ViewerStage::Pending;
    session.expires_at = now + request_timeout_;
    billing_.viewer_requested(broadcast.record, session, now);
    if (broadcast.broadcaster != 0) {
        effects.notify(broadcast.broadcaster, watch_request_event(session, now));
    }
    broadcast.sessions.emplace(viewer, std::move(session));
}

void Consent::show_prompts(const Broadcast& broadcast, HandleId broadcaster, std::int64_t now,
                           Effects& effects) const {
    for (const auto& [viewer, session] : broadcast.sessions) {
        if (session.stage == ViewerStage::Pending) {
            effects.notify(broadcaster, watch_request_event(session, now));
        }
    }
}

void Consent::accept(Broadcast& broadcast, ViewerSession& session, std::int64_t now) {
    billing_.viewer_accepted(broadcast.record, session, now);
    grant(broadcast, session.user, session.name);
    session.stage = ViewerStage::Accepted;
    session.since = now;
}

void Consent::deny(Broadcast& broadcast, HandleId viewer, std::int64_t now, Effects& effects) {
    const ViewerSession& session = broadcast.sessions.at(viewer);
    billing_.viewer_declined(broadcast.record, session, "denied", now);
    effects.notify(
        viewer,
        Event(EventName::Declined).text("request_id", session.request_id).text("reason", "denied").take());
    broadcast.sessions.erase(viewer);
}

void Consent::cancel(const Broadcast& broadcast, const ViewerSession& session, std::int64_t now,
                     Effects& effects) {
    billing_.viewer_declined(broadcast.record, session, "cancelled", now);
    if (broadcast.broadcaster != 0) {
        effects.notify(broadcast.broadcaster,
                       Event(EventName::RequestCancelled).text("request_id", session.request_id).take());
    }
}

std::vector<HandleId> Consent::expire_prompts(Broadcast& broadcast, std::int64_t now, Effects& effects) {
    std::vector<HandleId> expired;
    for (auto it = broadcast.sessions.begin(); it != broadcast.sessions.end();) {
        const ViewerSession& session = it->second;
        if (session.stage != ViewerStage::Pending || session.expires_at > now) {
            ++it;
            continue;
        }
        billing_.viewer_declined(broadcast.record, session, "timeout", now);
        effects.notify(it->first, Event(EventName::Declined)
                                      .text("request_id", session.request_id)
                                      .text("reason", "timeout")
                                      .take());
        if (broadcast.broadcaster != 0) {
            effects.notify(broadcast.broadcaster,
                           Event(EventName::RequestExpired).text("request_id", session.request_id).take());
        }
        expired.push_back(it->first);
        it = broadcast.sessions.erase(it);
    }
    return expired;
}

// ---- grants ----

void Consent::grant(Broadcast& broadcast, const std::string& viewer_user, const std::string& name) {
    if (broadcast.grants.count(viewer_user) == 0 && broadcast.grants.size() >= Broadcast::kMaxGrants) {
        // Bounded: a user who is not in the broadcast now loses their grant (they would be asked
        // again), so a long broadcast with ever new viewers does not grow without end.
        auto absent =
            std::find_if(broadcast.grants.begin(), broadcast.grants.end(),
                         [&broadcast](const auto& entry) { return !broadcast.has_session_of(entry.first); });
        if (absent != broadcast.grants.end()) {
            changes_.push_back(GrantChange{broadcast.record.broadcast_id, absent->first, "", false});
            broadcast.grants.erase(absent);
        }
    }
    broadcast.grants[viewer_user] = name;
    // Written by the next commit (in order with revocations), retried until stored.
    changes_.push_back(GrantChange{broadcast.record.broadcast_id, viewer_user, name, true});
}

bool Consent::revoke(Broadcast& broadcast, const std::string& viewer_user) {
    if (broadcast.grants.erase(viewer_user) == 0) {
        return false;
    }
    // Written by the next commit, retried until stored: a restart never brings the grant back.
    changes_.push_back(GrantChange{broadcast.record.broadcast_id, viewer_user, "", false});
    return true;
}

// ---- writing ----

Status Consent::write() {
    for (const GrantChange& change : changes_) {
        Status saved = change.granted ? store_->save_grant(change.broadcast_id, change.user, change.name)
                                      : store_->delete_grant(change.broadcast_id, change.user);
        if (!saved) {
            return saved;
        }
    }
    return Ok{};
}

}  // namespace onair
