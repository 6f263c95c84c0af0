// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"

namespace onair {

// The ICE servers browsers are told to use: TURN with short-lived credentials of the TURN REST API
// (coturn's `use-auth-secret`: username "<expiry>:<site>:<user>", credential
// base64(HMAC-SHA1(secret, username))), and plain STUN. Immutable after construction, so it needs
// no lock.
class IceServers {
public:
    IceServers(std::vector<std::string> turn_uris, std::string turn_secret, std::int64_t turn_ttl,
               std::vector<std::string> stun_uris);

    // [{urls:[turn…], username, credential}, {urls:[stun…]}], only the configured parts; [] when
    // nothing is configured. The credentials are valid until now + turn_ttl.
    [[nodiscard]] JsonPtr for_user(const std::string& site, const std::string& user, std::int64_t now) const;

    [[nodiscard]] bool has_turn() const { return !turn_uris_.empty(); }

    // base64(HMAC-SHA1(secret, username)), the TURN REST API's password for `username`.
    static std::string credential(const std::string& secret, const std::string& username);

private:
    std::vector<std::string> turn_uris_;
    std::string turn_secret_;
    std::int64_t turn_ttl_;
    std::vector<std::string> stun_uris_;
};

// Splits a comma-separated list of URIs, trimming blanks around each and dropping empty ones.
std::vector<std::string> split_uris(const std::string& text);

}  // namespace onair
