// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/outbox_records.h"

namespace onair {

const char* to_string(OutboxState state) {
    switch (state) {
        case OutboxState::Pending:
            return "pending";
        case OutboxState::Delivered:
            return "delivered";
        case OutboxState::Parked:
            return "parked";
    }
    return "pending";
}

std::optional<OutboxState> outbox_state_from(const std::string& text) {
    for (OutboxState state : {OutboxState::Pending, OutboxState::Delivered, OutboxState::Parked}) {
        if (text == to_string(state)) {
            return state;
        }
    }
    return std::nullopt;
}

}  // namespace onair
