// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "effects.h"

namespace onair {

// Builds a JSON object member by member (the `data` of a billing event, a list entry).
class JsonObject {
public:
    JsonObject();

    JsonObject& text(const char* key, const std::string& value);
    JsonObject& number(const char* key, std::int64_t value);
    JsonObject& flag(const char* key, bool value);
    JsonObject& object(const char* key, JsonPtr value);

    JsonPtr take() { return std::move(data_); }

private:
    JsonPtr data_;
};

// Builds one event of docs/protocol.md: {"event": to_string(name), ...}, with its typed name.
class Event {
public:
    explicit Event(EventName name);

    Event& text(const char* key, const std::string& value);
    Event& number(const char* key, std::int64_t value);
    Event& flag(const char* key, bool value);
    Event& object(const char* key, JsonPtr value);
    Event& with_offer(ViewerOffer offer);

    PluginEvent take() { return PluginEvent{name_, fields_.take(), offer_}; }

private:
    EventName name_;
    JsonObject fields_;
    ViewerOffer offer_ = ViewerOffer::None;
};

// {"event": "signal", "peer": ..., "bye": true}: the other side of a direct connection closed it.
PluginEvent bye_event(const std::string& peer);

// {"user": ..., "name": ...}: how a viewer is shown to the broadcaster.
JsonPtr person_json(const std::string& user, const std::string& name);

}  // namespace onair
