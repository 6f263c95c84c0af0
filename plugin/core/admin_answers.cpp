// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin_answers.h"

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

}  // namespace onair
