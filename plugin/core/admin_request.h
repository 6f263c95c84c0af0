// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <jansson.h>

#include <optional>
#include <string>
#include <variant>

#include "base/result.h"
#include "base/site.h"
#include "store/outbox_records.h"

namespace onair {

// The Admin API's requests (docs/protocol.md, "Admin API"), one struct each. Every `site` and
// `key` in them names a configured site, except add_site's key, which may be a new one.
struct ListSites {};
// add_site: an option left out keeps the site's value (a new site's default).
struct SiteOptions {
    std::optional<IdentityMode> identity;
    std::optional<MediaMode> media;
    std::optional<bool> audio;
    std::optional<bool> simulcast;
    std::optional<bool> p2p_relay_only;
    std::optional<std::string> callback_url;
    std::optional<int> max_broadcasts;
    std::optional<int> max_viewers;
};
struct AddSite {
    std::string key;
    std::optional<std::string> secret;  // always given for a new site; an update may keep the old
    SiteOptions options;
};
struct RemoveSite {
    std::string key;
};
struct ListBroadcasts {
    std::optional<std::string> site;  // all sites' when not given
};
// The broadcast of `user` (its broadcaster) on `site`.
struct BroadcastName {
    std::string site;
    std::string user;
};
struct ListViewers {
    BroadcastName broadcast;
};
struct StopBroadcast {
    BroadcastName broadcast;
};
struct RemoveViewer {
    BroadcastName broadcast;
    std::string viewer;
};
struct ListOutbox {
    std::optional<std::string> site;   // all sites' when not given
    std::optional<OutboxState> state;  // every state when not given
    int limit = 100;
};
struct RetryOutbox {  // at least one of them; `id` wins when both are given
    std::optional<std::string> id;
    std::optional<std::string> site;
};
struct UsageQuery {
    std::string site;
    std::string from;  // YYYY-MM-DD, UTC; Billing::usage checks the range
    std::string to;
};

using AdminRequest = std::variant<ListSites, AddSite, RemoveSite, ListBroadcasts, ListViewers, StopBroadcast,
                                  RemoveViewer, ListOutbox, RetryOutbox, UsageQuery>;

// Validates an Admin API request and turns it into a typed one: 540 for null, 541 for a non-object,
// 542 for an unknown `request`, then its members through their Fields tables in the documented
// order, the first that fails being the answer (543, 544, as in plugin requests). A `site` or
// `key` that must name a configured site is checked against `sites` as soon as it is read (545),
// before the members after it; add_site's `secret` is required only when `key` is not in `sites`.
Result<AdminRequest> read_admin_request(const json_t* request, const SiteRegistry& sites);

}  // namespace onair
