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

    // Airtime accounting and billing callbacks (docs/billing.md).
    int report_interval = 60;        // seconds between airtime.report events per broadcast
    int heartbeat_interval = 15;     // seconds between the clients' heartbeat requests
    int evidence_timeout = 45;       // seconds without evidence that close an airtime segment
    int delivery_max_attempts = 12;  // POSTs of one event before it is parked
    int delivery_backoff_base = 2;   // seconds before the second attempt; doubles each time
    int delivery_backoff_max = 600;  // cap of the delay between attempts
    int delivery_timeout = 10;       // seconds one POST may take
};

}  // namespace onair
