// SPDX-License-Identifier: GPL-3.0-or-later
// The Admin API's dispatch and its requests on sites, broadcasts and viewers; the outbox and usage
// in admin_billing.cpp.
#include "admin.h"

#include <utility>
#include <variant>

#include "admin_answers.h"
#include "fields.h"

namespace onair {

namespace {

// A visitor of one lambda per request type.
template <typename... Lambdas>
struct Overloaded : Lambdas... {
    using Lambdas::operator()...;
};
template <typename... Lambdas>
Overloaded(Lambdas...) -> Overloaded<Lambdas...>;

// Applies the options add_site was given to `site`: one left out keeps the site's value.
void apply_site_options(const SiteOptions& options, Site& site) {
    site.identity = options.identity.value_or(site.identity);
    site.media = options.media.value_or(site.media);
    site.audio = options.audio.value_or(site.audio);
    site.simulcast = options.simulcast.value_or(site.simulcast);
    site.p2p_relay_only = options.p2p_relay_only.value_or(site.p2p_relay_only);
    site.callback_url = options.callback_url.value_or(site.callback_url);
    site.max_broadcasts = options.max_broadcasts.value_or(site.max_broadcasts);
    site.max_viewers = options.max_viewers.value_or(site.max_viewers);
}

}  // namespace

AdminApi::AdminApi(SiteRegistry& sites, Store* store, Billing& billing, const Settings& settings,
                   const IceServers& ice_servers, AdminBroadcasts& broadcasts)
    : sites_(sites),
      store_(store),
      billing_(billing),
      settings_(settings),
      ice_servers_(ice_servers),
      broadcasts_(broadcasts) {}

JsonPtr AdminApi::execute(const AdminRequest& request, std::int64_t now, Effects& effects) {
    return std::visit(Overloaded{
                          [this](const ListSites& /*unused*/) { return list_sites(); },
                          [this](const AddSite& add) { return add_site(add); },
                          [&](const RemoveSite& remove) { return remove_site(remove, now, effects); },
                          [this](const ListBroadcasts& list) { return list_broadcasts(list); },
                          [this](const ListViewers& list) { return list_viewers(list); },
                          [&](const StopBroadcast& stop) { return stop_broadcast(stop, now, effects); },
                          [&](const RemoveViewer& remove) { return remove_viewer(remove, now, effects); },
                          [this](const ListOutbox& list) { return list_outbox(list); },
                          [&](const RetryOutbox& retry) { return retry_outbox(retry, now); },
                          [&](const UsageQuery& query) { return usage(query, now); },
                      },
                      request);
}

JsonPtr AdminApi::site_json(const Site& site) const {
    JsonPtr object(json_object());
    set_text(object.get(), "key", site.key);
    json_object_set_new(object.get(), "identity", json_string(to_string(site.identity)));
    json_object_set_new(object.get(), "media", json_string(to_string(site.media)));
    json_object_set_new(object.get(), "audio", json_boolean(site.audio));
    json_object_set_new(object.get(), "simulcast", json_boolean(site.simulcast));
    json_object_set_new(object.get(), "p2p_relay_only", json_boolean(site.p2p_relay_only));
    json_object_set_new(object.get(), "max_broadcasts", json_integer(site.max_broadcasts));
    json_object_set_new(object.get(), "max_viewers", json_integer(site.max_viewers));
    json_object_set_new(object.get(), "broadcasts", json_integer(broadcasts_.broadcast_count(site.key)));
    JsonPtr callback(json_object());
    set_text(callback.get(), "url", site.callback_url);
    CallbackStatus status;
    if (store_ != nullptr) {
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

JsonPtr AdminApi::list_sites() const {
    JsonPtr answer = admin_success();
    JsonPtr list(json_array());
    for (const Site* site : sites_.all()) {
        json_array_append_new(list.get(), site_json(*site).release());
    }
    json_object_set_new(answer.get(), "sites", list.release());
    return answer;
}

JsonPtr AdminApi::add_site(const AddSite& request) {
    // An existing key is updated: what the request leaves out keeps its value, the secret too.
    const Site* existing = sites_.find(request.key);
    Site site = existing != nullptr ? *existing : Site{};
    site.key = request.key;
    site.secret = request.secret.value_or(site.secret);
    apply_site_options(request.options, site);
    if (Status valid = validate_site(site); !valid) {
        return admin_error(valid.error());
    }
    if (Status host = check_callback_host(site, settings_.allow_private_callbacks); !host) {
        return admin_error(host.error());
    }
    if (site.p2p_relay_only && !ice_servers_.has_turn()) {
        return admin_error(invalid_element("p2p_relay_only", "needs TURN (turn_uris) configured"));
    }
    if (store_ != nullptr) {
        if (Status saved = store_->save_site(site); !saved) {
            return admin_error(saved.error());
        }
    }
    (void)sites_.put(site);  // validated above
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "site", site_json(site).release());
    return answer;
}

JsonPtr AdminApi::remove_site(const RemoveSite& request, std::int64_t now, Effects& effects) {
    // Store first, memory after, in one transaction: a store failure leaves the site and all its
    // broadcasts as they were, in memory and in the store.
    Result<int> ended = broadcasts_.end_site_broadcasts(
        request.key,
        [this, &request]() -> Status {
            return store_ != nullptr ? store_->delete_site(request.key) : Status{Ok{}};
        },
        now, effects);
    if (!ended) {
        return admin_error(ended.error());
    }
    sites_.remove(request.key);
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "ended", json_integer(ended.value()));
    return answer;
}

JsonPtr AdminApi::list_broadcasts(const ListBroadcasts& request) const {
    JsonPtr list(json_array());
    for (const Broadcast* broadcast : broadcasts_.unended_broadcasts()) {
        const BroadcastRecord& record = broadcast->record;
        if (request.site && record.site != *request.site) {
            continue;
        }
        JsonPtr entry(json_object());
        set_text(entry.get(), "site", record.site);
        set_text(entry.get(), "user", record.user);
        set_text(entry.get(), "name", record.name);
        set_text(entry.get(), "broadcast_id", record.broadcast_id);
        json_object_set_new(entry.get(), "state", json_string(to_string(broadcast->state)));
        json_object_set_new(entry.get(), "registered_at", json_integer(record.registered_at));
        json_object_set_new(entry.get(), "started_at", json_integer(record.started_at));
        json_object_set_new(entry.get(), "viewers", json_integer(broadcast->count(ViewerStage::Watching)));
        json_object_set_new(entry.get(), "pending", json_integer(broadcast->count(ViewerStage::Pending)));
        json_array_append_new(list.get(), entry.release());
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "broadcasts", list.release());
    return answer;
}

Result<const Broadcast*> AdminApi::named_broadcast(const BroadcastName& name) {
    const Broadcast* broadcast = broadcasts_.broadcast_named(name.site, name.user);
    if (broadcast == nullptr) {
        return fail(ErrorCode::NotFound,
                    "No broadcast of user '" + name.user + "' on site '" + name.site + "'");
    }
    return broadcast;
}

JsonPtr AdminApi::list_viewers(const ListViewers& request) {
    Result<const Broadcast*> named = named_broadcast(request.broadcast);
    if (!named) {
        return admin_error(named.error());
    }
    JsonPtr list(json_array());
    for (const auto& [handle, session] : named.value()->sessions) {
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

JsonPtr AdminApi::stop_broadcast(const StopBroadcast& request, std::int64_t now, Effects& effects) {
    Result<const Broadcast*> named = named_broadcast(request.broadcast);
    if (!named) {
        return admin_error(named.error());
    }
    const std::string id = named.value()->record.broadcast_id;  // the broadcast is gone after the stop
    if (Status stopped = broadcasts_.stop_by_admin(id, now, effects); !stopped) {
        return admin_error(stopped.error());
    }
    JsonPtr answer = admin_success();
    set_text(answer.get(), "broadcast_id", id);
    return answer;
}

JsonPtr AdminApi::remove_viewer(const RemoveViewer& request, std::int64_t now, Effects& effects) {
    Result<const Broadcast*> named = named_broadcast(request.broadcast);
    if (!named) {
        return admin_error(named.error());
    }
    if (!broadcasts_.remove_viewer_by_admin(named.value()->record.broadcast_id, request.viewer, now,
                                            effects)) {
        return admin_error(fail(ErrorCode::NotFound, "No viewer '" + request.viewer + "' in that broadcast"));
    }
    return admin_success();
}

}  // namespace onair
