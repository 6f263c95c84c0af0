// SPDX-License-Identifier: GPL-3.0-or-later
// The Admin API's billing requests (docs/protocol.md, "Admin API"): the outbox and usage.
#include <optional>

#include "admin_answers.h"
#include "fields.h"
#include "hub_state.h"

namespace onair {

namespace {

// The members of each request (docs/protocol.md, "Admin API"), in the order they are checked.
constexpr Field kOutboxSite[] = {{"site", FieldType::SiteKey}};
constexpr const char* kOutboxStates[] = {"pending", "parked", "delivered"};  // NOLINT(*-avoid-c-arrays)
constexpr Field kListOutbox[] = {
    {"state", FieldType::Choice, Presence::Optional, 0, 0, nullptr, kOutboxStates},
    {"limit", FieldType::Integer, Presence::Optional, 1, 1000, "must be an integer 1-1000"}};
constexpr Field kRetryOutbox[] = {{"id", FieldType::Text}, {"site", FieldType::SiteKey}};
constexpr Field kUsageDays[] = {{"from", FieldType::Text, Presence::Required},
                                {"to", FieldType::Text, Presence::Required}};

}  // namespace

JsonPtr HubState::admin_list_outbox(const json_t* request) const {
    constexpr std::int64_t kDefaultLimit = 100;
    Result<Fields> site = Fields::read(request, kOutboxSite);
    if (!site) {
        return admin_error(site.error());
    }
    const bool one_site = site.value().has("site");
    if (one_site && sites_.find(site.value().text("site")) == nullptr) {
        return admin_error(unknown_site(site.value().text("site")));
    }
    Result<Fields> fields = Fields::read(request, kListOutbox);
    if (!fields) {
        return admin_error(fields.error());
    }
    // The table admits only the states this knows; a state not given reads as "": every state.
    const std::optional<OutboxState> state = outbox_state_from(fields.value().text("state"));
    const int limit =
        static_cast<int>(fields.value().has("limit") ? fields.value().integer("limit") : kDefaultLimit);
    JsonPtr list(json_array());
    if (store_) {
        Result<std::vector<OutboxEntry>> entries =
            store_->list_outbox(site.value().text("site"), state, limit);
        if (!entries) {
            return admin_error(entries.error());
        }
        for (const OutboxEntry& entry : entries.value()) {
            json_array_append_new(list.get(), outbox_json(entry).release());
        }
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "outbox", list.release());
    return answer;
}

JsonPtr HubState::admin_retry_outbox(const json_t* request, std::int64_t now) {
    Result<Fields> fields = Fields::read(request, kRetryOutbox);
    if (!fields) {
        return admin_error(fields.error());
    }
    const Fields& which = fields.value();
    if (!which.has("id") && !which.has("site")) {
        return admin_error(missing_element("id or site"));
    }
    if (which.has("site") && sites_.find(which.text("site")) == nullptr) {
        return admin_error(unknown_site(which.text("site")));
    }
    int requeued = 0;
    if (store_) {
        Result<int> done = which.has("id") ? store_->requeue(which.text("id"), now)
                                           : store_->requeue_site(which.text("site"), now);
        if (!done) {
            return admin_error(done.error());
        }
        requeued = done.value();
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "requeued", json_integer(requeued));
    return answer;
}

JsonPtr HubState::admin_usage(const json_t* request, std::int64_t now) {
    Result<std::string> site = known_site_member(request);
    if (!site) {
        return admin_error(site.error());
    }
    Result<Fields> days = Fields::read(request, kUsageDays);
    if (!days) {
        return admin_error(days.error());
    }
    Result<JsonPtr> usage =
        billing_.usage(site.value(), days.value().text("from"), days.value().text("to"), now);
    if (!usage) {
        return admin_error(usage.error());
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "usage", usage.value().release());
    return answer;
}

}  // namespace onair
