// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

namespace onair {

// The Standard Webhooks signature of one delivery attempt: "v1," followed by the base64 of
// HMAC-SHA256 with the site secret's UTF-8 bytes as the key over `id.timestamp.body`.
std::string webhook_signature(const std::string& secret, const std::string& id, std::int64_t timestamp,
                              const std::string& body);

}  // namespace onair
