// SPDX-License-Identifier: GPL-3.0-or-later
// The registry of unended broadcasts: what presence, the limits and a handle's requests find in it.
#include <CUnit/CUnit.h>

#include "core/broadcast_registry.h"
#include "suites.h"

using namespace onair;

namespace {

Broadcast broadcast_of(const std::string& id, const std::string& site, const std::string& user,
                       HandleId broadcaster) {
    Broadcast broadcast;
    broadcast.record.broadcast_id = id;
    broadcast.record.site = site;
    broadcast.record.user = user;
    broadcast.broadcaster = broadcaster;
    return broadcast;
}

void a_broadcast_is_found_by_id_and_by_its_user() {
    BroadcastRegistry registry;
    registry.add(broadcast_of("b-1", "demo", "42", 1));
    registry.add(broadcast_of("b-2", "demo", "17", 2));
    CU_ASSERT_EQUAL(registry.find("b-1")->record.user, "42");
    CU_ASSERT_EQUAL(registry.of("demo", "17")->record.broadcast_id, "b-2");
    CU_ASSERT_PTR_NULL(registry.of("other", "17"));  // users are per site
    CU_ASSERT_PTR_NULL(registry.find(""));           // a handle that holds nothing
    CU_ASSERT_PTR_NULL(registry.find("b-3"));
}

void an_ended_broadcast_is_gone_under_both_keys() {
    BroadcastRegistry registry;
    registry.add(broadcast_of("b-1", "demo", "42", 1));
    registry.remove("b-1");
    registry.remove("b-1");  // twice: nothing happens
    CU_ASSERT_PTR_NULL(registry.find("b-1"));
    CU_ASSERT_PTR_NULL(registry.of("demo", "42"));
    CU_ASSERT_FALSE(registry.is_visible("demo", "42"));
    // The user may broadcast again, under a new id.
    registry.add(broadcast_of("b-2", "demo", "42", 3));
    CU_ASSERT_EQUAL(registry.of("demo", "42")->record.broadcast_id, "b-2");
}

void only_its_broadcaster_holds_a_broadcast() {
    BroadcastRegistry registry;
    Broadcast& added = registry.add(broadcast_of("b-1", "demo", "42", 1));
    CU_ASSERT_PTR_EQUAL(registry.held_by(1, "b-1"), &added);
    added.broadcaster = 2;  // taken over by a reloaded page
    CU_ASSERT_PTR_NULL(registry.held_by(1, "b-1"));
    CU_ASSERT_PTR_EQUAL(registry.held_by(2, "b-1"), &added);
    CU_ASSERT_PTR_NULL(registry.held_by(2, ""));
}

void presence_shows_a_broadcast_once_it_was_live() {
    BroadcastRegistry registry;
    Broadcast& added = registry.add(broadcast_of("b-1", "demo", "42", 1));
    CU_ASSERT_FALSE(registry.is_visible("demo", "42"));  // registered, no media yet
    added.state = BroadcastState::Live;
    CU_ASSERT_TRUE(registry.is_visible("demo", "42"));
    added.state = BroadcastState::Interrupted;  // may resume
    CU_ASSERT_TRUE(registry.is_visible("demo", "42"));
    CU_ASSERT_FALSE(registry.is_visible("demo", "17"));
}

void max_broadcasts_counts_one_site() {
    BroadcastRegistry registry;
    registry.add(broadcast_of("b-1", "demo", "42", 1));
    registry.add(broadcast_of("b-2", "demo", "17", 2));
    registry.add(broadcast_of("b-3", "other", "42", 3));
    CU_ASSERT_EQUAL(registry.count_of_site("demo"), 2);
    CU_ASSERT_EQUAL(registry.count_of_site("other"), 1);
    CU_ASSERT_EQUAL(registry.count_of_site("none"), 0);
}

CU_TestInfo tests[] = {
    {"a broadcast is found by id and by its user", a_broadcast_is_found_by_id_and_by_its_user},
    {"an ended broadcast is gone under both keys", an_ended_broadcast_is_gone_under_both_keys},
    {"only its broadcaster holds a broadcast", only_its_broadcaster_holds_a_broadcast},
    {"presence shows a broadcast once it was live", presence_shows_a_broadcast_once_it_was_live},
    {"max_broadcasts counts one site", max_broadcasts_counts_one_site},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_broadcast_registry_tests() { return add_suite("broadcast registry", tests); }
