// SPDX-License-Identifier: GPL-3.0-or-later
// Direct (peer-to-peer) viewers, the `auto` move to the relay, relay ICE restarts and recovery after
// a restart, driven through the Hub as the Janus layer drives it.
#include <CUnit/CUnit.h>

#include "core/ice_servers.h"
#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

constexpr HandleId kAnna = 1;
constexpr HandleId kAnnaReloaded = 2;
constexpr HandleId kBoris = 3;
constexpr HandleId kCyril = 4;
constexpr HandleId kBorisReloaded = 6;

Site site_with(MediaMode media) {
    Site site = demo_site();
    site.media = media;
    return site;
}

Settings with_turn() {
    Settings settings;
    settings.turn_uris = {"turn:turn.example.com:3478?transport=udp"};
    settings.turn_secret = "turn-shared-secret";
    settings.stun_uris = {"stun:stun.example.com:3478"};
    return settings;
}

// Registers and goes live without a relay PeerConnection (publish without jsep).
Reply go_live_direct(World& world, HandleId handle, const std::string& user) {
    world.hub().handle_created(handle);
    Reply registered = expect_ok(world.broadcast(handle, user, "Anna"));
    Reply publishing = expect_ok(world.request(handle, PublishRequest{false}));
    CU_ASSERT_EQUAL(event_of(publishing.event.result.get()), "publishing");
    CU_ASSERT_PTR_NOT_NULL(notice(publishing.effects, handle, "live"));
    return registered;
}

SignalRequest signal(const std::string& peer, const std::string& json) {
    Result<Request> parsed =
        parse_request(parse_json(R"({"request":"signal","peer":")" + peer + "\"," + json + "}").get());
    CU_ASSERT_FATAL(parsed.ok());
    return std::move(std::get<SignalRequest>(parsed.value()));
}

Result<Reply> send_signal(World& world, HandleId from, const std::string& peer, const std::string& json) {
    return world.request(from, signal(peer, json));
}

// ---- p2p ----

void p2p_registers_and_goes_live_without_relay() {
    World world({}, {site_with(MediaMode::P2p)});
    world.hub().handle_created(kAnna);
    Reply registered = expect_ok(world.broadcast(kAnna, "42", "Anna"));
    const json_t* result = registered.event.result.get();
    CU_ASSERT_EQUAL(text_of(result, "media"), "p2p");
    CU_ASSERT_FALSE(flag_of(result, "relay"));
    CU_ASSERT_TRUE(flag_of(result, "simulcast"));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(result, "ice_servers")), 0U);
    CU_ASSERT_EQUAL(text_of(result, "ice_policy"), "all");

    // No media to the server in p2p: an offer is refused.
    expect_code(world.request(kAnna, PublishRequest{true}), ErrorCode::WrongState);
    Reply publishing = expect_ok(world.request(kAnna, PublishRequest{false}));
    CU_ASSERT_EQUAL(event_of(publishing.event.result.get()), "publishing");
    CU_ASSERT_PTR_NOT_NULL(notice(publishing.effects, kAnna, "live"));
    CU_ASSERT_EQUAL(count_media<RouterSetPublisher>(publishing.effects), 0U);
    // Live for viewers now.
    world.ask(kBoris, "17", "42");
}

// A refused relay offer still makes Janus hang up the half-made PeerConnection; the direct
// broadcast does not depend on it and stays live.
void p2p_hangup_of_a_refused_offer_keeps_the_broadcast_live() {
    World world({}, {site_with(MediaMode::P2p)});
    go_live_direct(world, kAnna, "42");
    expect_code(world.request(kAnna, PublishRequest{true}), ErrorCode::WrongState);
    Effects effects = world.hub().media_down(kAnna, kNow);
    CU_ASSERT_TRUE(effects.notices.empty());
    CU_ASSERT_TRUE(effects.media.empty());
    world.ask(kBoris, "17", "42");  // still live: the watch is not told "reconnecting"
}

void sfu_needs_jsep_to_publish() {
    World world;
    world.hub().handle_created(kAnna);
    Reply registered = expect_ok(world.broadcast(kAnna, "42"));
    CU_ASSERT_EQUAL(text_of(registered.event.result.get(), "media"), "sfu");
    CU_ASSERT_TRUE(flag_of(registered.event.result.get(), "relay"));
    expect_code(world.request(kAnna, PublishRequest{false}), ErrorCode::MissingElement);
    expect_code(world.request(kBoris, PublishRequest{false}), ErrorCode::WrongState);  // not a broadcaster
}

void p2p_viewer_is_paired_and_signals_relay() {
    World world({}, {site_with(MediaMode::P2p)});
    go_live_direct(world, kAnna, "42");
    const std::string request_id = world.ask(kBoris, "17", "42");
    Effects accepted = world.accept(kAnna, request_id);
    CU_ASSERT_EQUAL(offers(accepted), 0U);  // no jsep: the browsers connect
    const json_t* to_viewer = notice(accepted, kBoris, "accepted");
    const json_t* to_broadcaster = notice(accepted, kAnna, "peer");
    CU_ASSERT_FATAL(to_viewer != nullptr && to_broadcaster != nullptr);
    const std::string peer = text_of(to_viewer, "peer");
    CU_ASSERT_EQUAL(peer.substr(0, 2), "p-");
    CU_ASSERT_EQUAL(text_of(to_viewer, "media"), "p2p");
    CU_ASSERT_EQUAL(text_of(to_viewer, "request_id"), request_id);
    CU_ASSERT_EQUAL(text_of(to_broadcaster, "peer"), peer);
    CU_ASSERT_EQUAL(text_of(json_object_get(to_broadcaster, "viewer"), "user"), "17");
    CU_ASSERT_EQUAL(text_of(to_broadcaster, "ice_policy"), "all");
    CU_ASSERT_TRUE(json_is_array(json_object_get(to_viewer, "ice_servers")));

    // The broadcaster offers, the viewer answers; each side's message reaches the other unchanged.
    Reply offered = expect_ok(send_signal(world, kAnna, peer, R"("sdp":{"type":"offer","sdp":"v=0 offer"})"));
    CU_ASSERT_EQUAL(event_of(offered.event.result.get()), "signalled");
    CU_ASSERT_EQUAL(text_of(offered.event.result.get(), "peer"), peer);
    const json_t* relayed = notice(offered.effects, kBoris, "signal");
    CU_ASSERT_FATAL(relayed != nullptr);
    CU_ASSERT_EQUAL(text_of(relayed, "peer"), peer);
    CU_ASSERT_EQUAL(text_of(json_object_get(relayed, "sdp"), "sdp"), "v=0 offer");
    CU_ASSERT_EQUAL(text_of(json_object_get(relayed, "sdp"), "type"), "offer");
    expect_code(send_signal(world, kBoris, peer, R"("sdp":{"type":"offer","sdp":"v=0"})"),
                ErrorCode::WrongState);
    expect_code(send_signal(world, kAnna, peer, R"("sdp":{"type":"answer","sdp":"v=0"})"),
                ErrorCode::WrongState);
    expect_code(send_signal(world, kAnna, peer, R"("restart":true)"), ErrorCode::WrongState);
    Reply answered =
        expect_ok(send_signal(world, kBoris, peer, R"("sdp":{"type":"answer","sdp":"v=0 answer"})"));
    CU_ASSERT_PTR_NOT_NULL(notice(answered.effects, kAnna, "signal"));
    Reply candidate = expect_ok(send_signal(
        world, kBoris, peer,
        R"("candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0})"));
    const json_t* forwarded = notice(candidate.effects, kAnna, "signal");
    CU_ASSERT_FATAL(forwarded != nullptr);
    CU_ASSERT_EQUAL(text_of(json_object_get(forwarded, "candidate"), "sdpMid"), "0");
    Reply done = expect_ok(send_signal(world, kAnna, peer, R"("candidate":null)"));
    const json_t* end = notice(done.effects, kBoris, "signal");
    CU_ASSERT_FATAL(end != nullptr);
    CU_ASSERT_TRUE(json_is_null(json_object_get(end, "candidate")));
    Reply restart = expect_ok(send_signal(world, kBoris, peer, R"("restart":true)"));
    CU_ASSERT_TRUE(flag_of(notice(restart.effects, kAnna, "signal"), "restart"));

    // Strangers and unknown peers: 549.
    world.hub().handle_created(kCyril);
    expect_code(send_signal(world, kCyril, peer, R"("bye":true)"), ErrorCode::NotFound);
    expect_code(send_signal(world, kAnna, "p-00000000000000000000000000000000", R"("bye":true)"),
                ErrorCode::NotFound);

    // A direct viewer starts without jsep; airtime comes from its heartbeats.
    expect_code(world.request(kBoris, StartRequest{true}), ErrorCode::WrongState);
    Reply watching = expect_ok(world.request(kBoris, StartRequest{false}));
    CU_ASSERT_EQUAL(event_of(watching.event.result.get()), "watching");
    CU_ASSERT_EQUAL(text_of(watching.event.result.get(), "media"), "p2p");
    CU_ASSERT_EQUAL(count_media<RouterAddViewer>(watching.effects), 0U);
    CU_ASSERT_PTR_NOT_NULL(notice(watching.effects, kAnna, "viewer_joined"));

    // Room for one: another user's watch gives 550.
    world.hub().handle_created(kCyril);
    expect_code(world.watch(kCyril, "18", "42"), ErrorCode::LimitExceeded);

    // The viewer leaves: the broadcaster is told to close its side.
    Reply left = expect_ok(world.request(kBoris, LeaveRequest{}));
    const json_t* bye = notice(left.effects, kAnna, "signal");
    CU_ASSERT_FATAL(bye != nullptr);
    CU_ASSERT_TRUE(flag_of(bye, "bye"));
    CU_ASSERT_EQUAL(text_of(bye, "peer"), peer);
    CU_ASSERT_PTR_NOT_NULL(notice(left.effects, kAnna, "viewer_left"));
    CU_ASSERT_EQUAL(count_media<RouterRemoveViewer>(left.effects), 0U);
}

void p2p_second_accept_is_refused_and_prompt_stays() {
    World world({}, {site_with(MediaMode::P2p)});
    go_live_direct(world, kAnna, "42");
    const std::string boris = world.ask(kBoris, "17", "42");
    const std::string cyril = world.ask(kCyril, "18", "42");
    world.accept(kAnna, boris);
    expect_code(world.request(kAnna, AnswerRequest{cyril, true}), ErrorCode::LimitExceeded);
    Reply declined = expect_ok(world.request(kAnna, AnswerRequest{cyril, false}));  // still pending
    CU_ASSERT_PTR_NOT_NULL(notice(declined.effects, kCyril, "declined"));
}

void p2p_broadcaster_reload_pairs_again() {
    World world({}, {site_with(MediaMode::P2p)});
    go_live_direct(world, kAnna, "42");
    Effects accepted = world.accept(kAnna, world.ask(kBoris, "17", "42"));
    const std::string first_peer = text_of(notice(accepted, kBoris, "accepted"), "peer");
    expect_ok(world.request(kBoris, StartRequest{false}));

    Effects gone = world.hub().handle_destroyed(kAnna, kNow + 1);
    CU_ASSERT_PTR_NOT_NULL(notice(gone, kBoris, "interrupted"));
    world.hub().handle_created(kAnnaReloaded);
    Reply resumed = expect_ok(world.broadcast(kAnnaReloaded, "42", "Anna", kNow + 2));
    CU_ASSERT_TRUE(flag_of(resumed.event.result.get(), "resumed"));
    const json_t* peer = notice(resumed.effects, kAnnaReloaded, "peer");
    const json_t* again = notice(resumed.effects, kBoris, "accepted");
    CU_ASSERT_FATAL(peer != nullptr && again != nullptr);
    CU_ASSERT_EQUAL(text_of(again, "peer"), text_of(peer, "peer"));
    CU_ASSERT_NOT_EQUAL(text_of(again, "peer"), first_peer);
    CU_ASSERT_TRUE(flag_of(again, "resumed"));
    CU_ASSERT_EQUAL(text_of(again, "media"), "p2p");
    // The old pairing is gone; the new one works.
    expect_code(send_signal(world, kBoris, first_peer, R"("bye":true)"), ErrorCode::NotFound);
    expect_ok(
        send_signal(world, kAnnaReloaded, text_of(peer, "peer"), R"("sdp":{"type":"offer","sdp":"v=0"})"));
    Reply back = expect_ok(world.request(kAnnaReloaded, PublishRequest{false}, kNow + 3));
    CU_ASSERT_PTR_NOT_NULL(notice(back.effects, kBoris, "resumed"));
}

void p2p_kick_and_end_say_bye() {
    World world({}, {site_with(MediaMode::P2p)});
    go_live_direct(world, kAnna, "42");
    Effects accepted = world.accept(kAnna, world.ask(kBoris, "17", "42"));
    const std::string peer = text_of(notice(accepted, kBoris, "accepted"), "peer");
    Reply kicked = expect_ok(world.request(kAnna, KickRequest{"17"}));
    CU_ASSERT_TRUE(flag_of(notice(kicked.effects, kBoris, "signal"), "bye"));
    CU_ASSERT_PTR_NOT_NULL(notice(kicked.effects, kBoris, "ended"));

    Effects again = world.accept(kAnna, world.ask(kCyril, "18", "42"));
    CU_ASSERT_PTR_NOT_NULL(notice(again, kCyril, "accepted"));  // room again after the kick
    Reply stopped = expect_ok(world.request(kAnna, StopRequest{}));
    CU_ASSERT_TRUE(flag_of(notice(stopped.effects, kCyril, "signal"), "bye"));
    CU_ASSERT_PTR_NOT_NULL(notice(stopped.effects, kCyril, "ended"));
}

void p2p_relay_only_sites_get_turn_and_relay_policy() {
    Site site = site_with(MediaMode::P2p);
    site.p2p_relay_only = true;
    World world(with_turn(), {site});
    Reply registered = go_live_direct(world, kAnna, "42");
    CU_ASSERT_EQUAL(text_of(registered.event.result.get(), "ice_policy"), "relay");
    const json_t* servers = json_object_get(registered.event.result.get(), "ice_servers");
    CU_ASSERT_FATAL(json_array_size(servers) == 2U);
    const json_t* turn = json_array_get(servers, 0);
    const std::string username = text_of(turn, "username");
    CU_ASSERT_EQUAL(username, std::to_string(kNow + 86400) + ":demo:42");
    CU_ASSERT_EQUAL(text_of(turn, "credential"), IceServers::credential("turn-shared-secret", username));
    CU_ASSERT_EQUAL(json_string_value(json_array_get(json_object_get(turn, "urls"), 0)),
                    std::string("turn:turn.example.com:3478?transport=udp"));
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(servers, 1), "username"));  // STUN: no credentials

    Effects accepted = world.accept(kAnna, world.ask(kBoris, "17", "42"));
    const json_t* to_viewer = notice(accepted, kBoris, "accepted");
    CU_ASSERT_EQUAL(text_of(to_viewer, "ice_policy"), "relay");
    CU_ASSERT_EQUAL(text_of(json_array_get(json_object_get(to_viewer, "ice_servers"), 0), "username"),
                    std::to_string(kNow + 86400) + ":demo:17");
    CU_ASSERT_EQUAL(text_of(notice(accepted, kAnna, "peer"), "ice_policy"), "relay");
}

// ---- auto ----

void auto_moves_to_the_relay_on_the_second_viewer() {
    World world({}, {site_with(MediaMode::Auto)});
    Reply registered = go_live_direct(world, kAnna, "42");
    CU_ASSERT_EQUAL(text_of(registered.event.result.get(), "media"), "auto");
    CU_ASSERT_FALSE(flag_of(registered.event.result.get(), "relay"));
    expect_code(world.request(kAnna, PublishRequest{true}),
                ErrorCode::WrongState);  // not before relay_needed

    // First viewer: direct.
    Effects first = world.accept(kAnna, world.ask(kBoris, "17", "42"));
    const json_t* direct = notice(first, kBoris, "accepted");
    CU_ASSERT_FATAL(direct != nullptr);
    const std::string peer = text_of(direct, "peer");
    CU_ASSERT_EQUAL(text_of(direct, "media"), "p2p");
    expect_ok(world.request(kBoris, StartRequest{false}));

    // Second viewer: the broadcaster is asked to publish, the viewer gets the relay's offer.
    Effects second = world.accept(kAnna, world.ask(kCyril, "18", "42"));
    CU_ASSERT_PTR_NOT_NULL(notice(second, kAnna, "relay_needed"));
    const Notice* offer = find_notice(second, kCyril, "accepted");
    CU_ASSERT_FATAL(offer != nullptr);
    CU_ASSERT_EQUAL(offer->event.offer, ViewerOffer::Fresh);
    CU_ASSERT_EQUAL(text_of(offer->event.result.get(), "media"), "sfu");
    CU_ASSERT_PTR_NULL(notice(second, kBoris, "switch"));  // not before the publisher is up
    expect_ok(world.request(kCyril, StartRequest{true}));

    expect_code(world.request(kAnna, PublishRequest{false}), ErrorCode::MissingElement);
    expect_ok(world.request(kAnna, PublishRequest{true}));
    Effects up = world.hub().media_up(kAnna, kNow + 5);
    CU_ASSERT_EQUAL(count_media<RouterSetPublisher>(up), 1U);
    const Notice* to_switch = find_notice(up, kBoris, "switch");
    CU_ASSERT_FATAL(to_switch != nullptr);
    CU_ASSERT_EQUAL(to_switch->event.offer, ViewerOffer::Fresh);
    CU_ASSERT_PTR_NULL(notice(up, kBoris, "resumed"));
    CU_ASSERT_EQUAL(offers(up), 1U);

    // Boris answers the relay's offer: watching again, switched, without a new join.
    Reply switched = expect_ok(world.request(kBoris, StartRequest{true}, kNow + 6));
    CU_ASSERT_EQUAL(text_of(switched.event.result.get(), "media"), "sfu");
    CU_ASSERT_TRUE(flag_of(switched.event.result.get(), "switched"));
    CU_ASSERT_EQUAL(count_media<RouterAddViewer>(switched.effects), 1U);
    CU_ASSERT_PTR_NULL(notice(switched.effects, kAnna, "viewer_joined"));
    // It closes its direct connection; the broadcaster hears so once, not again on leave.
    Reply bye = expect_ok(send_signal(world, kBoris, peer, R"("bye":true)"));
    CU_ASSERT_TRUE(flag_of(notice(bye.effects, kAnna, "signal"), "bye"));
    Reply left = expect_ok(world.request(kBoris, LeaveRequest{}, kNow + 7));
    CU_ASSERT_PTR_NULL(notice(left.effects, kAnna, "signal"));
    CU_ASSERT_EQUAL(count_media<RouterRemoveViewer>(left.effects), 1U);

    // No flapping: with one viewer left, the broadcast stays on the relay, also after a reload.
    world.hub().handle_created(kBorisReloaded);
    Reply back = expect_ok(world.watch(kBorisReloaded, "17", "42", "", kNow + 8));
    CU_ASSERT_EQUAL(text_of(back.event.result.get(), "media"), "sfu");
    CU_ASSERT_EQUAL(back.event.offer, ViewerOffer::Fresh);
    world.hub().handle_destroyed(kAnna, kNow + 9);
    world.hub().handle_created(kAnnaReloaded);
    Reply resumed = expect_ok(world.broadcast(kAnnaReloaded, "42", "Anna", kNow + 10));
    CU_ASSERT_TRUE(flag_of(resumed.event.result.get(), "relay"));
}

void auto_relay_choice_survives_restart() {
    World world({}, {site_with(MediaMode::Auto)});
    go_live_direct(world, kAnna, "42");
    world.accept(kAnna, world.ask(kBoris, "17", "42"));
    world.accept(kAnna, world.ask(kCyril, "18", "42"));  // relay_needed
    world.restart(kNow + 20);
    world.hub().handle_created(kAnnaReloaded);
    Reply resumed = expect_ok(world.broadcast(kAnnaReloaded, "42", "Anna", kNow + 21));
    CU_ASSERT_TRUE(flag_of(resumed.event.result.get(), "resumed"));
    CU_ASSERT_TRUE(flag_of(resumed.event.result.get(), "relay"));
}

// ---- relay ICE restart ----

void ice_restart_for_relay_viewers_only() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Reply restarting = expect_ok(world.request(kBoris, IceRestartRequest{}));
    CU_ASSERT_EQUAL(event_of(restarting.event.result.get()), "restarting");
    CU_ASSERT_EQUAL(restarting.event.offer, ViewerOffer::IceRestart);
    Reply watching = expect_ok(world.request(kBoris, StartRequest{true}));
    CU_ASSERT_EQUAL(event_of(watching.event.result.get()), "watching");
    CU_ASSERT_PTR_NULL(notice(watching.effects, kAnna, "viewer_joined"));  // not a new viewer
    CU_ASSERT_EQUAL(count_media<RouterAddViewer>(watching.effects), 0U);
    expect_code(world.request(kAnna, IceRestartRequest{}), ErrorCode::WrongState);
    world.hub().handle_created(kCyril);
    expect_code(world.request(kCyril, IceRestartRequest{}), ErrorCode::WrongState);

    World direct({}, {site_with(MediaMode::P2p)});
    go_live_direct(direct, kAnna, "42");
    direct.accept(kAnna, direct.ask(kBoris, "17", "42"));
    expect_code(direct.request(kBoris, IceRestartRequest{}), ErrorCode::WrongState);
}

// ---- recovery ----

void restart_restores_interrupted_broadcast_with_grants() {
    Settings settings;
    settings.restart_grace = 60;
    World world(settings);
    const std::string broadcast_id = world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.hub().evidence({kAnna, kBoris}, kNow + 10);
    world.hub().tick(kNow + 10);

    world.restart(kNow + 12);  // a crash: no goodbye
    // Still listed, interrupted, for restart_grace.
    Effects none;
    JsonPtr listed_request = parse_json(R"({"request":"list_broadcasts","site":"demo"})");
    JsonPtr listed = world.hub().admin(listed_request.get(), kNow + 12, none);
    const json_t* broadcast = json_array_get(json_object_get(listed.get(), "broadcasts"), 0);
    CU_ASSERT_FATAL(broadcast != nullptr);
    CU_ASSERT_EQUAL(text_of(broadcast, "broadcast_id"), broadcast_id);
    CU_ASSERT_EQUAL(text_of(broadcast, "state"), "interrupted");

    // The granted viewer is held without a prompt; a stranger is told the user is not live.
    world.hub().handle_created(kBorisReloaded);
    Reply held = expect_ok(world.watch(kBorisReloaded, "17", "42", "", kNow + 13));
    CU_ASSERT_EQUAL(event_of(held.event.result.get()), "waiting");
    CU_ASSERT_TRUE(flag_of(held.event.result.get(), "resumed"));
    CU_ASSERT_EQUAL(number_of(held.event.result.get(), "expires_in"), 59);
    CU_ASSERT_EQUAL(held.effects.notices.size(), 0U);
    world.hub().handle_created(kCyril);
    expect_code(world.watch(kCyril, "18", "42", "", kNow + 13), ErrorCode::NotLive);

    // The broadcaster comes back: same broadcast, and the held viewer is let in with an offer.
    world.hub().handle_created(kAnnaReloaded);
    Reply resumed = expect_ok(world.broadcast(kAnnaReloaded, "42", "", kNow + 14));
    CU_ASSERT_TRUE(flag_of(resumed.event.result.get(), "resumed"));
    CU_ASSERT_EQUAL(text_of(resumed.event.result.get(), "broadcast_id"), broadcast_id);
    expect_ok(world.request(kAnnaReloaded, PublishRequest{true}, kNow + 15));
    Effects up = world.hub().media_up(kAnnaReloaded, kNow + 16);
    const Notice* offer = find_notice(up, kBorisReloaded, "accepted");
    CU_ASSERT_FATAL(offer != nullptr);
    CU_ASSERT_EQUAL(offer->event.offer, ViewerOffer::Fresh);
    CU_ASSERT_TRUE(flag_of(offer->event.result.get(), "resumed"));
    Reply watching = expect_ok(world.request(kBorisReloaded, StartRequest{true}, kNow + 17));
    CU_ASSERT_EQUAL(event_of(watching.event.result.get()), "watching");
    // Kicked viewers lose their stored grant too.
    expect_ok(world.request(kAnnaReloaded, KickRequest{"17"}, kNow + 18));
    world.restart(kNow + 19);
    world.hub().handle_created(kBoris);
    expect_code(world.watch(kBoris, "17", "42", "", kNow + 20), ErrorCode::NotLive);
}

void restart_grace_expiry_ends_with_reason_restart() {
    Settings settings;
    settings.restart_grace = 30;
    World world(settings);
    const std::string broadcast_id = world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.restart(kNow + 5);
    world.hub().handle_created(kBorisReloaded);
    expect_ok(world.watch(kBorisReloaded, "17", "42", "", kNow + 6));
    CU_ASSERT_EQUAL(world.hub().tick(kNow + 34).notices.size(), 0U);
    Effects expired = world.hub().tick(kNow + 35);
    const json_t* declined = notice(expired, kBorisReloaded, "declined");
    CU_ASSERT_FATAL(declined != nullptr);
    CU_ASSERT_EQUAL(text_of(declined, "reason"), "ended");
    std::unique_ptr<Store> store = open_store(world.store_path());
    Result<std::optional<BroadcastRecord>> ended = store->find_broadcast(broadcast_id);
    CU_ASSERT_FATAL(ended.ok() && ended.value().has_value());
    CU_ASSERT_EQUAL(ended.value()->end_reason, "restart");
    CU_ASSERT_EQUAL(ended.value()->ended_at, kNow + 35);
}

void never_live_broadcasts_end_at_restart() {
    World world;
    world.hub().handle_created(kAnna);
    Reply registered = expect_ok(world.broadcast(kAnna, "42"));
    world.restart(kNow + 5);
    std::unique_ptr<Store> store = open_store(world.store_path());
    Result<std::optional<BroadcastRecord>> ended =
        store->find_broadcast(text_of(registered.event.result.get(), "broadcast_id"));
    CU_ASSERT_EQUAL(ended.value()->end_reason, "restart");
    world.hub().handle_created(kAnnaReloaded);
    Reply fresh = expect_ok(world.broadcast(kAnnaReloaded, "42", "", kNow + 6));
    CU_ASSERT_FALSE(flag_of(fresh.event.result.get(), "resumed"));
}

// ---- ICE servers ----

void turn_credentials_match_an_independent_hmac() {
    // echo -n "1764186400:demo:42" | openssl dgst -sha1 -hmac "turn-shared-secret" -binary | base64
    CU_ASSERT_EQUAL(IceServers::credential("turn-shared-secret", "1764186400:demo:42"),
                    "VMSxc+y6EJCIYzIGaIDZQwZqQd4=");
    IceServers none({}, "", 60, {});
    CU_ASSERT_EQUAL(json_array_size(none.for_user("demo", "42", kNow).get()), 0U);
    IceServers stun({}, "", 60, {"stun:a:3478", "stun:b:3478"});
    JsonPtr only_stun = stun.for_user("demo", "42", kNow);
    CU_ASSERT_EQUAL(json_array_size(only_stun.get()), 1U);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_array_get(only_stun.get(), 0), "urls")), 2U);
    IceServers turn({"turn:t:3478?transport=udp", "turns:t:5349?transport=tcp"}, "turn-shared-secret", 86400,
                    {});
    JsonPtr minted = turn.for_user("demo", "42", 1764100000);
    const json_t* entry = json_array_get(minted.get(), 0);
    CU_ASSERT_EQUAL(text_of(entry, "username"), "1764186400:demo:42");
    CU_ASSERT_EQUAL(text_of(entry, "credential"), "VMSxc+y6EJCIYzIGaIDZQwZqQd4=");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(entry, "urls")), 2U);
}

void uri_lists_split_on_commas() {
    const std::vector<std::string> uris = split_uris(" turn:a:3478?transport=udp , turns:a:5349,, ");
    CU_ASSERT_EQUAL(uris.size(), 2U);
    CU_ASSERT_EQUAL(uris[0], "turn:a:3478?transport=udp");
    CU_ASSERT_EQUAL(uris[1], "turns:a:5349");
    CU_ASSERT_EQUAL(split_uris("").size(), 0U);
}

CU_TestInfo tests[] = {
    // NOLINT(cppcoreguidelines-avoid-c-arrays): CUnit's table
    {"p2p registers and goes live without the relay", p2p_registers_and_goes_live_without_relay},
    {"p2p hang-up of a refused offer keeps the broadcast live",
     p2p_hangup_of_a_refused_offer_keeps_the_broadcast_live},
    {"sfu needs jsep to publish", sfu_needs_jsep_to_publish},
    {"p2p viewer is paired and signals are relayed", p2p_viewer_is_paired_and_signals_relay},
    {"p2p second accept is refused, prompt stays", p2p_second_accept_is_refused_and_prompt_stays},
    {"p2p broadcaster reload pairs again", p2p_broadcaster_reload_pairs_again},
    {"p2p kick and end say bye", p2p_kick_and_end_say_bye},
    {"p2p relay-only sites get TURN and relay policy", p2p_relay_only_sites_get_turn_and_relay_policy},
    {"auto moves to the relay on the second viewer", auto_moves_to_the_relay_on_the_second_viewer},
    {"auto relay choice survives a restart", auto_relay_choice_survives_restart},
    {"ice_restart for relay viewers only", ice_restart_for_relay_viewers_only},
    {"restart restores interrupted broadcast with grants",
     restart_restores_interrupted_broadcast_with_grants},
    {"restart_grace expiry ends with reason restart", restart_grace_expiry_ends_with_reason_restart},
    {"never-live broadcasts end at restart", never_live_broadcasts_end_at_restart},
    {"TURN credentials match an independent HMAC", turn_credentials_match_an_independent_hmac},
    {"URI lists split on commas", uri_lists_split_on_commas},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_direct_tests() { return add_suite("direct media and recovery", tests); }
