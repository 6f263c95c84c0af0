// SPDX-License-Identifier: GPL-3.0-or-later
// OnAir core unit tests: every suite runs; the exit status is non-zero when any test failed.
#include <CUnit/Basic.h>

#include <cstdio>
#include <vector>

#include "suites.h"

CU_ErrorCode add_suite(const char* name, CU_TestInfo* tests) {
    CU_SuiteInfo suites[] = {{name, nullptr, nullptr, nullptr, nullptr, tests}, CU_SUITE_INFO_NULL};
    return CU_register_suites(suites);
}

int main() {
    if (CU_initialize_registry() != CUE_SUCCESS) {
        std::fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        return 2;
    }
    using Registration = CU_ErrorCode (*)();
    const std::vector<Registration> registrations = {
        register_token_tests,         register_site_tests,
        register_request_tests,       register_hub_tests,
        register_admin_tests,         register_store_tests,
        register_ledger_tests,        register_outbox_tests,
        register_billing_tests,       register_simulcast_tests,
        register_direct_tests,        register_abuse_tests,
        register_airtime_tests,       register_store_fault_tests,
        register_handle_queue_tests,  register_clock_tests,
        register_keyframe_tests,      register_fields_tests,
        register_reply_tests,         register_broadcast_registry_tests,
        register_pairing_tests,       register_broadcast_tests,
        register_admin_request_tests,
#ifdef ONAIR_MEDIA_TESTS
        register_media_router_tests,  register_media_layer_tests,
#endif
    };
    for (Registration registration : registrations) {
        if (registration() != CUE_SUCCESS) {
            std::fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
            CU_cleanup_registry();
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    const unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    const unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0) {
        std::fprintf(stderr, "no tests ran\n");
        return 2;
    }
    return failures == 0 ? 0 : 1;
}
