// SPDX-License-Identifier: GPL-3.0-or-later
// The Admin API of docs/protocol.md ("Admin API"): the dispatch, sites, broadcasts and viewers;
// the outbox and usage in admin_billing.cpp.
#include <optional>

#include "admin_answers.h"
#include "fields.h"
#include "hub_state.h"

namespace onair {

namespace {

// The members of each request (docs/protocol.md, "Admin API"), in the order they are checked.
constexpr Field kRequest[] = {{"request", FieldType::Text, Presence::Required}};
constexpr Field kKey[] = {{"key", FieldType::SiteKey, Presence::Required}};
constexpr const char* kIdentityModes[] = {"signed", "open"};   // NOLINT(*-avoid-c-arrays)
constexpr const char* kMediaModes[] = {"sfu", "p2p", "auto"};  // NOLINT(*-avoid-c-arrays)
constexpr std::int64_t kMaxSiteLimit = 1000000;
constexpr Field kSiteOptions[] = {
    {"identity", FieldType::Choice, Presence::Optional, 0, 0, nullptr, kIdentityModes},
    {"media", FieldType::Choice, Presence::Optional, 0, 0, nullptr, kMediaModes},
    {"audio", FieldType::Boolean},
    {"simulcast", FieldType::Boolean},
    {"p2p_relay_only", FieldType::Boolean},
    {"callback_url", FieldType::CallbackUrl},
    {"max_broadcasts", FieldType::Integer, Presence::Optional, 1, kMaxSiteLimit, "must be an integer from 1"},
    {"max_viewers", FieldType::Integer, Presence::Optional, 1, kMaxSiteLimit, "must be an integer from 1"}};
constexpr Field kListBroadcasts[] = {{"site", FieldType::SiteKey}};
constexpr Field kSite[] = {{"site", FieldType::SiteKey, Presence::Required}};
constexpr Field kUser[] = {{"user", FieldType::UserId, Presence::Required}};
constexpr Field kViewer[] = {{"viewer", FieldType::UserId, Presence::Required}};

// Applies the options add_site was given to `site`.
void apply_site_options(const Fields& options, Site& site) {
    // The table admits only the modes these know; a mode not given reads as "" and changes nothing.
    if (std::optional<IdentityMode> identity = identity_mode_from(options.text("identity"))) {
        site.identity = *identity;
    }
    if (std::optional<MediaMode> media = media_mode_from(options.text("media"))) {
        site.media = *media;
    }
    for (auto [key, field] : {std::pair{"audio", &site.audio}, std::pair{"simulcast", &site.simulcast},
                              std::pair{"p2p_relay_only", &site.p2p_relay_only}}) {
        if (options.has(key)) {
            *field = options.flag(key);
        }
    }
    if (options.has("callback_url")) {
        site.callback_url = options.text("callback_url");
    }
    for (auto [key, field] :
         {std::pair{"max_broadcasts", &site.max_broadcasts}, std::pair{"max_viewers", &site.max_viewers}}) {
        if (options.has(key)) {
            *field = static_cast<int>(options.integer(key));
        }
    }
}

}  // namespace

JsonPtr HubState::admin(const json_t* request, std::int64_t now, Effects& effects) {
    if (request == nullptr) {
        return admin_error(fail(ErrorCode::NoMessage, "No message"));
    }
    if (!json_is_object(request)) {
        return admin_error(fail(ErrorCode::InvalidJson, "Invalid JSON: the request must be an object"));
    }
    Result<Fields> name = Fields::read(request, kRequest);
    if (!name) {
        return admin_error(name.error());
    }
    const std::string& what = name.value().text("request");
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
    json_object_set_new(object.get(), "broadcasts", json_integer(broadcasts_.count_of_site(site.key)));
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
    Result<Fields> key = Fields::read(request, kKey);
    if (!key) {
        return admin_error(key.error());
    }
    const Site* existing = sites_.find(key.value().text("key"));
    Site site = existing != nullptr ? *existing : Site{};
    site.key = key.value().text("key");
    // A new site needs a secret; an update may leave it out to keep the current one.
    const Field secret_row[] = {
        // NOLINT(*-avoid-c-arrays)
        {"secret", FieldType::Text, existing == nullptr ? Presence::Required : Presence::Optional}};
    Result<Fields> secret = Fields::read(request, secret_row);
    if (!secret) {
        return admin_error(secret.error());
    }
    if (secret.value().has("secret")) {
        site.secret = secret.value().text("secret");
    }
    Result<Fields> options = Fields::read(request, kSiteOptions);
    if (!options) {
        return admin_error(options.error());
    }
    apply_site_options(options.value(), site);
    if (Status valid = validate_site(site); !valid) {
        return admin_error(valid.error());
    }
    if (Status host = check_callback_host(site, settings_.allow_private_callbacks); !host) {
        return admin_error(host.error());
    }
    if (site.p2p_relay_only && !pairing_.has_turn()) {
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
    Result<Fields> fields = Fields::read(request, kKey);
    if (!fields) {
        return admin_error(fields.error());
    }
    const std::string& key = fields.value().text("key");
    if (sites_.find(key) == nullptr) {
        return admin_error(unknown_site(key));
    }
    std::vector<std::string> ending;
    for (const auto& [id, broadcast] : broadcasts_) {
        if (broadcast.record.site == key) {
            ending.push_back(id);
        }
    }
    // Store first, memory after, in one transaction: a store failure leaves the site and all its
    // broadcasts as they were, in memory and in the store.
    PendingWrites::Checkpoint before = writes_.checkpoint();
    for (const std::string& id : ending) {
        writes_.queue_end(broadcasts_.at(id), "admin", now);
    }
    Status saved = writes_.commit(
        now, nullptr, [this, &key]() -> Status { return store_ ? store_->delete_site(key) : Status{Ok{}}; });
    if (!saved) {
        writes_.roll_back(std::move(before));
        return admin_error(saved.error());
    }
    for (const std::string& id : ending) {
        end_broadcast(id, "admin", true, effects);
    }
    sites_.remove(key);
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "ended", json_integer(static_cast<json_int_t>(ending.size())));
    return answer;
}

JsonPtr HubState::admin_list_broadcasts(const json_t* request) const {
    Result<Fields> fields = Fields::read(request, kListBroadcasts);
    if (!fields) {
        return admin_error(fields.error());
    }
    const bool one_site = fields.value().has("site");
    const std::string& site = fields.value().text("site");
    if (one_site && sites_.find(site) == nullptr) {
        return admin_error(unknown_site(site));
    }
    JsonPtr list(json_array());
    for (const auto& [id, broadcast] : broadcasts_) {
        const BroadcastRecord& record = broadcast.record;
        if (one_site && record.site != site) {
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
    Result<Fields> fields = Fields::read(request, kSite);
    if (!fields) {
        return fields.error();
    }
    const std::string& site = fields.value().text("site");
    if (sites_.find(site) == nullptr) {
        return unknown_site(site);
    }
    return site;
}

Result<Broadcast*> HubState::named_broadcast(const json_t* request) {
    Result<std::string> site = known_site_member(request);
    if (!site) {
        return site.error();
    }
    Result<Fields> fields = Fields::read(request, kUser);
    if (!fields) {
        return fields.error();
    }
    const std::string& user = fields.value().text("user");
    Broadcast* broadcast = broadcasts_.of(site.value(), user);
    if (broadcast == nullptr) {
        return fail(ErrorCode::NotFound,
                    "No broadcast of user '" + user + "' on site '" + site.value() + "'");
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
    if (Status saved = writes_.persist_end(*broadcast, "admin", now); !saved) {
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
    Result<Fields> fields = Fields::read(request, kViewer);
    if (!fields) {
        return admin_error(fields.error());
    }
    const std::string& viewer = fields.value().text("viewer");
    Result<Broadcast*> named = named_broadcast(request);
    if (!named) {
        return admin_error(named.error());
    }
    if (!remove_viewer(*named.value(), viewer, "admin", now, effects)) {
        return admin_error(fail(ErrorCode::NotFound, "No viewer '" + viewer + "' in that broadcast"));
    }
    return admin_success();
}

}  // namespace onair
