// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>

namespace onair {

// Where a site's callback_url may point. A host serving many sites must not let one of them make
// the plugin POST into the host's own network (SSRF): loopback, private and shared ranges,
// link-local (cloud metadata services live at 169.254.169.254 and fd00:ec2::254), unspecified,
// multicast and reserved addresses are internal, IPv4-mapped and NAT64 IPv6 included. The operator
// allows them with allow_private_callbacks = true (a receiver on the same host or LAN).

// Whether the socket address (AF_INET or AF_INET6) is internal in that sense.
bool is_internal_address(const sockaddr* address);

// The address as text (for messages).
std::string address_text(const sockaddr* address);

// For an http(s) URL whose host is "localhost" (or *.localhost) or an IP literal, in any form the
// resolver accepts ("127.1", "0x7f000001", "[::1]"), that is internal: why it is refused. Nothing
// for a public literal or a DNS name: a name is checked on every connect, after resolution, where
// it cannot be rebound between the check and the use.
std::optional<std::string> internal_callback_host(const std::string& url);

}  // namespace onair
