// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string_view>

namespace onair {

// Character rules shared by site validation and request parsing (docs/protocol.md, "Identity").

// 1-64 characters of [A-Za-z0-9_.-].
bool is_site_key(std::string_view text);

// Number of UTF-8 code points (the input is valid UTF-8: Jansson guarantees it for strings).
std::size_t utf8_length(std::string_view text);

// True when the text holds an ASCII control character (U+0000-U+001F or U+007F).
bool has_control_chars(std::string_view text);

// A user id: 1-64 printable characters.
bool is_user_id(std::string_view text);

}  // namespace onair
