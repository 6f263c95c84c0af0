// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace onair {

enum class IdentityMode { Signed, Open };
// Sfu: every viewer through the plugin's relay. P2p: one viewer, browser to browser (the plugin
// only relays signaling). Auto: the first viewer direct, the relay from the second one on.
enum class MediaMode { Sfu, P2p, Auto };

struct Site {
    std::string key;
    std::string secret;
    IdentityMode identity = IdentityMode::Signed;
    MediaMode media = MediaMode::Sfu;
    bool audio = true;
    int max_broadcasts = 100;
    int max_viewers = 50;
    std::string callback_url;     // billing events are POSTed here; empty: no callbacks
    bool simulcast = true;        // relay publishing sends up to 3 layers where the browser can
    bool p2p_relay_only = false;  // direct connections use TURN relays only (needs TURN configured)
};

const char* to_string(IdentityMode mode);
const char* to_string(MediaMode mode);
std::optional<IdentityMode> identity_mode_from(const std::string& text);
std::optional<MediaMode> media_mode_from(const std::string& text);

// Whether the text is an absolute http:// or https:// URL with a host (what callback_url takes).
bool is_callback_url(const std::string& text);

// Checks a site's fields: key of 1-64 [A-Za-z0-9_.-], secret of at least 16 chars, limits >= 1,
// callback_url empty or an http(s) URL.
Status validate_site(const Site& site);

// Refuses a callback_url whose host is localhost or an internal IP literal (callback_address.h)
// unless the operator set allow_private_callbacks. Names are checked again when delivery connects.
Status check_callback_host(const Site& site, bool allow_private_callbacks);

// 545 for a site key that names no configured site.
Error unknown_site(const std::string& key);

// The configured sites, by key. Not thread-safe: the Hub's lock guards it.
class SiteRegistry {
public:
    Status put(Site site);  // adds or replaces, after validate_site
    bool remove(const std::string& key);
    const Site* find(const std::string& key) const;
    std::vector<const Site*> all() const;

private:
    std::map<std::string, Site> sites_;
};

}  // namespace onair
