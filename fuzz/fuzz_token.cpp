// SPDX-License-Identifier: GPL-3.0-or-later
// Tokens from browsers and site backends: verify_identity and verify_usage_token take any string.
// The first byte picks the identity mode and the user the token must name; the rest is the token.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/site.h"
#include "core/token.h"

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

onair::Site make_site(onair::IdentityMode mode) {
    onair::Site site;
    site.key = "demo";
    site.secret = "fuzz-secret-0123456789";
    site.identity = mode;
    return site;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static const onair::Site signed_site = make_site(onair::IdentityMode::Signed);
    static const onair::Site open_site = make_site(onair::IdentityMode::Open);
    const bool open = (data[0] & 1) != 0;
    const std::string user = (data[0] & 2) != 0 ? "alice" : "bob";
    const std::string token(reinterpret_cast<const char*>(data + 1), size - 1);

    onair::Result<onair::Identity> identity =
        onair::verify_identity(open ? open_site : signed_site, user, "Alice", token, kNow);
    if (identity.ok() && identity.value().user != user) {
        __builtin_trap();  // a token never makes a request speak for someone else
    }
    (void)onair::verify_usage_token(signed_site, token, kNow);
    return 0;
}
