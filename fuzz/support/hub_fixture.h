// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "core/hub.h"
#include "store/store.h"

namespace onair::fuzz {

// A Hub serving `site` on a real SQLite store in a new directory under $TMPDIR (or /tmp), named
// after the target so that a replayed input's store is easy to find. It lives for the whole run;
// a set-up failure aborts, as no input could be judged without it.
inline std::unique_ptr<Hub> start_hub(const std::string& target, const Site& site, std::int64_t now) {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/onair-fuzz-" + target + "-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) {
        std::abort();
    }
    Settings settings;
    settings.store_path = dir + "/onair.sqlite";
    Result<std::unique_ptr<Store>> store = Store::open(settings.store_path);
    if (!store.ok()) {
        std::abort();
    }
    auto hub = std::make_unique<Hub>(settings, std::move(store.value()));
    if (!hub->start({site}, now).ok()) {
        std::abort();
    }
    return hub;
}

}  // namespace onair::fuzz
