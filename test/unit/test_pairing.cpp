// SPDX-License-Identifier: GPL-3.0-or-later
// Direct pairing on its own: who may send which signal to whom, a new pairing per admission, the
// ICE policy of a TURN-only site, and the one `switch` offer per direct viewer.
#include <CUnit/CUnit.h>

#include "core/pairing.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr HandleId kAnna = 1;   // the broadcaster
constexpr HandleId kBoris = 3;  // a direct viewer
constexpr HandleId kCyril = 4;  // a viewer of another broadcast

struct Paired {
    Settings settings;
    SiteRegistry sites;
    WallClock wall_clock = wall_same_as_steady;
    Pairing pairing{settings, sites, wall_clock};
    Broadcast broadcast;

    explicit Paired(bool relay_only = false) {
        Site site = demo_site();
        site.media = MediaMode::Auto;
        site.p2p_relay_only = relay_only;
        CU_ASSERT_FATAL(sites.put(site).ok());
        broadcast.record.broadcast_id = "b-1";
        broadcast.record.site = site.key;
        broadcast.record.user = "42";
        broadcast.media = MediaMode::Auto;
        broadcast.broadcaster = kAnna;
        ViewerSession session;
        session.user = "17";
        session.stage = ViewerStage::Accepted;
        session.request_id = "r-1";
        broadcast.sessions.emplace(kBoris, std::move(session));
    }
    ViewerSession& boris() { return broadcast.sessions.at(kBoris); }
};

SignalRequest signal(const std::string& peer, SignalKind kind) {
    return SignalRequest{peer, kind, JsonPtr(json_true())};
}

void a_direct_admission_pairs_both_ends() {
    Paired paired;
    Effects effects;
    PluginEvent accepted =
        paired.pairing.accepted_event(paired.broadcast, paired.boris(), true, false, 0, effects);
    const std::string peer = paired.boris().peer;
    CU_ASSERT_FALSE(peer.empty());
    CU_ASSERT_EQUAL(text_of(accepted.result.get(), "peer"), peer);
    CU_ASSERT_EQUAL(text_of(accepted.result.get(), "media"), "p2p");
    CU_ASSERT(accepted.offer == ViewerOffer::None);
    const json_t* told = notice(effects, kAnna, "peer");
    CU_ASSERT_FATAL(told != nullptr);
    CU_ASSERT_EQUAL(text_of(told, "peer"), peer);
    // Each admission is a new pairing: the old peer id no longer reaches anyone.
    Effects again;
    (void)paired.pairing.accepted_event(paired.broadcast, paired.boris(), true, true, 0, again);
    CU_ASSERT_NOT_EQUAL(paired.boris().peer, peer);
}

void a_relay_admission_carries_the_relays_offer() {
    Paired paired;
    Effects effects;
    PluginEvent accepted =
        paired.pairing.accepted_event(paired.broadcast, paired.boris(), false, false, 0, effects);
    CU_ASSERT_EQUAL(text_of(accepted.result.get(), "media"), "sfu");
    CU_ASSERT(accepted.offer == ViewerOffer::Fresh);
    CU_ASSERT_TRUE(paired.boris().peer.empty());
    CU_ASSERT_EQUAL(notices_to(effects, kAnna), 0U);
}

void a_turn_only_site_relays_direct_connections_only() {
    Paired paired(true);
    CU_ASSERT_STRING_EQUAL(paired.pairing.ice_policy(paired.broadcast, true), "relay");
    CU_ASSERT_STRING_EQUAL(paired.pairing.ice_policy(paired.broadcast, false), "all");
    Paired open;
    CU_ASSERT_STRING_EQUAL(open.pairing.ice_policy(open.broadcast, true), "all");
}

void signals_go_to_the_other_end_only_in_their_direction() {
    Paired paired;
    Effects admitted;
    (void)paired.pairing.accepted_event(paired.broadcast, paired.boris(), true, false, 0, admitted);
    const std::string peer = paired.boris().peer;

    Effects effects;
    Result<PluginEvent> offered =
        paired.pairing.signal(&paired.broadcast, kAnna, true, signal(peer, SignalKind::Offer), effects);
    CU_ASSERT_TRUE(offered.ok());
    CU_ASSERT_PTR_NOT_NULL(notice(effects, kBoris, "signal"));
    Effects answered;
    CU_ASSERT_TRUE(
        paired.pairing.signal(&paired.broadcast, kBoris, false, signal(peer, SignalKind::Answer), answered)
            .ok());
    CU_ASSERT_PTR_NOT_NULL(notice(answered, kAnna, "signal"));

    Effects refused;
    Result<PluginEvent> viewer_offer =
        paired.pairing.signal(&paired.broadcast, kBoris, false, signal(peer, SignalKind::Offer), refused);
    CU_ASSERT_FALSE(viewer_offer.ok());
    CU_ASSERT(viewer_offer.error().code == ErrorCode::WrongState);
    Result<PluginEvent> broadcaster_answer =
        paired.pairing.signal(&paired.broadcast, kAnna, true, signal(peer, SignalKind::Answer), refused);
    CU_ASSERT(broadcaster_answer.error().code == ErrorCode::WrongState);
    Result<PluginEvent> broadcaster_restart =
        paired.pairing.signal(&paired.broadcast, kAnna, true, signal(peer, SignalKind::Restart), refused);
    CU_ASSERT(broadcaster_restart.error().code == ErrorCode::WrongState);
    CU_ASSERT_EQUAL(refused.notices.size(), 0U);
}

void a_signal_needs_the_handles_own_pairing() {
    Paired paired;
    Effects admitted;
    (void)paired.pairing.accepted_event(paired.broadcast, paired.boris(), true, false, 0, admitted);
    Effects effects;
    // A viewer of no broadcast, and a viewer naming a peer that is not its own.
    Result<PluginEvent> lost =
        paired.pairing.signal(nullptr, kCyril, false, signal(paired.boris().peer, SignalKind::Bye), effects);
    CU_ASSERT(lost.error().code == ErrorCode::NotFound);
    Result<PluginEvent> wrong =
        paired.pairing.signal(&paired.broadcast, kBoris, false, signal("p-other", SignalKind::Bye), effects);
    CU_ASSERT(wrong.error().code == ErrorCode::NotFound);
    CU_ASSERT_EQUAL(effects.notices.size(), 0U);
}

void a_direct_viewer_gets_one_switch_offer_once_the_relay_is_up() {
    Paired paired;
    Effects admitted;
    (void)paired.pairing.accepted_event(paired.broadcast, paired.boris(), true, false, 0, admitted);
    paired.broadcast.record.relay = true;  // moved to the relay, its publisher not up yet
    Effects early;
    paired.pairing.offer_switch(paired.broadcast, early);
    CU_ASSERT_EQUAL(offers(early), 0U);
    paired.broadcast.relay_up = true;
    Effects effects;
    paired.pairing.offer_switch(paired.broadcast, effects);
    paired.pairing.offer_switch(paired.broadcast, effects);
    CU_ASSERT_EQUAL(offers(effects), 1U);
    CU_ASSERT_PTR_NOT_NULL(notice(effects, kBoris, "switch"));
    CU_ASSERT_TRUE(paired.boris().switching);

    // Once switched, the viewer's bye ends the direct connection for good.
    paired.boris().switching = false;
    paired.boris().direct = false;
    const std::string peer = paired.boris().peer;
    Effects bye;
    CU_ASSERT_TRUE(
        paired.pairing.signal(&paired.broadcast, kBoris, false, signal(peer, SignalKind::Bye), bye).ok());
    CU_ASSERT_TRUE(paired.boris().peer.empty());
}

CU_TestInfo tests[] = {
    {"a direct admission pairs both ends", a_direct_admission_pairs_both_ends},
    {"a relay admission carries the relay's offer", a_relay_admission_carries_the_relays_offer},
    {"a TURN-only site relays direct connections only", a_turn_only_site_relays_direct_connections_only},
    {"signals go to the other end only in their direction",
     signals_go_to_the_other_end_only_in_their_direction},
    {"a signal needs the handle's own pairing", a_signal_needs_the_handles_own_pairing},
    {"a direct viewer gets one switch offer once the relay is up",
     a_direct_viewer_gets_one_switch_offer_once_the_relay_is_up},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_pairing_tests() { return add_suite("pairing", tests); }
