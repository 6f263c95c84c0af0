// SPDX-License-Identifier: GPL-3.0-or-later
// The Admin API's billing requests (docs/protocol.md, "Admin API"): the outbox and usage.
#include <vector>

#include "admin.h"
#include "admin_answers.h"
#include "billing/outbox.h"

namespace onair {

JsonPtr AdminApi::list_outbox(const ListOutbox& request) const {
    JsonPtr list(json_array());
    if (store_ != nullptr) {
        Result<std::vector<OutboxEntry>> entries =
            store_->list_outbox(request.site.value_or(""), request.state, request.limit);
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

JsonPtr AdminApi::retry_outbox(const RetryOutbox& request, std::int64_t now) {
    int requeued = 0;
    if (store_ != nullptr) {
        Result<int> done =
            request.id ? store_->requeue(*request.id, now) : store_->requeue_site(*request.site, now);
        if (!done) {
            return admin_error(done.error());
        }
        requeued = done.value();
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "requeued", json_integer(requeued));
    return answer;
}

JsonPtr AdminApi::usage(const UsageQuery& request, std::int64_t now) {
    Result<JsonPtr> usage = billing_.usage(request.site, request.from, request.to, now);
    if (!usage) {
        return admin_error(usage.error());
    }
    JsonPtr answer = admin_success();
    json_object_set_new(answer.get(), "usage", usage.value().release());
    return answer;
}

}  // namespace onair
