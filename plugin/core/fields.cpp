// SPDX-License-Identifier: GPL-3.0-or-later
#include "fields.h"

#include "base/ids.h"
#include "base/site.h"
#include "base/text.h"

namespace onair {

namespace {

constexpr std::size_t kMaxTokenLength = 4096;
constexpr const char* kUserIdForm = "1-64 characters without control, bidi or zero-width characters";

using Value = Fields::Value;

std::string_view string_of(const json_t* value) {
    return {json_string_value(value), json_string_length(value)};
}

// "must be 'a', 'b' or 'c'"
std::string choice_rule(std::span<const char* const> choices) {
    std::string rule = "must be ";
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) {
            rule += i + 1 == choices.size() ? " or " : ", ";
        }
        rule += std::string("'") + choices[i] + "'";
    }
    return rule;
}

// What is wrong with a string member's text for its type; empty when it fits.
std::string string_fault(const Field& field, std::string_view text) {
    switch (field.type) {
        case FieldType::SiteKey:
            return is_site_key(text) ? "" : "must be 1-64 characters of A-Z a-z 0-9 _ . -";
        case FieldType::UserId:
            return is_user_id(text) ? "" : std::string("must be ") + kUserIdForm;
        case FieldType::Token:
            return text.size() <= kMaxTokenLength ? "" : "must be at most 4096 characters";
        case FieldType::RequestId:
            return is_request_id(text) ? "" : "is not a request id";
        case FieldType::PeerId:
            return is_peer_id(text) ? "" : "is not a peer id";
        case FieldType::CallbackUrl:
            return text.empty() || is_callback_url(std::string(text))
                       ? ""
                       : "must be an http:// or https:// URL (or empty for none)";
        case FieldType::Choice:
            for (const char* choice : field.choices) {
                if (text == choice) {
                    return "";
                }
            }
            return choice_rule(field.choices);
        default:
            return "";
    }
}

Status read_list(const Field& field, const json_t* value, Value& out) {
    const bool users = field.type == FieldType::UserIds;
    if (!json_is_array(value)) {
        return invalid_element(field.name,
                               users ? "must be an array of user ids" : "must be an array of peer ids");
    }
    if (json_array_size(value) > static_cast<std::size_t>(field.max)) {
        return fail(ErrorCode::TooLarge,
                    "Request too large: at most " + std::to_string(field.max) + " " + field.rule);
    }
    std::vector<std::string> list;
    list.reserve(json_array_size(value));
    std::size_t index = 0;
    const json_t* item = nullptr;
    json_array_foreach(value, index, item) {
        if (!json_is_string(item) || !(users ? is_user_id(string_of(item)) : is_peer_id(string_of(item)))) {
            return invalid_element(field.name,
                                   users ? std::string("must hold user ids of ") + kUserIdForm
                                         : std::string("must hold peer ids (p- and 32 hex digits)"));
        }
        list.emplace_back(string_of(item));
    }
    out = std::move(list);
    return Ok{};
}

// A member that is present and not null, checked against its row, into `out`. (Not a
// Result<Value>: GCC 12 sees a variant in a variant as maybe uninitialized.)
Status read_value(const Field& field, const json_t* value, Value& out) {
    switch (field.type) {
        case FieldType::Boolean:
            if (!json_is_boolean(value)) {
                return invalid_element(field.name, "must be true or false");
            }
            out = json_is_true(value);
            return Ok{};
        case FieldType::Integer:
            if (!json_is_integer(value) || json_integer_value(value) < field.min ||
                json_integer_value(value) > field.max) {
                return invalid_element(field.name, field.rule);
            }
            out = static_cast<std::int64_t>(json_integer_value(value));
            return Ok{};
        case FieldType::UserIds:
        case FieldType::PeerIds:
            return read_list(field, value, out);
        default:
            break;
    }
    if (!json_is_string(value)) {
        return invalid_element(field.name, "must be a string");
    }
    const std::string_view text = string_of(value);
    if (std::string fault = string_fault(field, text); !fault.empty()) {
        return invalid_element(field.name, fault);
    }
    // A name is shown to others: what could disguise it or the text around it goes, rather than
    // refusing a page whose name carries a stray mark.
    out = field.type == FieldType::DisplayName ? display_name(text) : std::string(text);
    return Ok{};
}

}  // namespace

Error missing_element(std::string_view name) {
    return fail(ErrorCode::MissingElement, "Missing element: " + std::string(name));
}

Error invalid_element(std::string_view name, std::string_view why) {
    return fail(ErrorCode::InvalidElement, "Invalid element: " + std::string(name) + " " + std::string(why));
}

Result<Fields> Fields::read(const json_t* object, std::span<const Field> table) {
    Fields fields;
    fields.members_.reserve(table.size());
    for (const Field& field : table) {
        const json_t* value = json_object_get(object, field.name);
        if (value == nullptr || json_is_null(value)) {
            if (field.presence == Presence::Required) {
                return missing_element(field.name);
            }
            fields.members_.push_back({field.name, std::monostate{}});
            continue;
        }
        Member& member = fields.members_.emplace_back(Member{field.name, std::monostate{}});
        if (Status read = read_value(field, value, member.value); !read) {
            return read.error();
        }
    }
    return fields;
}

const Fields::Value* Fields::find(std::string_view name) const {
    for (const Member& member : members_) {
        if (member.name == name) {
            return &member.value;
        }
    }
    return nullptr;
}

bool Fields::has(std::string_view name) const {
    const Value* value = find(name);
    return value != nullptr && !std::holds_alternative<std::monostate>(*value);
}

const std::string& Fields::text(std::string_view name) const {
    static const std::string kNone;
    const auto* text = std::get_if<std::string>(find(name));
    return text != nullptr ? *text : kNone;
}

bool Fields::flag(std::string_view name) const {
    const auto* flag = std::get_if<bool>(find(name));
    return flag != nullptr && *flag;
}

std::int64_t Fields::integer(std::string_view name) const {
    const auto* integer = std::get_if<std::int64_t>(find(name));
    return integer != nullptr ? *integer : 0;
}

const std::vector<std::string>& Fields::list(std::string_view name) const {
    static const std::vector<std::string> kNone;
    const auto* list = std::get_if<std::vector<std::string>>(find(name));
    return list != nullptr ? *list : kNone;
}

}  // namespace onair
