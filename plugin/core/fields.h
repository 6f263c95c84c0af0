// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <jansson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace onair {

// What a request member must hold, and the 544 it gives otherwise (docs/protocol.md, "Identity"
// and "Errors"). Every string type refuses a non-string with "must be a string" first.
enum class FieldType {
    Text,         // any string
    SiteKey,      // a site key (text.h)
    UserId,       // a user id (text.h)
    DisplayName,  // any string, read as display_name(): never refused for what it holds
    Token,        // a string of at most 4096 bytes
    RequestId,    // ids.h
    PeerId,       // ids.h
    CallbackUrl,  // an http:// or https:// URL, or "" for none
    Choice,       // one of Field::choices
    Boolean,
    Integer,  // from Field::min to Field::max; Field::rule is the 544's text
    UserIds,  // an array of user ids, at most Field::max of them (553 beyond)
    PeerIds,  // an array of peer ids, at most Field::max of them (553 beyond)
};

enum class Presence { Optional, Required };

// One row of a request's table, in the spirit of Janus' JANUS_VALIDATE_JSON_OBJECT.
struct Field {
    const char* name;
    FieldType type;
    Presence presence = Presence::Optional;
    std::int64_t min = 0;
    std::int64_t max = 0;
    // Integer: the 544's text after the name; UserIds/PeerIds: what the 553 counts.
    const char* rule = nullptr;
    std::span<const char* const> choices = {};
};

// A request's members, read and checked once against its table, in table order: the first
// member that fails is the answer, a 543 "Missing element: NAME" for a required member that is
// absent or null, a 544 "Invalid element: NAME …" or a 553 "Request too large: …" otherwise.
// An optional member that is absent or null is not given.
class Fields {
public:
    using Value = std::variant<std::monostate, std::string, bool, std::int64_t, std::vector<std::string>>;

    static Result<Fields> read(const json_t* object, std::span<const Field> table);

    // Whether the member was given.
    [[nodiscard]] bool has(std::string_view name) const;
    // The member as read; a member not given reads as "", false, 0 or an empty list.
    [[nodiscard]] const std::string& text(std::string_view name) const;
    [[nodiscard]] bool flag(std::string_view name) const;
    [[nodiscard]] std::int64_t integer(std::string_view name) const;
    [[nodiscard]] const std::vector<std::string>& list(std::string_view name) const;

private:
    struct Member {
        std::string_view name;
        Value value;
    };
    [[nodiscard]] const Value* find(std::string_view name) const;

    std::vector<Member> members_;
};

// The two request errors every reader gives, for checks a table cannot hold.
Error missing_element(std::string_view name);
Error invalid_element(std::string_view name, std::string_view why);

}  // namespace onair
