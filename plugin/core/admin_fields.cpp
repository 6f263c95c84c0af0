// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin_fields.h"

#include "text.h"

namespace onair {

JsonPtr admin_error(const Error& error) {
    JsonPtr answer(json_object());
    json_object_set_new(answer.get(), "onair", json_string("error"));
    json_object_set_new(answer.get(), "error_code", json_integer(static_cast<int>(error.code)));
    json_object_set_new(answer.get(), "error", json_string(error.message.c_str()));
    return answer;
}

JsonPtr admin_success() {
    JsonPtr answer(json_object());
    json_object_set_new(answer.get(), "onair", json_string("success"));
    return answer;
}

Result<std::optional<std::string>> text_member(const json_t* request, const char* key, bool mandatory) {
    const json_t* value = json_object_get(request, key);
    if (value == nullptr || json_is_null(value)) {
        if (mandatory) {
            return fail(ErrorCode::MissingElement, std::string("Missing element: ") + key);
        }
        return std::optional<std::string>();
    }
    if (!json_is_string(value)) {
        return fail(ErrorCode::InvalidElement, std::string("Invalid element: ") + key + " must be a string");
    }
    return std::optional<std::string>(std::string(json_string_value(value), json_string_length(value)));
}

Result<std::string> site_member(const json_t* request, const char* key) {
    Result<std::optional<std::string>> value = text_member(request, key, true);
    if (!value) {
        return value.error();
    }
    if (!is_site_key(*value.value())) {
        return fail(ErrorCode::InvalidElement,
                    std::string("Invalid element: ") + key + " must be 1-64 characters of A-Z a-z 0-9 _ . -");
    }
    return *value.value();
}

Result<std::string> user_member(const json_t* request, const char* key) {
    Result<std::optional<std::string>> value = text_member(request, key, true);
    if (!value) {
        return value.error();
    }
    if (!is_user_id(*value.value())) {
        return fail(ErrorCode::InvalidElement,
                    std::string("Invalid element: ") + key +
                        " must be 1-64 characters without control, bidi or zero-width characters");
    }
    return *value.value();
}

}  // namespace onair
