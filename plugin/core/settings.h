// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace onair {

// The [general] part of the plugin configuration (docs/protocol.md, "Configuration").
struct Settings {
    std::string store_path = "/var/lib/janus/onair.sqlite";
    int request_timeout = 30;  // seconds a watch prompt waits for the broadcaster
    int publish_timeout = 30;  // seconds a registered broadcast waits for media
    int resume_grace = 20;     // seconds an interrupted broadcast waits for its broadcaster
    int watch_rate = 6;        // watch requests per viewer per minute
};

}  // namespace onair
