// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace onair {

// Character rules shared by site validation, request parsing and tokens (docs/protocol.md,
// "Identity").

// 1-64 characters of [A-Za-z0-9_.-].
bool is_site_key(std::string_view text);

// Number of UTF-8 code points (the input is valid UTF-8: Jansson guarantees it for strings).
std::size_t utf8_length(std::string_view text);

// True when the text holds a character that is invisible or changes how the text around it is
// shown: C0 and C1 controls (U+0000-U+001F, U+007F-U+009F), bidi controls (U+061C, U+200E, U+200F,
// U+202A-U+202E, U+2066-U+2069) or zero-width characters (U+200B-U+200D, U+2060, U+FEFF). Bytes
// that are not valid UTF-8 count as hidden too.
bool has_hidden_chars(std::string_view text);

// A user id: 1-64 characters, none of them hidden (see has_hidden_chars).
bool is_user_id(std::string_view text);

// The longest display names kept, in code points.
constexpr std::size_t kMaxNameLength = 128;

// A display name as others see it: hidden characters (see has_hidden_chars) removed, then cut to
// kMaxNameLength code points at a code-point boundary.
std::string display_name(std::string_view text);

}  // namespace onair
