// SPDX-License-Identifier: GPL-3.0-or-later
#include "base/text.h"

#include <algorithm>

namespace onair {

namespace {
constexpr std::size_t kMaxKeyLength = 64;
constexpr std::size_t kMaxUserLength = 64;

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

// One code point of UTF-8 text: its value and how many bytes it takes. Malformed input reads as
// kMalformed, one byte long, so a walk over any bytes always moves on.
struct CodePoint {
    char32_t value = 0;
    std::size_t bytes = 1;
};
constexpr char32_t kMalformed = 0xFFFFFFFFU;

CodePoint decode_at(std::string_view text, std::size_t at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    std::size_t bytes = 0;
    char32_t value = 0;
    if (lead < 0x80U) {
        return {lead, 1};
    }
    if ((lead & 0xE0U) == 0xC0U) {
        bytes = 2;
        value = lead & 0x1FU;
    } else if ((lead & 0xF0U) == 0xE0U) {
        bytes = 3;
        value = lead & 0x0FU;
    } else if ((lead & 0xF8U) == 0xF0U) {
        bytes = 4;
        value = lead & 0x07U;
    } else {
        return {kMalformed, 1};
    }
    if (at + bytes > text.size()) {
        return {kMalformed, 1};
    }
    for (std::size_t i = 1; i < bytes; ++i) {
        const auto next = static_cast<unsigned char>(text[at + i]);
        if ((next & 0xC0U) != 0x80U) {
            return {kMalformed, 1};
        }
        value = (value << 6U) | (next & 0x3FU);
    }
    return {value, bytes};
}

bool is_hidden(char32_t c) {
    const auto in = [c](char32_t low, char32_t high) {
        return c >= low && c <= high;
    };
    return c == kMalformed || c < 0x20U || in(0x7FU, 0x9FU)  // C0, DEL, C1
           || c == 0x061CU                                   // Arabic letter mark
           || in(0x200BU, 0x200FU)                           // zero-width space/joiners, LRM, RLM
           || in(0x202AU, 0x202EU)                           // embeddings and overrides
           || c == 0x2060U                                   // word joiner
           || in(0x2066U, 0x2069U)                           // isolates
           || c == 0xFEFFU;                                  // zero-width no-break space (BOM)
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

bool has_hidden_chars(std::string_view text) {
    for (std::size_t at = 0; at < text.size();) {
        const CodePoint c = decode_at(text, at);
        if (is_hidden(c.value)) {
            return true;
        }
        at += c.bytes;
    }
    return false;
}

bool is_user_id(std::string_view text) {
    const std::size_t length = utf8_length(text);
    return length >= 1 && length <= kMaxUserLength && !has_hidden_chars(text);
}

std::string display_name(std::string_view text) {
    std::string name;
    std::size_t length = 0;
    for (std::size_t at = 0; at < text.size() && length < kMaxNameLength;) {
        const CodePoint c = decode_at(text, at);
        if (!is_hidden(c.value)) {
            name.append(text.substr(at, c.bytes));
            ++length;
        }
        at += c.bytes;
    }
    return name;
}

}  // namespace onair
