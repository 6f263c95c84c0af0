// SPDX-License-Identifier: GPL-3.0-or-later
// The Admin API of docs/protocol.md ("Admin API"): the dispatch, sites, broadcasts and viewers;
// the outbox and usage in admin_billing.cpp.
#include <optional>

#include "admin_fields.h"
#include "hub_state.h"
#include "text.h"

namespace onair {

namespace {

// Applies the optional members of add_site to `site`.
Status apply_site_options(const json_t* request, Site& site) {
    Result<std::optional<std::string>> identity = text_member(request, "identity", false);
    if (!identity) {
        return identity.error();
    }
    if (identity.value()) {
        std::optional<IdentityMode> mode = identity_mode_from(*identity.value());
        if (!mode) {
            return fail(ErrorCode::InvalidElement, "Invalid element: identity must be 'signed' or 'open'");
        }
        site.identity = *mode;
    }
    Result<std::optional<std::string>> media = text_member(request, "media", false);
    if (!media) {
        return media.error();
    }
    if (media.value()) {
        std::optional<MediaMode> mode = media_mode_from(*media.value());
        if (!mode) {
            return fail(ErrorCode::InvalidElement, "Invalid element: media must be 'sfu', 'p2p' or 'auto'");
        }
        site.media = *mode;
    }
    for (auto [key, field] : {std::pair{"audio", &site.audio}, std::pair{"simulcast", &site.simulcast},
                              std::pair{"p2p_relay_only", &site.p2p_relay_only}}) {
        const json_t* value = json_object_get(request, key);
        if (value == nullptr || json_is_null(value)) {
            continue;
        }
        if (!json_is_boolean(value)) {
            return fail(ErrorCode::InvalidElement,
                        std::string("Invalid element: ") + key + " must be true or false");
        }
        *field = json_is_true(value);
    }
    Result<std::optional<std::string>> callback_url = text_member(request, "callback_url", false);
    if (!callback_url) {
        return callback_url.error();
    }
    if (callback_url.value()) {
        if (!callback_url.value()->empty() && !is_callback_url(*callback_url.value())) {
            return fail(
                ErrorCode::InvalidElement,
                "Invalid element: callback_url must be an http:// or https:// URL (or empty for none)");
        }
        site.callback_url = *callback_url.value();
    }
    for (auto [key, field] :
         {std::pair{"max_broadcasts", &site.max_broadcasts}, std::pair{"max_viewers", &site.max_viewers}}) {
        const json_t* value = json_object_get(request, key);
        if (value == nullptr || json_is_null(value)) {
            continue;
        }
        if (!json_is_integer(value) || json_integer_value(value) < 1 || json_integer_value(value) > 1000000) {
            return fail(ErrorCode::InvalidElement,
                        std::string("Invalid element: ") + key + " must be an integer from 1");
        }
        *field = static_cast<int>(json_integer_value(value));
    }
    return Ok{};
}

}  // namespace

JsonPtr HubState::admin(const json_t* request, std::int64_t now, Effects& effects) {
    if (request == nullptr) {
        return admin_error(fail(ErrorCode::NoMessage, "No message"));
    }
    if (!json_is_object(request)) {
        return admin_error(fail(ErrorCode::InvalidJson, "Invalid JSON: the request must be an object"));
    }
    Result<std::optional<std::string>> name = text_member(request, "request", true);
    if (!name) {
        return admin_error(name.error());
    }
    const std::string& what = *name.value();
    if (what == "list_sites") {
        return admin_list_sites();
    }
    if (what == "add_site") {
        return admin_add_site(request);
    }
    if (what == "remove_site") {
        return admin_remove_site(request, now, effects);
    }
    if (what == "list_broadcasts") {
        return admin_list_broadcasts(request);
    }
    if (what == "list_viewers") {
        return admin_list_viewers(request);
    }
    if (what == "stop_broadcast") {
        return admin_stop_broadcast(request, now, effects);
    }
    if (what == "remove_viewer") {
        return admin_remove_viewer(request, now, effects);
    }
    if (what == "list_outbox") {
        return admin_list_outbox(request);
    }
    if (what == "retry_outbox") {
        return admin_retry_outbox(request, now);
    }
    if (what == "usage") {
        return admin_usage(request, now);
    }
    return admin_error(fail(ErrorCode::UnknownRequest, "Unknown request '" + what + "'"));
}

JsonPtr HubState::site_json(const Site& site) const {
    JsonPtr object(json_object());
    set_text(object.get(), "key", site.key);
    json_object_set_new(object.get(), "identity", json_string(to_string(site.identity)));
    json_object_set_new(object.get(), "media", json_string(to_string(site.media)));
    json_object_set_new(object.get(), "audio", json_boolean(site.audio));
    json_object_set_new(object.get(), "simulcast", json_boolean(site.simulcast));
    json_object_set_new(object.get(), "p2p_relay_only", json_boolean(site.p2p_relay_only));
    json_object_set_new(object.get(), "max_broadcasts", json_integer(site.max_broadcasts));
    json_object_set_new(object.get(), "max_viewers", json_integer(site.max_viewers));
    json_object_set_new(object.get(), "broadcasts", json_integer(broadcasts_of_site(site.key)));
    JsonPtr callback(json_object());
    set_text(callback.get(), "url", site.callback_url);
    CallbackStatus status;
    if (store_) {
        if (Result<CallbackStatus> stored = store_->callback_status(site.key); stored) {
            status = stored.value();
        } else {
            status.last_error = stored.error().message;
        }
    }
    json_object_set_new(callback.get(), "pending", json_integer(status.pending));
    json_object_set_new(callback.get(), "parked", json_integer(status.parked));
    set_text(callback.get(), "last_error", status.last_error);
    json_object_set_new(callback.get(), "last_success_at", json_integer(status.last_success_at));
    json_object_set_new(object.get(), "callback", callback.release());
    return object;
}

JsonPtr HubState::admin_list_sites() const {
    JsonPtr answer = admin_success();
    JsonPtr list(json_array());
    for (const Site* site : sites_.all()) {
        json_array_append_new(list.get(), site_json(*site).release());
    }
    json_object_set_new(answer.get(), "sites", list.release());
    return answer;
}

JsonPtr HubState::admin_add_site(const json_t* request) {
    Result<std::string> key = site_member(request, "key");
    if (!key) {
        return admin_error(key.error());
    }
    const Site* existing = sites_.find(key.value());
    Site site = existing != nullptr ? *existing : Site{};
    site.key = key.value();
    // A new site needs a secret; an update may leave it out to keep the current one.
    Result<std::optional<std::string>> secret = text_member(request, "secret", existing == nullptr);
    if (!secret) {
        return admin_error(secret.error());
    }
    if (secret.value()) {
        site.secret = *secret.value();
    }
    if (Status options = apply_site_options(request, site); !options) {
        return admin_error(options.error());
    }
    if (Status valid = validate_site(site); !valid) {
        return admin_error(valid.error());
    }
    if (Status host = check_callback_host(site, settings_.allow_private_callbacks); !host) {
        return admin_error(host.error());
    }
    if (site.p2p_relay_only && !ice_servers_.has_turn()) {
        return admin_error(fail(ErrorCode::InvalidElement,
                                "Invalid element: p2p_relay_only needs TURN (turn_uris) configured"));
    }
    if (store_) {
        if (Status saved = store_->save_site(site); !saved) {
            return admin_error(saved.error());
        }
    }
    (void)sites_.put(site);  // validated above
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "site", site_json(site).release());
    return answer;
}

JsonPtr HubState::admin_remove_site(const json_t* request, std::int64_t now, Effects& effects) {
    Result<std::string> key = site_member(request, "key");
    if (!key) {
        return admin_error(key.error());
    }
    if (sites_.find(key.value()) == nullptr) {
        return admin_error(fail(ErrorCode::UnknownSite, "Unknown site '" + key.value() + "'"));
    }
    std::vector<std::string> ending;
    for (const auto& [id, broadcast] : broadcasts_) {
        if (broadcast.record.site == key.value()) {
            ending.push_back(id);
        }
    }
    // Store first, memory after, in one transaction: a store failure leaves the site and all its
    // broadcasts as they were, in memory and in the store.
    Checkpoint before = checkpoint();
    for (const std::string& id : ending) {
        queue_end(broadcasts_.at(id), "admin", now);
    }
    Status saved = commit(now, nullptr, [this, &key]() -> Status {
        return store_ ? store_->delete_site(key.value()) : Status{Ok{}};
    });
    if (!saved) {
        roll_back(std::move(before));
        return admin_error(saved.error());
    }
    for (const std::string& id : ending) {
        end_broadcast(id, "admin", true, effects);
    }
    sites_.remove(key.value());
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "ended", json_integer(static_cast<json_int_t>(ending.size())));
    return answer;
}

JsonPtr HubState::admin_list_broadcasts(const json_t* request) const {
    Result<std::optional<std::string>> site = text_member(request, "site", false);
    if (!site) {
        return admin_error(site.error());
    }
    if (site.value() && !is_site_key(*site.value())) {
        return admin_error(fail(ErrorCode::InvalidElement,
                                "Invalid element: site must be 1-64 characters of A-Z a-z 0-9 _ . -"));
    }
    if (site.value() && sites_.find(*site.value()) == nullptr) {
        return admin_error(fail(ErrorCode::UnknownSite, "Unknown site '" + *site.value() + "'"));
    }
    JsonPtr list(json_array());
    for (const auto& [id, broadcast] : broadcasts_) {
        const BroadcastRecord& record = broadcast.record;
        if (site.value() && record.site != *site.value()) {
            continue;
        }
        JsonPtr entry(json_object());
        set_text(entry.get(), "site", record.site);
        set_text(entry.get(), "user", record.user);
        set_text(entry.get(), "name", record.name);
        set_text(entry.get(), "broadcast_id", id);
        json_object_set_new(entry.get(), "state", json_string(to_string(broadcast.state)));
        json_object_set_new(entry.get(), "registered_at", json_integer(record.registered_at));
        json_object_set_new(entry.get(), "started_at", json_integer(record.started_at));
        json_object_set_new(entry.get(), "viewers", json_integer(broadcast.count(ViewerStage::Watching)));
        json_object_set_new(entry.get(), "pending", json_integer(broadcast.count(ViewerStage::Pending)));
        json_array_append_new(list.get(), entry.release());
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "broadcasts", list.release());
    return answer;
}

Result<std::string> HubState::known_site_member(const json_t* request) const {
    Result<std::string> site = site_member(request, "site");
    if (site && sites_.find(site.value()) == nullptr) {
        return fail(ErrorCode::UnknownSite, "Unknown site '" + site.value() + "'");
    }
    return site;
}

Result<Broadcast*> HubState::named_broadcast(const json_t* request) {
    Result<std::string> site = known_site_member(request);
    if (!site) {
        return site.error();
    }
    Result<std::string> user = user_member(request, "user");
    if (!user) {
        return user.error();
    }
    Broadcast* broadcast = broadcast_of(site.value(), user.value());
    if (broadcast == nullptr) {
        return fail(ErrorCode::NotFound,
                    "No broadcast of user '" + user.value() + "' on site '" + site.value() + "'");
    }
    return broadcast;
}

JsonPtr HubState::admin_list_viewers(const json_t* request) {
    Result<Broadcast*> named = named_broadcast(request);
    if (!named) {
        return admin_error(named.error());
    }
    const Broadcast& broadcast = *named.value();
    JsonPtr list(json_array());
    for (const auto& [handle, session] : broadcast.sessions) {
        JsonPtr entry(json_object());
        set_text(entry.get(), "user", session.user);
        set_text(entry.get(), "name", session.name);
        json_object_set_new(entry.get(), "name_verified", json_boolean(session.name_verified));
        json_object_set_new(entry.get(), "state", json_string(to_string(session.stage)));
        json_object_set_new(entry.get(), "since", json_integer(session.since));
        json_array_append_new(list.get(), entry.release());
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "viewers", list.release());
    return answer;
}

JsonPtr HubState::admin_stop_broadcast(const json_t* request, std::int64_t now, Effects& effects) {
    Result<Broadcast*> named = named_broadcast(request);
    if (!named) {
        return admin_error(named.error());
    }
    Broadcast* broadcast = named.value();
    if (Status saved = persist_end(*broadcast, "admin", now); !saved) {
        return admin_error(saved.error());
    }
    const std::string id = broadcast->record.broadcast_id;
    end_broadcast(id, "admin", true, effects);
    JsonPtr answer = admin_success();
    set_text(answer.get(), "broadcast_id", id);
    return answer;
}

JsonPtr HubState::admin_remove_viewer(const json_t* request, std::int64_t now, Effects& effects) {
    // The request is checked whole before anything is looked up.
    Result<std::string> viewer = user_member(request, "viewer");
    if (!viewer) {
        return admin_error(viewer.error());
    }
    Result<Broadcast*> named = named_broadcast(request);
    if (!named) {
        return admin_error(named.error());
    }
    if (!remove_viewer(*named.value(), viewer.value(), "admin", now, effects)) {
        return admin_error(fail(ErrorCode::NotFound, "No viewer '" + viewer.value() + "' in that broadcast"));
    }
    return admin_success();
}

}  // namespace onair
