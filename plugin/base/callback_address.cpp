// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/callback_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace onair {

namespace {

struct Ipv4Range {
    std::uint32_t network;
    int prefix;
};

// IANA's special-purpose IPv4 registry, the parts a public web server never lives in.
constexpr std::array<Ipv4Range, 10> kInternalIpv4 = {{
    {0x00000000, 8},   // 0.0.0.0/8 "this network" (0.0.0.0 reaches the local host)
    {0x0A000000, 8},   // 10.0.0.0/8 private
    {0x64400000, 10},  // 100.64.0.0/10 shared address space (carrier-grade NAT)
    {0x7F000000, 8},   // 127.0.0.0/8 loopback
    {0xA9FE0000, 16},  // 169.254.0.0/16 link-local, cloud metadata
    {0xAC100000, 12},  // 172.16.0.0/12 private
    {0xC0000000, 24},  // 192.0.0.0/24 IETF protocol assignments
    {0xC0A80000, 16},  // 192.168.0.0/16 private
    {0xC6120000, 15},  // 198.18.0.0/15 benchmarking
    {0xE0000000, 3},   // 224.0.0.0/3 multicast, reserved and broadcast
}};

bool is_internal_ipv4(std::uint32_t host_order) {
    return std::any_of(kInternalIpv4.begin(), kInternalIpv4.end(), [&](const Ipv4Range& range) {
        const std::uint32_t mask = ~std::uint32_t{0} << (32 - range.prefix);
        return (host_order & mask) == range.network;
    });
}

std::uint32_t embedded_ipv4(const std::uint8_t* bytes) {
    return (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) |
           (std::uint32_t{bytes[14]} << 8) | std::uint32_t{bytes[15]};
}

bool is_internal_ipv6(const in6_addr& address) {
    const std::uint8_t* b = address.s6_addr;
    constexpr std::array<std::uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    constexpr std::array<std::uint8_t, 12> kNat64 = {0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
    constexpr std::array<std::uint8_t, 12> kCompatible{};  // ::/96, with :: and ::1
    for (const auto& prefix : {kMapped, kNat64, kCompatible}) {
        if (std::memcmp(b, prefix.data(), prefix.size()) == 0) {
            return is_internal_ipv4(embedded_ipv4(b));
        }
    }
    return (b[0] & 0xFE) == 0xFC                       // fc00::/7 unique local (fd00:ec2::254 metadata)
           || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)  // fe80::/10 link-local
           || (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)  // fec0::/10 site-local (deprecated)
           || b[0] == 0xFF;                            // ff00::/8 multicast
}

// The host part of an http(s) URL: no user info, no port, brackets of an IPv6 literal removed,
// lower case, without one trailing dot.
std::string url_host(const std::string& url) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string::npos) {
        return {};
    }
    const std::size_t start = scheme + 3;
    const std::size_t end = url.find_first_of("/?#", start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (const std::size_t at = authority.rfind('@'); at != std::string::npos) {
        authority.erase(0, at + 1);
    }
    std::string host;
    if (!authority.empty() && authority.front() == '[') {
        host = authority.substr(1, authority.find(']') - 1);
    } else {
        host = authority.substr(0, authority.find(':'));
    }
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!host.empty() && host.back() == '.') {
        host.pop_back();
    }
    return host;
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_internal_address(const sockaddr* address) {
    if (address->sa_family == AF_INET) {
        sockaddr_in ipv4{};
        std::memcpy(&ipv4, address, sizeof ipv4);
        return is_internal_ipv4(ntohl(ipv4.sin_addr.s_addr));
    }
    if (address->sa_family == AF_INET6) {
        sockaddr_in6 ipv6{};
        std::memcpy(&ipv6, address, sizeof ipv6);
        return is_internal_ipv6(ipv6.sin6_addr);
    }
    return true;  // neither IPv4 nor IPv6 (a Unix socket): never a public receiver
}

std::string address_text(const sockaddr* address) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (address->sa_family == AF_INET) {
        sockaddr_in ipv4{};
        std::memcpy(&ipv4, address, sizeof ipv4);
        inet_ntop(AF_INET, &ipv4.sin_addr, text.data(), text.size());
    } else if (address->sa_family == AF_INET6) {
        sockaddr_in6 ipv6{};
        std::memcpy(&ipv6, address, sizeof ipv6);
        inet_ntop(AF_INET6, &ipv6.sin6_addr, text.data(), text.size());
    } else {
        return "a non-IP address";
    }
    return text.data();
}

std::optional<std::string> internal_callback_host(const std::string& url) {
    const std::string host = url_host(url);
    if (host == "localhost" || ends_with(host, ".localhost")) {
        return "its host " + host + " is the local machine";
    }
    in_addr ipv4{};
    in6_addr ipv6{};
    bool internal = false;
    if (inet_aton(host.c_str(), &ipv4) != 0) {  // also "127.1", "0x7f000001", "017700000001"
        internal = is_internal_ipv4(ntohl(ipv4.s_addr));
    } else if (inet_pton(AF_INET6, host.c_str(), &ipv6) == 1) {
        internal = is_internal_ipv6(ipv6);
    }
    if (!internal) {
        return std::nullopt;
    }
    return "its host " + host + " is a loopback, private, link-local or reserved address";
}

}  // namespace onair
