// SPDX-License-Identifier: GPL-3.0-or-later
// What the Janus layer learns from the core's replies and notices without reading their JSON: each
// event's typed name, a `registered` reply's broadcast and audio choice, and which events carry the
// relay's offer. The JSON is what the client gets; the typed values must say the same. And the Janus
// layer's SDP check, which the Hub runs once, after its own checks and before any change.
#include <CUnit/CUnit.h>

#include <string>
#include <vector>

#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr HandleId kAnna = 1;
constexpr HandleId kBoris = 2;
constexpr HandleId kPage = 3;

// Every event of `effects` and `reply` (when given) says in its JSON the name it carries typed.
void expect_names_match(const Effects& effects, const Reply* reply = nullptr) {
    if (reply != nullptr) {
        CU_ASSERT_EQUAL(event_of(reply->event.result.get()), to_string(reply->event.name));
    }
    for (const Notice& sent : effects.notices) {
        CU_ASSERT_EQUAL(event_of(sent.event.result.get()), to_string(sent.event.name));
    }
}

void registered_reply_names_the_broadcast_and_audio() {
    Site silent = demo_site();
    silent.audio = false;
    for (const Site& site : {demo_site(), silent}) {
        World world(Settings{}, {site});
        Reply registered = expect_ok(world.broadcast(kAnna, "42"));
        CU_ASSERT_EQUAL(registered.event.name, EventName::Registered);
        CU_ASSERT_FATAL(registered.registered.has_value());
        CU_ASSERT_EQUAL(registered.registered->broadcast_id,
                        text_of(registered.event.result.get(), "broadcast_id"));
        CU_ASSERT_EQUAL(registered.registered->audio, site.audio);
        CU_ASSERT_EQUAL(flag_of(registered.event.result.get(), "audio"), site.audio);

        // A reload resumes the same broadcast: the new handle learns it as well.
        Reply resumed = expect_ok(world.broadcast(kPage, "42"));
        CU_ASSERT_FATAL(resumed.registered.has_value());
        CU_ASSERT_EQUAL(resumed.registered->broadcast_id, registered.registered->broadcast_id);
        CU_ASSERT_TRUE(flag_of(resumed.event.result.get(), "resumed"));
    }
}

void only_registered_replies_name_a_broadcast() {
    World world;
    world.go_live(kAnna, "42");
    Reply waiting = expect_ok(world.watch(kBoris, "17", "42"));
    CU_ASSERT_EQUAL(waiting.event.name, EventName::Waiting);
    CU_ASSERT_FALSE(waiting.registered.has_value());
    Reply publishing = expect_ok(world.request(kAnna, PublishRequest{}));
    CU_ASSERT_EQUAL(publishing.event.name, EventName::Publishing);
    CU_ASSERT_FALSE(publishing.registered.has_value());
}

void every_event_carries_its_name() {
    World world;
    world.hub().handle_created(kPage);
    Reply presence = expect_ok(world.request(kPage, PresenceRequest{"demo", {"42"}}));
    CU_ASSERT_EQUAL(presence.event.name, EventName::Presence);
    expect_names_match({}, &presence);

    Reply registered = expect_ok(world.broadcast(kAnna, "42"));
    expect_names_match(registered.effects, &registered);
    Effects up = world.hub().media_up(kAnna, kNow);
    CU_ASSERT_TRUE(up.notices.size() >= 2U);  // live, and presence for the page
    expect_names_match(up);

    Reply waiting = expect_ok(world.watch(kBoris, "17", "42"));
    expect_names_match(waiting.effects, &waiting);
    const std::string request_id = text_of(waiting.event.result.get(), "request_id");
    const json_t* asked = notice(waiting.effects, kAnna, "watch_request");
    CU_ASSERT_PTR_NOT_NULL(asked);

    Reply answered = expect_ok(world.request(kAnna, AnswerRequest{request_id, true}));
    CU_ASSERT_EQUAL(answered.event.name, EventName::Answered);
    expect_names_match(answered.effects, &answered);

    Reply watching = expect_ok(world.request(kBoris, StartRequest{true}));
    CU_ASSERT_EQUAL(watching.event.name, EventName::Watching);
    expect_names_match(watching.effects, &watching);

    Reply left = expect_ok(world.request(kBoris, LeaveRequest{}));
    CU_ASSERT_EQUAL(left.event.name, EventName::Left);
    expect_names_match(left.effects, &left);

    Reply stopped = expect_ok(world.request(kAnna, StopRequest{}));
    CU_ASSERT_EQUAL(stopped.event.name, EventName::Ended);
    expect_names_match(stopped.effects, &stopped);
}

// The relay's offer rides on the event that needs it, as a reply or a notice; nothing else has one.
void the_relay_offer_goes_with_its_event() {
    World world;
    world.go_live(kAnna, "42");
    Effects accepted = world.accept(kAnna, world.ask(kBoris, "17", "42"));
    const Notice* offer = find_notice(accepted, kBoris, "accepted");
    CU_ASSERT_FATAL(offer != nullptr);
    CU_ASSERT_EQUAL(offer->event.offer, ViewerOffer::Fresh);
    CU_ASSERT_EQUAL(offers(accepted), 1U);
    Reply watching = expect_ok(world.request(kBoris, StartRequest{true}));
    CU_ASSERT_EQUAL(watching.event.offer, ViewerOffer::None);
    CU_ASSERT_EQUAL(offers(watching.effects), 0U);

    Reply restarting = expect_ok(world.request(kBoris, IceRestartRequest{}));
    CU_ASSERT_EQUAL(restarting.event.name, EventName::Restarting);
    CU_ASSERT_EQUAL(restarting.event.offer, ViewerOffer::IceRestart);

    // A reloaded viewer with a grant gets `accepted` and the offer as the reply to its `watch`.
    world.hub().handle_created(kPage);
    Reply back = expect_ok(world.watch(kPage, "17", "42", "", kNow + 1));
    CU_ASSERT_EQUAL(back.event.name, EventName::Accepted);
    CU_ASSERT_EQUAL(back.event.offer, ViewerOffer::Fresh);
    CU_ASSERT_EQUAL(offers(back.effects), 0U);
}

// An SDP check that counts its calls and answers `verdict`.
struct CountingCheck {
    int calls = 0;
    Status verdict = Ok{};
    SdpCheck check() {
        return [this]() {
            ++calls;
            return verdict;
        };
    }
};

Status invalid_sdp() { return fail(ErrorCode::InvalidSdp, "Invalid SDP: test"); }

void sdp_check_runs_only_once_the_handle_may_publish() {
    World world;
    CountingCheck sdp;
    // Not broadcasting: refused before the SDP is looked at.
    world.hub().handle_created(kAnna);
    expect_code(world.hub().handle_request(kAnna, PublishRequest{true}, kNow, sdp.check()),
                ErrorCode::WrongState);
    CU_ASSERT_EQUAL(sdp.calls, 0);

    expect_ok(world.broadcast(kAnna, "42"));
    sdp.verdict = invalid_sdp();
    expect_code(world.hub().handle_request(kAnna, PublishRequest{true}, kNow, sdp.check()),
                ErrorCode::InvalidSdp);
    CU_ASSERT_EQUAL(sdp.calls, 1);
    sdp.verdict = Ok{};
    Reply publishing = expect_ok(world.hub().handle_request(kAnna, PublishRequest{true}, kNow, sdp.check()));
    CU_ASSERT_EQUAL(publishing.event.name, EventName::Publishing);
    CU_ASSERT_EQUAL(sdp.calls, 2);
    // A relay broadcast needs the offer: without one the SDP is not looked at either.
    expect_code(world.hub().handle_request(kAnna, PublishRequest{false}, kNow, sdp.check()),
                ErrorCode::MissingElement);
    CU_ASSERT_EQUAL(sdp.calls, 2);
}

void refused_viewer_sdp_changes_nothing() {
    World world;
    world.go_live(kAnna, "42");
    const std::string request_id = world.ask(kBoris, "17", "42");
    CountingCheck sdp;
    // Before acceptance, any SDP is out of place: refused without looking at it.
    expect_code(world.hub().handle_request(kBoris, StartRequest{true}, kNow, sdp.check()),
                ErrorCode::WrongState);
    CU_ASSERT_EQUAL(sdp.calls, 0);

    world.accept(kAnna, request_id);
    sdp.verdict = invalid_sdp();
    Result<Reply> refused = world.hub().handle_request(kBoris, StartRequest{true}, kNow, sdp.check());
    expect_code(refused, ErrorCode::InvalidSdp);
    CU_ASSERT_EQUAL(sdp.calls, 1);

    // Still accepted, not watching: a good answer then starts the media once.
    sdp.verdict = Ok{};
    Reply watching = expect_ok(world.hub().handle_request(kBoris, StartRequest{true}, kNow, sdp.check()));
    CU_ASSERT_EQUAL(watching.event.name, EventName::Watching);
    CU_ASSERT_EQUAL(sdp.calls, 2);
    CU_ASSERT_EQUAL(count_media<RouterAddViewer>(watching.effects), 1U);
    CU_ASSERT_PTR_NOT_NULL(notice(watching.effects, kAnna, "viewer_joined"));

    // Other requests never run it.
    expect_ok(world.hub().handle_request(kBoris, LeaveRequest{}, kNow, sdp.check()));
    CU_ASSERT_EQUAL(sdp.calls, 2);
}

CU_TestInfo tests[] = {
    {"registered reply names the broadcast and audio", registered_reply_names_the_broadcast_and_audio},
    {"only registered replies name a broadcast", only_registered_replies_name_a_broadcast},
    {"every event carries its name", every_event_carries_its_name},
    {"the relay offer goes with its event", the_relay_offer_goes_with_its_event},
    {"SDP check runs only once the handle may publish", sdp_check_runs_only_once_the_handle_may_publish},
    {"refused viewer SDP changes nothing", refused_viewer_sdp_changes_nothing},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_reply_tests() { return add_suite("typed replies", tests); }
