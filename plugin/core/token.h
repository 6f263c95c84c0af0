// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/site.h"

namespace onair {

struct Identity {
    std::string site;
    std::string user;
    std::string name;  // may be empty
    // The name is the signed token's `name` claim; otherwise it is what the request said
    // (self-declared), which the broadcaster's prompt marks as such.
    bool name_verified = false;
};

// Establishes who a request speaks for (docs/protocol.md, "Identity").
// Signed mode: an HS256 JWT with the site's secret whose `sub` equals `user` and `site` equals the
// site key, `exp` in the future (30 s leeway); the token's `name` claim (cleaned by display_name())
// wins over `name` and is verified. `name` must already be a display_name().
// Open mode: `user` and `name` as given, the name not verified; `token` is ignored.
// Failures are ErrorCode::Unauthorized with a message naming the reason.
Result<Identity> verify_identity(const Site& site, const std::string& user, const std::string& name,
                                 const std::string& token, std::int64_t now);

// A site's backend asking for its own data (the `usage` request): an HS256 JWT with the site's
// secret whose `site` claim is the site key, `scope` is "usage" and `exp` is in the future (30 s
// leeway), whatever the site's identity mode. Failures are ErrorCode::Unauthorized.
Status verify_usage_token(const Site& site, const std::string& token, std::int64_t now);

}  // namespace onair
