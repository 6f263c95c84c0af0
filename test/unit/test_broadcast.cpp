// SPDX-License-Identifier: GPL-3.0-or-later
// A broadcast's own rules, without the Hub: which `publish` and `start` its mode allows, which media
// path a new viewer gets, and whom its interruption and its end reach.
#include <CUnit/CUnit.h>

#include "fixtures.h"
#include "model/broadcast.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr HandleId kAnna = 1;   // the broadcaster
constexpr HandleId kBoris = 3;  // watching
constexpr HandleId kCyril = 4;  // waiting for the prompt's answer

Broadcast broadcast_in(MediaMode media) {
    Broadcast broadcast;
    broadcast.record.broadcast_id = "b-1";
    broadcast.media = media;
    broadcast.broadcaster = kAnna;
    return broadcast;
}

void add_viewer(Broadcast& broadcast, HandleId handle, const std::string& user, ViewerStage stage) {
    ViewerSession session;
    session.user = user;
    session.stage = stage;
    session.request_id = "r-" + user;
    broadcast.sessions.emplace(handle, std::move(session));
}

ErrorCode status_code(const Status& status) {
    return status.ok() ? ErrorCode::Internal : status.error().code;
}

void the_media_mode_decides_how_to_publish() {
    CU_ASSERT_TRUE(broadcast_in(MediaMode::Sfu).may_publish(true).ok());
    CU_ASSERT(status_code(broadcast_in(MediaMode::Sfu).may_publish(false)) == ErrorCode::MissingElement);
    CU_ASSERT_TRUE(broadcast_in(MediaMode::P2p).may_publish(false).ok());
    CU_ASSERT(status_code(broadcast_in(MediaMode::P2p).may_publish(true)) == ErrorCode::WrongState);
    // `auto`: direct until it moved to the relay, then an offer for the relay.
    Broadcast automatic = broadcast_in(MediaMode::Auto);
    CU_ASSERT_TRUE(automatic.may_publish(false).ok());
    CU_ASSERT(status_code(automatic.may_publish(true)) == ErrorCode::WrongState);
    Effects effects;
    automatic.move_to_relay(effects);
    CU_ASSERT_TRUE(automatic.record.relay);
    CU_ASSERT_PTR_NOT_NULL(notice(effects, kAnna, "relay_needed"));
    CU_ASSERT_TRUE(automatic.may_publish(true).ok());
    CU_ASSERT(status_code(automatic.may_publish(false)) == ErrorCode::MissingElement);
}

void a_second_viewer_decides_the_path() {
    Broadcast automatic = broadcast_in(MediaMode::Auto);
    CU_ASSERT(automatic.path_for("17") == MediaPath::Direct);
    add_viewer(automatic, kBoris, "17", ViewerStage::Watching);
    CU_ASSERT(automatic.path_for("17") == MediaPath::Direct);  // the same user again
    CU_ASSERT(automatic.path_for("99") == MediaPath::RelayNeeded);
    Broadcast p2p = broadcast_in(MediaMode::P2p);
    add_viewer(p2p, kBoris, "17", ViewerStage::Accepted);
    CU_ASSERT(p2p.path_for("99") == MediaPath::Full);
    add_viewer(p2p, kCyril, "99", ViewerStage::Pending);  // a prompt takes no room
    CU_ASSERT(p2p.path_for("99") == MediaPath::Full);
    CU_ASSERT(broadcast_in(MediaMode::Sfu).path_for("17") == MediaPath::Relay);
}

void a_direct_viewer_starts_without_an_answer() {
    ViewerSession session;
    session.stage = ViewerStage::Accepted;
    CU_ASSERT_TRUE(session.may_start(true).ok());
    CU_ASSERT(status_code(session.may_start(false)) == ErrorCode::MissingElement);
    session.direct = true;
    CU_ASSERT_TRUE(session.may_start(false).ok());
    CU_ASSERT(status_code(session.may_start(true)) == ErrorCode::WrongState);
    session.switching = true;  // offered the relay: it answers that offer
    CU_ASSERT_TRUE(session.may_start(true).ok());
}

void an_interruption_reaches_admitted_viewers_only() {
    Broadcast broadcast = broadcast_in(MediaMode::Sfu);
    add_viewer(broadcast, kBoris, "17", ViewerStage::Watching);
    add_viewer(broadcast, kCyril, "99", ViewerStage::Pending);
    CU_ASSERT(broadcast.go_live() == BroadcastState::Registered);
    broadcast.relay_up = true;
    Effects effects;
    broadcast.interrupt(130, effects);
    CU_ASSERT(broadcast.state == BroadcastState::Interrupted);
    CU_ASSERT_EQUAL(broadcast.deadline, 130);
    CU_ASSERT_EQUAL(broadcast.deadline_reason, "hangup_timeout");
    CU_ASSERT_FALSE(broadcast.relay_up);
    CU_ASSERT_PTR_NOT_NULL(notice(effects, kBoris, "interrupted"));
    CU_ASSERT_EQUAL(notices_to(effects, kCyril), 0U);
    CU_ASSERT_EQUAL(count_media<RouterSetPublisher>(effects), 1U);
    // Back: live again, without a deadline.
    CU_ASSERT(broadcast.go_live() == BroadcastState::Interrupted);
    CU_ASSERT_EQUAL(broadcast.deadline, 0);
}

void an_end_reaches_everyone_in_it() {
    Broadcast broadcast = broadcast_in(MediaMode::Sfu);
    add_viewer(broadcast, kBoris, "17", ViewerStage::Watching);
    add_viewer(broadcast, kCyril, "99", ViewerStage::Pending);
    Effects effects;
    broadcast.end("admin", true, effects);
    CU_ASSERT_EQUAL(text_of(notice(effects, kBoris, "ended"), "reason"), "admin");
    CU_ASSERT_EQUAL(text_of(notice(effects, kCyril, "declined"), "reason"), "ended");
    CU_ASSERT_EQUAL(text_of(notice(effects, kAnna, "ended"), "reason"), "admin");
    CU_ASSERT_TRUE(closes(effects, kBoris));
    CU_ASSERT_FALSE(closes(effects, kCyril));  // a prompt has no PeerConnection yet
    CU_ASSERT_TRUE(closes(effects, kAnna));
    CU_ASSERT_EQUAL(count_media<RouterEnd>(effects), 1U);
    // `stop`: the broadcaster's own reply says it ended.
    Effects stopped;
    broadcast.end("stopped", false, stopped);
    CU_ASSERT_PTR_NULL(notice(stopped, kAnna, "ended"));
}

CU_TestInfo tests[] = {
    {"the media mode decides how to publish", the_media_mode_decides_how_to_publish},
    {"a second viewer decides the path", a_second_viewer_decides_the_path},
    {"a direct viewer starts without an answer", a_direct_viewer_starts_without_an_answer},
    {"an interruption reaches admitted viewers only", an_interruption_reaches_admitted_viewers_only},
    {"an end reaches everyone in it", an_end_reaches_everyone_in_it},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_broadcast_tests() { return add_suite("broadcast", tests); }
