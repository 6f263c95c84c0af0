// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/ids.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace onair {

namespace {
constexpr std::size_t kRandomBytes = 16;
constexpr std::string_view kHexDigits = "0123456789abcdef";

std::string random_id(std::string_view prefix) {
    // std::random_device reads the kernel's random source (getrandom) on Linux.
    std::random_device source;
    std::string id(prefix);
    id.reserve(prefix.size() + 2 * kRandomBytes);
    for (std::size_t i = 0; i < kRandomBytes; i += 4) {
        std::uint32_t word = source();
        for (int byte = 0; byte < 4; ++byte) {
            id.push_back(kHexDigits[(word >> 4U) & 0xFU]);
            id.push_back(kHexDigits[word & 0xFU]);
            word >>= 8U;
        }
    }
    return id;
}
}  // namespace

std::string new_broadcast_id() { return random_id("b-"); }
std::string new_request_id() { return random_id("r-"); }
std::string new_watch_id() { return random_id("w-"); }
std::string new_event_id() { return random_id("evt_"); }
std::string new_peer_id() { return random_id("p-"); }

namespace {
bool is_random_id(std::string_view text, std::string_view prefix) {
    if (text.size() != 2 + 2 * kRandomBytes || text.substr(0, 2) != prefix) {
        return false;
    }
    const std::string_view digits = text.substr(2);
    return std::all_of(digits.begin(), digits.end(),
                       [](char c) { return kHexDigits.find(c) != std::string_view::npos; });
}
}  // namespace

bool is_request_id(std::string_view text) { return is_random_id(text, "r-"); }
bool is_peer_id(std::string_view text) { return is_random_id(text, "p-"); }

}  // namespace onair
