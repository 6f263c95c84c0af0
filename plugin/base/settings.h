// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

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
    int outbox_retention_days = 30;  // days a delivered event stays in the outbox
    // Whether callback_url may reach loopback, private or link-local addresses (callback_address.h).
    bool allow_private_callbacks = false;

    // Recovery: seconds a broadcast a previous run left open waits for its broadcaster at start-up.
    int restart_grace = 60;

    // ICE servers handed to browsers (TURN REST API credentials, see ice_servers.h).
    std::vector<std::string> turn_uris;
    std::string turn_secret;  // coturn's static-auth-secret
    int turn_ttl = 86400;     // seconds the minted TURN credentials are valid
    std::vector<std::string> stun_uris;
};

}  // namespace onair
