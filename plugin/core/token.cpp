// SPDX-License-Identifier: GPL-3.0-or-later
#include "token.h"

#include <glib.h>
#include <jwt.h>

#include <cerrno>
#include <memory>

#include "base/json.h"
#include "base/text.h"

namespace onair {

namespace {

constexpr std::int64_t kExpiryLeewaySeconds = 30;

struct GFree {
    void operator()(void* memory) const { g_free(memory); }
};

struct JwtFree {
    void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

Error unauthorized(const std::string& why) { return fail(ErrorCode::Unauthorized, "Invalid token: " + why); }

// The `alg` of the token's header, read before any verification, so a garbled token and a token
// signed some other way get different, clear messages. (libjwt 1.10 reports no algorithm for a
// token decoded without a key, so the header is read here.) Empty when the header is unreadable.
std::string header_alg(const std::string& token) {
    const std::size_t dot = token.find('.');
    if (dot == std::string::npos || dot == 0 || token.find('.', dot + 1) == std::string::npos) {
        return {};
    }
    // base64url -> base64 with padding, for GLib's decoder.
    std::string encoded = token.substr(0, dot);
    for (char& c : encoded) {
        if (c == '-') {
            c = '+';
        } else if (c == '_') {
            c = '/';
        } else if (!g_ascii_isalnum(c)) {
            return {};
        }
    }
    encoded.append((4 - encoded.size() % 4) % 4, '=');
    gsize length = 0;
    std::unique_ptr<guchar, GFree> bytes(g_base64_decode(encoded.c_str(), &length));
    if (!bytes) {
        return {};
    }
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): decoded bytes are JSON text
    JsonPtr header(json_loadb(reinterpret_cast<const char*>(bytes.get()), length, 0, nullptr));
    const char* alg = json_string_value(json_object_get(header.get(), "alg"));
    return alg == nullptr ? std::string() : std::string(alg);
}

JwtPtr decode_verified(const std::string& token, const std::string& secret) {
    jwt_t* raw = nullptr;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libjwt takes the key as bytes
    const auto* key = reinterpret_cast<const unsigned char*>(secret.data());
    if (jwt_decode(&raw, token.c_str(), key, static_cast<int>(secret.size())) != 0) {
        return nullptr;
    }
    return JwtPtr(raw);
}

std::string string_claim(jwt_t* jwt, const char* claim) {
    const char* value = jwt_get_grant(jwt, claim);
    return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

namespace {

// The checks every token of a site goes through: HS256, the site's signature, its site claim, and
// an expiry that has not passed.
Result<JwtPtr> verified_for_site(const Site& site, const std::string& token, std::int64_t now) {
    if (token.empty()) {
        return fail(ErrorCode::Unauthorized,
                    "Missing token: site '" + site.key + "' requires a signed token");
    }
    const std::string alg = header_alg(token);
    if (alg.empty()) {
        return unauthorized("malformed (not a JWT)");
    }
    if (alg != "HS256") {
        return unauthorized("algorithm '" + alg.substr(0, 16) + "' is not accepted (HS256 only)");
    }
    JwtPtr jwt = decode_verified(token, site.secret);
    if (!jwt || jwt_get_alg(jwt.get()) != JWT_ALG_HS256) {
        return unauthorized("signature mismatch");
    }
    const std::string token_site = string_claim(jwt.get(), "site");
    if (token_site.empty()) {
        return unauthorized("no site claim");
    }
    if (token_site != site.key) {
        return unauthorized("issued for another site");
    }
    errno = 0;
    const long expires = jwt_get_grant_int(jwt.get(), "exp");
    if (errno != 0) {
        return unauthorized("no expiry (exp)");
    }
    if (now >= static_cast<std::int64_t>(expires) + kExpiryLeewaySeconds) {
        return unauthorized("expired");
    }
    return jwt;
}

}  // namespace

Status verify_usage_token(const Site& site, const std::string& token, std::int64_t now) {
    Result<JwtPtr> jwt = verified_for_site(site, token, now);
    if (!jwt) {
        return jwt.error();
    }
    if (string_claim(jwt.value().get(), "scope") != "usage") {
        return unauthorized("scope must be 'usage'");
    }
    return Ok{};
}

Result<Identity> verify_identity(const Site& site, const std::string& user, const std::string& name,
                                 const std::string& token, std::int64_t now) {
    if (site.identity == IdentityMode::Open) {
        return Identity{site.key, user, name, false};
    }
    Result<JwtPtr> verified = verified_for_site(site, token, now);
    if (!verified) {
        return verified.error();
    }
    const JwtPtr& jwt = verified.value();
    const std::string subject = string_claim(jwt.get(), "sub");
    if (subject.empty()) {
        return unauthorized("no subject (sub)");
    }
    if (subject != user) {
        return unauthorized("issued for another user");
    }

    // The claim is cleaned like any name: a site's backend may copy whatever its users typed.
    std::string claimed_name = display_name(string_claim(jwt.get(), "name"));
    if (claimed_name.empty()) {
        return Identity{site.key, user, name, false};
    }
    return Identity{site.key, user, std::move(claimed_name), true};
}

}  // namespace onair
