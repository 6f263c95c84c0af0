// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin_request.h"

#include "fields.h"

namespace onair {

namespace {

// The members of each request (docs/protocol.md, "Admin API"), in the order they are checked.
constexpr Field kRequest[] = {{"request", FieldType::Text, Presence::Required}};
constexpr Field kKey[] = {{"key", FieldType::SiteKey, Presence::Required}};
constexpr Field kNewSecret[] = {{"secret", FieldType::Text, Presence::Required}};
constexpr Field kKeptSecret[] = {{"secret", FieldType::Text}};
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
constexpr Field kSite[] = {{"site", FieldType::SiteKey, Presence::Required}};
constexpr Field kAnySite[] = {{"site", FieldType::SiteKey}};
constexpr Field kUser[] = {{"user", FieldType::UserId, Presence::Required}};
constexpr Field kViewer[] = {{"viewer", FieldType::UserId, Presence::Required}};
constexpr const char* kOutboxStates[] = {"pending", "parked", "delivered"};  // NOLINT(*-avoid-c-arrays)
constexpr std::int64_t kMaxOutboxLimit = 1000;
constexpr Field kListOutbox[] = {
    {"state", FieldType::Choice, Presence::Optional, 0, 0, nullptr, kOutboxStates},
    {"limit", FieldType::Integer, Presence::Optional, 1, kMaxOutboxLimit, "must be an integer 1-1000"}};
constexpr Field kRetryOutbox[] = {{"id", FieldType::Text}, {"site", FieldType::SiteKey}};
constexpr Field kUsageDays[] = {{"from", FieldType::Text, Presence::Required},
                                {"to", FieldType::Text, Presence::Required}};

// A member the table read, or nullopt when it was not given.
std::optional<std::string> given_text(const Fields& fields, const char* name) {
    return fields.has(name) ? std::optional(fields.text(name)) : std::nullopt;
}
std::optional<bool> given_flag(const Fields& fields, const char* name) {
    return fields.has(name) ? std::optional(fields.flag(name)) : std::nullopt;
}
std::optional<int> given_integer(const Fields& fields, const char* name) {
    return fields.has(name) ? std::optional(static_cast<int>(fields.integer(name))) : std::nullopt;
}

// 545 unless `site` names a configured site.
Status check_known(const SiteRegistry& sites, const std::string& site) {
    if (sites.find(site) == nullptr) {
        return unknown_site(site);
    }
    return Ok{};
}

// The request's `site` (or `key`), which must name a configured site: `table` has that one member.
Result<std::string> known_site(const json_t* request, std::span<const Field> table,
                               const SiteRegistry& sites) {
    Result<Fields> fields = Fields::read(request, table);
    if (!fields) {
        return fields.error();
    }
    const std::string& site = fields.value().text(table.front().name);
    if (Status known = check_known(sites, site); !known) {
        return known.error();
    }
    return site;
}

// An optional `site`, which must name a configured site when given.
Result<std::optional<std::string>> any_site(const json_t* request, const SiteRegistry& sites) {
    Result<Fields> fields = Fields::read(request, kAnySite);
    if (!fields) {
        return fields.error();
    }
    std::optional<std::string> site = given_text(fields.value(), "site");
    if (site) {
        if (Status known = check_known(sites, *site); !known) {
            return known.error();
        }
    }
    return site;
}

Result<AdminRequest> read_add_site(const json_t* request, const SiteRegistry& sites) {
    Result<Fields> key = Fields::read(request, kKey);
    if (!key) {
        return key.error();
    }
    AddSite add{key.value().text("key"), std::nullopt, {}};
    // A new site needs a secret; an update may leave it out to keep the current one.
    Result<Fields> secret = Fields::read(request, sites.find(add.key) == nullptr ? kNewSecret : kKeptSecret);
    if (!secret) {
        return secret.error();
    }
    add.secret = given_text(secret.value(), "secret");
    Result<Fields> fields = Fields::read(request, kSiteOptions);
    if (!fields) {
        return fields.error();
    }
    const Fields& options = fields.value();
    // The table admits only the modes these know.
    add.options.identity = identity_mode_from(options.text("identity"));
    add.options.media = media_mode_from(options.text("media"));
    add.options.audio = given_flag(options, "audio");
    add.options.simulcast = given_flag(options, "simulcast");
    add.options.p2p_relay_only = given_flag(options, "p2p_relay_only");
    add.options.callback_url = given_text(options, "callback_url");
    add.options.max_broadcasts = given_integer(options, "max_broadcasts");
    add.options.max_viewers = given_integer(options, "max_viewers");
    return AdminRequest{std::move(add)};
}

// The broadcast a request's `site` and `user` name.
Result<BroadcastName> broadcast_name(const json_t* request, const SiteRegistry& sites) {
    Result<std::string> site = known_site(request, kSite, sites);
    if (!site) {
        return site.error();
    }
    Result<Fields> user = Fields::read(request, kUser);
    if (!user) {
        return user.error();
    }
    return BroadcastName{std::move(site.value()), user.value().text("user")};
}

template <typename Named>
Result<AdminRequest> read_named(const json_t* request, const SiteRegistry& sites) {
    Result<BroadcastName> name = broadcast_name(request, sites);
    if (!name) {
        return name.error();
    }
    return AdminRequest{Named{std::move(name.value())}};
}

Result<AdminRequest> read_remove_viewer(const json_t* request, const SiteRegistry& sites) {
    // The request is checked whole before anything is looked up: the viewer first.
    Result<Fields> viewer = Fields::read(request, kViewer);
    if (!viewer) {
        return viewer.error();
    }
    Result<BroadcastName> name = broadcast_name(request, sites);
    if (!name) {
        return name.error();
    }
    return AdminRequest{RemoveViewer{std::move(name.value()), viewer.value().text("viewer")}};
}

Result<AdminRequest> read_list_outbox(const json_t* request, const SiteRegistry& sites) {
    Result<std::optional<std::string>> site = any_site(request, sites);
    if (!site) {
        return site.error();
    }
    Result<Fields> fields = Fields::read(request, kListOutbox);
    if (!fields) {
        return fields.error();
    }
    ListOutbox list{std::move(site.value()), outbox_state_from(fields.value().text("state"))};
    if (std::optional<int> limit = given_integer(fields.value(), "limit")) {
        list.limit = *limit;
    }
    return AdminRequest{std::move(list)};
}

Result<AdminRequest> read_retry_outbox(const json_t* request, const SiteRegistry& sites) {
    Result<Fields> fields = Fields::read(request, kRetryOutbox);
    if (!fields) {
        return fields.error();
    }
    RetryOutbox retry{given_text(fields.value(), "id"), given_text(fields.value(), "site")};
    if (!retry.id && !retry.site) {
        return missing_element("id or site");
    }
    if (retry.site) {
        if (Status known = check_known(sites, *retry.site); !known) {
            return known.error();
        }
    }
    return AdminRequest{std::move(retry)};
}

Result<AdminRequest> read_usage(const json_t* request, const SiteRegistry& sites) {
    Result<std::string> site = known_site(request, kSite, sites);
    if (!site) {
        return site.error();
    }
    Result<Fields> days = Fields::read(request, kUsageDays);
    if (!days) {
        return days.error();
    }
    return AdminRequest{
        UsageQuery{std::move(site.value()), days.value().text("from"), days.value().text("to")}};
}

}  // namespace

Result<AdminRequest> read_admin_request(const json_t* request, const SiteRegistry& sites) {
    if (request == nullptr) {
        return fail(ErrorCode::NoMessage, "No message");
    }
    if (!json_is_object(request)) {
        return fail(ErrorCode::InvalidJson, "Invalid JSON: the request must be an object");
    }
    Result<Fields> name = Fields::read(request, kRequest);
    if (!name) {
        return name.error();
    }
    const std::string& what = name.value().text("request");
    if (what == "list_sites") {
        return AdminRequest{ListSites{}};
    }
    if (what == "add_site") {
        return read_add_site(request, sites);
    }
    if (what == "remove_site") {
        Result<std::string> key = known_site(request, kKey, sites);
        if (!key) {
            return key.error();
        }
        return AdminRequest{RemoveSite{std::move(key.value())}};
    }
    if (what == "list_broadcasts") {
        Result<std::optional<std::string>> site = any_site(request, sites);
        if (!site) {
            return site.error();
        }
        return AdminRequest{ListBroadcasts{std::move(site.value())}};
    }
    if (what == "list_viewers") {
        return read_named<ListViewers>(request, sites);
    }
    if (what == "stop_broadcast") {
        return read_named<StopBroadcast>(request, sites);
    }
    if (what == "remove_viewer") {
        return read_remove_viewer(request, sites);
    }
    if (what == "list_outbox") {
        return read_list_outbox(request, sites);
    }
    if (what == "retry_outbox") {
        return read_retry_outbox(request, sites);
    }
    if (what == "usage") {
        return read_usage(request, sites);
    }
    return fail(ErrorCode::UnknownRequest, "Unknown request '" + what + "'");
}

}  // namespace onair
