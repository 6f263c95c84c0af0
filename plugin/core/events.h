// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "json.h"

namespace onair {

// Builds one `result` object of docs/protocol.md: {"event": name, ...}; with a null name, a plain
// object (the `data` of a billing event).
class Event {
public:
    explicit Event(const char* name);

    Event& text(const char* key, const std::string& value);
    Event& number(const char* key, std::int64_t value);
    Event& flag(const char* key, bool value);
    Event& object(const char* key, JsonPtr value);

    JsonPtr take() { return std::move(data_); }

private:
    JsonPtr data_;
};

// {"event": "signal", "peer": ..., "bye": true}: the other side of a direct connection closed it.
JsonPtr bye_event(const std::string& peer);

// {"user": ..., "name": ...}: how a viewer is shown to the broadcaster.
JsonPtr person_json(const std::string& user, const std::string& name);

}  // namespace onair
