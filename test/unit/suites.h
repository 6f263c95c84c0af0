// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <CUnit/CUnit.h>

// One registration function per area; each adds its suite to the CUnit registry.
CU_ErrorCode register_token_tests();
CU_ErrorCode register_site_tests();
CU_ErrorCode register_request_tests();
CU_ErrorCode register_fields_tests();
CU_ErrorCode register_hub_tests();
CU_ErrorCode register_admin_tests();
CU_ErrorCode register_admin_request_tests();
CU_ErrorCode register_store_tests();
CU_ErrorCode register_ledger_tests();
CU_ErrorCode register_outbox_tests();
CU_ErrorCode register_billing_tests();
CU_ErrorCode register_airtime_tests();
CU_ErrorCode register_clock_tests();
CU_ErrorCode register_store_fault_tests();
CU_ErrorCode register_simulcast_tests();
CU_ErrorCode register_direct_tests();
CU_ErrorCode register_abuse_tests();
CU_ErrorCode register_handle_queue_tests();
CU_ErrorCode register_keyframe_tests();
CU_ErrorCode register_reply_tests();
CU_ErrorCode register_broadcast_registry_tests();
CU_ErrorCode register_pairing_tests();
CU_ErrorCode register_broadcast_tests();
#ifdef ONAIR_MEDIA_TESTS
// Built with configure --with-janus-source: the router on Janus' own rtp.c.
CU_ErrorCode register_media_router_tests();
CU_ErrorCode register_media_layer_tests();
#endif

// Adds a suite with the given tests (a {nullptr, nullptr}-terminated CU_TestInfo array).
CU_ErrorCode add_suite(const char* name, CU_TestInfo* tests);
