// SPDX-License-Identifier: GPL-3.0-or-later
// The Admin API's billing requests (docs/protocol.md, "Admin API"): the outbox and usage.
#include <optional>

#include "admin_fields.h"
#include "hub_state.h"
#include "text.h"

namespace onair {

JsonPtr HubState::admin_list_outbox(const json_t* request) const {
    constexpr int kDefaultLimit = 100;
    constexpr int kMaxLimit = 1000;
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
    Result<std::optional<std::string>> state_text = text_member(request, "state", false);
    if (!state_text) {
        return admin_error(state_text.error());
    }
    std::optional<OutboxState> state;
    if (state_text.value()) {
        state = outbox_state_from(*state_text.value());
        if (!state) {
            return admin_error(fail(ErrorCode::InvalidElement,
                                    "Invalid element: state must be 'pending', 'parked' or 'delivered'"));
        }
    }
    int limit = kDefaultLimit;
    if (const json_t* value = json_object_get(request, "limit"); value != nullptr && !json_is_null(value)) {
        if (!json_is_integer(value) || json_integer_value(value) < 1 ||
            json_integer_value(value) > kMaxLimit) {
            return admin_error(
                fail(ErrorCode::InvalidElement, "Invalid element: limit must be an integer 1-1000"));
        }
        limit = static_cast<int>(json_integer_value(value));
    }
    JsonPtr list(json_array());
    if (store_) {
        Result<std::vector<OutboxEntry>> entries =
            store_->list_outbox(site.value().value_or(""), state, limit);
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
    Result<std::optional<std::string>> id = text_member(request, "id", false);
    if (!id) {
        return admin_error(id.error());
    }
    Result<std::optional<std::string>> site = text_member(request, "site", false);
    if (!site) {
        return admin_error(site.error());
    }
    if (!id.value() && !site.value()) {
        return admin_error(fail(ErrorCode::MissingElement, "Missing element: id or site"));
    }
    if (site.value() && !is_site_key(*site.value())) {
        return admin_error(fail(ErrorCode::InvalidElement,
                                "Invalid element: site must be 1-64 characters of A-Z a-z 0-9 _ . -"));
    }
    int requeued = 0;
    if (store_) {
        Result<int> done =
            id.value() ? store_->requeue(*id.value(), now) : store_->requeue_site(*site.value(), now);
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
    Result<std::optional<std::string>> from = text_member(request, "from", true);
    if (!from) {
        return admin_error(from.error());
    }
    Result<std::optional<std::string>> to = text_member(request, "to", true);
    if (!to) {
        return admin_error(to.error());
    }
    Result<JsonPtr> usage = billing_.usage(site.value(), *from.value(), *to.value(), now);
    if (!usage) {
        return admin_error(usage.error());
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "usage", usage.value().release());
    return answer;
}

}  // namespace onair
