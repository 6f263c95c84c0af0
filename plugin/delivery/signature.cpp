// SPDX-License-Identifier: GPL-3.0-or-later
#include "delivery/signature.h"

#include <glib.h>

#include <array>
#include <memory>

namespace onair {

namespace {
struct HmacUnref {
    void operator()(GHmac* hmac) const { g_hmac_unref(hmac); }
};
struct GFree {
    void operator()(gchar* text) const { g_free(text); }
};

void update(GHmac* hmac, const std::string& text) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): GLib takes bytes
    g_hmac_update(hmac, reinterpret_cast<const guchar*>(text.data()), static_cast<gssize>(text.size()));
}
}  // namespace

std::string webhook_signature(const std::string& secret, const std::string& id, std::int64_t timestamp,
                              const std::string& body) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): GLib takes the key as bytes
    std::unique_ptr<GHmac, HmacUnref> hmac(
        g_hmac_new(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(secret.data()), secret.size()));
    update(hmac.get(), id);
    update(hmac.get(), ".");
    update(hmac.get(), std::to_string(timestamp));
    update(hmac.get(), ".");
    update(hmac.get(), body);
    std::array<guint8, 32> digest{};
    gsize length = digest.size();
    g_hmac_get_digest(hmac.get(), digest.data(), &length);
    std::unique_ptr<gchar, GFree> encoded(g_base64_encode(digest.data(), length));
    return "v1," + std::string(encoded.get());
}

}  // namespace onair
