// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/site.h"

#include "base/callback_address.h"
#include "base/text.h"

namespace onair {

namespace {
constexpr std::size_t kMinSecretLength = 16;
}

const char* to_string(IdentityMode mode) {
    switch (mode) {
        case IdentityMode::Signed:
            return "signed";
        case IdentityMode::Open:
            return "open";
    }
    return "signed";
}

const char* to_string(MediaMode mode) {
    switch (mode) {
        case MediaMode::Sfu:
            return "sfu";
        case MediaMode::P2p:
            return "p2p";
        case MediaMode::Auto:
            return "auto";
    }
    return "sfu";
}

std::optional<IdentityMode> identity_mode_from(const std::string& text) {
    if (text == "signed") {
        return IdentityMode::Signed;
    }
    if (text == "open") {
        return IdentityMode::Open;
    }
    return std::nullopt;
}

std::optional<MediaMode> media_mode_from(const std::string& text) {
    if (text == "sfu") {
        return MediaMode::Sfu;
    }
    if (text == "p2p") {
        return MediaMode::P2p;
    }
    if (text == "auto") {
        return MediaMode::Auto;
    }
    return std::nullopt;
}

bool is_callback_url(const std::string& text) {
    constexpr std::size_t kMaxUrlLength = 2048;
    if (text.size() > kMaxUrlLength) {
        return false;
    }
    std::size_t host = 0;
    if (text.rfind("http://", 0) == 0) {
        host = 7;
    } else if (text.rfind("https://", 0) == 0) {
        host = 8;
    } else {
        return false;
    }
    if (host >= text.size() || text[host] == '/' || text[host] == ':' || text[host] == '?') {
        return false;  // no host
    }
    // No whitespace or control characters anywhere: they would be an injection into the request line.
    for (unsigned char c : text) {
        if (c <= ' ' || c == 0x7F) {
            return false;
        }
    }
    return true;
}

Status validate_site(const Site& site) {
    if (!is_site_key(site.key)) {
        return fail(ErrorCode::InvalidElement, "Invalid element: site key '" + site.key +
                                                   "' must be 1-64 characters of A-Z a-z 0-9 _ . -");
    }
    if (site.secret.size() < kMinSecretLength) {
        return fail(ErrorCode::InvalidElement,
                    "Invalid element: secret of site '" + site.key + "' must be at least 16 characters");
    }
    if (site.max_broadcasts < 1) {
        return fail(ErrorCode::InvalidElement,
                    "Invalid element: max_broadcasts of site '" + site.key + "' must be at least 1");
    }
    if (site.max_viewers < 1) {
        return fail(ErrorCode::InvalidElement,
                    "Invalid element: max_viewers of site '" + site.key + "' must be at least 1");
    }
    if (!site.callback_url.empty() && !is_callback_url(site.callback_url)) {
        return fail(ErrorCode::InvalidElement, "Invalid element: callback_url of site '" + site.key +
                                                   "' must be an http:// or https:// URL");
    }
    return Ok{};
}

Status check_callback_host(const Site& site, bool allow_private_callbacks) {
    if (allow_private_callbacks || site.callback_url.empty()) {
        return Ok{};
    }
    if (std::optional<std::string> internal = internal_callback_host(site.callback_url)) {
        return fail(ErrorCode::InvalidElement, "Invalid element: callback_url of site '" + site.key +
                                                   "' is refused: " + *internal +
                                                   " (allow_private_callbacks = true allows it)");
    }
    return Ok{};
}

Status SiteRegistry::put(Site site) {
    Status valid = validate_site(site);
    if (!valid) {
        return valid;
    }
    std::string key = site.key;
    sites_.insert_or_assign(std::move(key), std::move(site));
    return Ok{};
}

Error unknown_site(const std::string& key) {
    return fail(ErrorCode::UnknownSite, "Unknown site '" + key + "'");
}

bool SiteRegistry::remove(const std::string& key) { return sites_.erase(key) > 0; }

const Site* SiteRegistry::find(const std::string& key) const {
    auto found = sites_.find(key);
    return found == sites_.end() ? nullptr : &found->second;
}

std::vector<const Site*> SiteRegistry::all() const {
    std::vector<const Site*> list;
    list.reserve(sites_.size());
    for (const auto& [key, site] : sites_) {
        list.push_back(&site);
    }
    return list;
}

}  // namespace onair
