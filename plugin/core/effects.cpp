// SPDX-License-Identifier: GPL-3.0-or-later
#include "effects.h"

#include <iterator>

namespace onair {

void Effects::append(Effects&& other) {
    notices.insert(notices.end(), std::make_move_iterator(other.notices.begin()),
                   std::make_move_iterator(other.notices.end()));
    media.insert(media.end(), std::make_move_iterator(other.media.begin()),
                 std::make_move_iterator(other.media.end()));
    other.notices.clear();
    other.media.clear();
}

}  // namespace onair
