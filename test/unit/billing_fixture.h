// SPDX-License-Identifier: GPL-3.0-or-later
// Shared by the unit tests that read a Hub's billing events back from its real store (World).
#pragma once

#include <CUnit/CUnit.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "fixtures.h"

namespace onair::test {

// The "demo" site with a callback URL, so that its billing events are queued (nothing listens).
inline Site billed_site() {
    Site site = demo_site();
    site.callback_url = "http://127.0.0.1:9/hook";
    return site;
}

// The stored events of one type, in the order of (broadcast, seq).
inline std::vector<OutboxEntry> events_of(const std::string& store_path, const std::string& type) {
    std::unique_ptr<Store> store = open_store(store_path);
    constexpr int kEvery = 100'000;  // more than any test stores
    Result<std::vector<OutboxEntry>> entries = store->list_outbox("", std::nullopt, kEvery);
    CU_ASSERT_FATAL(entries.ok());
    std::vector<OutboxEntry> list;
    std::copy_if(entries.value().begin(), entries.value().end(), std::back_inserter(list),
                 [&type](const OutboxEntry& entry) { return entry.type == type; });
    std::sort(list.begin(), list.end(), [](const OutboxEntry& a, const OutboxEntry& b) {
        return std::tie(a.broadcast_id, a.seq) < std::tie(b.broadcast_id, b.seq);
    });
    return list;
}

}  // namespace onair::test
