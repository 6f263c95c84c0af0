// SPDX-License-Identifier: GPL-3.0-or-later
#include "ice_servers.h"

#include <glib.h>

#include <memory>

namespace onair {

namespace {

JsonPtr url_list(const std::vector<std::string>& uris) {
    JsonPtr list(json_array());
    for (const std::string& uri : uris) {
        json_array_append_new(list.get(), json_stringn(uri.data(), uri.size()));
    }
    return list;
}

struct HmacUnref {
    void operator()(GHmac* hmac) const { g_hmac_unref(hmac); }
};
struct GFree {
    void operator()(gchar* text) const { g_free(text); }
};

}  // namespace

IceServers::IceServers(std::vector<std::string> turn_uris, std::string turn_secret, std::int64_t turn_ttl,
                       std::vector<std::string> stun_uris)
    : turn_uris_(std::move(turn_uris)),
      turn_secret_(std::move(turn_secret)),
      turn_ttl_(turn_ttl),
      stun_uris_(std::move(stun_uris)) {}

std::string IceServers::credential(const std::string& secret, const std::string& username) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): GLib takes the key as bytes
    const auto* key = reinterpret_cast<const guchar*>(secret.data());
    std::unique_ptr<GHmac, HmacUnref> hmac(g_hmac_new(G_CHECKSUM_SHA1, key, secret.size()));
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): and the message too
    g_hmac_update(hmac.get(), reinterpret_cast<const guchar*>(username.data()),
                  static_cast<gssize>(username.size()));
    constexpr gsize kSha1Bytes = 20;
    guint8 digest[kSha1Bytes] = {};  // NOLINT(cppcoreguidelines-avoid-c-arrays): GLib's out buffer
    gsize length = kSha1Bytes;
    g_hmac_get_digest(hmac.get(), digest, &length);
    std::unique_ptr<gchar, GFree> encoded(g_base64_encode(digest, length));
    return encoded.get();
}

JsonPtr IceServers::for_user(const std::string& site, const std::string& user, std::int64_t now) const {
    JsonPtr servers(json_array());
    if (!turn_uris_.empty()) {
        const std::string username = std::to_string(now + turn_ttl_) + ":" + site + ":" + user;
        const std::string password = credential(turn_secret_, username);
        JsonPtr turn(json_object());
        json_object_set_new(turn.get(), "urls", url_list(turn_uris_).release());
        json_object_set_new(turn.get(), "username", json_stringn(username.data(), username.size()));
        json_object_set_new(turn.get(), "credential", json_stringn(password.data(), password.size()));
        json_array_append_new(servers.get(), turn.release());
    }
    if (!stun_uris_.empty()) {
        JsonPtr stun(json_object());
        json_object_set_new(stun.get(), "urls", url_list(stun_uris_).release());
        json_array_append_new(servers.get(), stun.release());
    }
    return servers;
}

std::vector<std::string> split_uris(const std::string& text) {
    std::vector<std::string> uris;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::size_t first = text.find_first_not_of(" \t", start);
        if (first != std::string::npos && first < end) {
            const std::size_t last = text.find_last_not_of(" \t", end - 1);
            uris.push_back(text.substr(first, last - first + 1));
        }
        start = end + 1;
    }
    return uris;
}

}  // namespace onair
