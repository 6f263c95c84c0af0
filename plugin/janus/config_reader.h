// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/settings.h"
#include "base/site.h"

namespace onair::janus {

struct PluginConfig {
    Settings settings;
    std::vector<Site> sites;
};

// Reads janus.plugin.onair.jcfg (or the legacy .cfg) from Janus' configuration folder: the
// `general` category into Settings and every `site-*` category into a Site (docs/protocol.md,
// "Configuration"). A missing file gives the defaults and no sites (sites can still be added
// through the Admin API); a malformed value is an error naming the category and key, so a typo
// never silently becomes a default.
Result<PluginConfig> read_plugin_config(const std::string& config_folder, const std::string& package);

}  // namespace onair::janus
