// SPDX-License-Identifier: GPL-3.0-or-later
#include "text.h"

#include <algorithm>

namespace onair {

namespace {
constexpr std::size_t kMaxKeyLength = 64;
constexpr std::size_t kMaxUserLength = 64;

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}
}  // namespace

bool is_site_key(std::string_view text) {
    return !text.empty() && text.size() <= kMaxKeyLength &&
           std::all_of(text.begin(), text.end(), is_key_char);
}

std::size_t utf8_length(std::string_view text) {
    // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
    return static_cast<std::size_t>(std::count_if(
        text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

bool has_control_chars(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20U || byte == 0x7FU;
    });
}

bool is_user_id(std::string_view text) {
    const std::size_t length = utf8_length(text);
    return length >= 1 && length <= kMaxUserLength && !has_control_chars(text);
}

}  // namespace onair
