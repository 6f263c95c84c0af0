// SPDX-License-Identifier: GPL-3.0-or-later
// The broadcast/viewer/consent state machine, driven as the Janus layer drives it: fake handle
// ids, a controlled clock, and the effects checked as a user would notice them.
#include <CUnit/CUnit.h>

#include <thread>
#include <vector>

#include "fixtures.h"
#include "suites.h"

using namespace onair;
using namespace onair::test;

namespace {

// Handles: the broadcaster's, its reloaded page's, two viewers', a presence-only page's.
constexpr HandleId kAnna = 1;
constexpr HandleId kAnnaReloaded = 2;
constexpr HandleId kBoris = 3;
constexpr HandleId kCyril = 4;
constexpr HandleId kPage = 5;
constexpr HandleId kBorisReloaded = 6;

void register_answers_and_goes_live() {
    World world;
    world.hub().handle_created(kPage);
    Reply presence = expect_ok(world.request(kPage, PresenceRequest{"demo", {"42", "43"}}));
    CU_ASSERT_FALSE(flag_of(json_object_get(presence.event.result.get(), "users"), "42"));

    Reply registered = expect_ok(world.broadcast(kAnna, "42", "Anna"));
    const json_t* result = registered.event.result.get();
    CU_ASSERT_EQUAL(event_of(result), "registered");
    CU_ASSERT_EQUAL(text_of(result, "broadcast_id").substr(0, 2), "b-");
    CU_ASSERT_EQUAL(text_of(result, "broadcast_id").size(), 34U);
    CU_ASSERT_FALSE(flag_of(result, "resumed"));
    CU_ASSERT_TRUE(flag_of(result, "audio"));
    CU_ASSERT_EQUAL(number_of(result, "started_at"), kNow);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(result, "viewers")), 0U);
    CU_ASSERT_EQUAL(registered.effects.notices.size(), 0U);  // invisible until media is up

    // Registered but not live: nobody can ask to watch yet.
    expect_code(world.watch(kBoris, "17", "42"), ErrorCode::NotLive);

    Reply publishing = expect_ok(world.request(kAnna, PublishRequest{}));
    CU_ASSERT_EQUAL(event_of(publishing.event.result.get()), "publishing");

    Effects up = world.hub().media_up(kAnna, kNow + 1);
    CU_ASSERT_PTR_NOT_NULL(notice(up, kAnna, "live"));
    const json_t* seen = notice(up, kPage, "presence");
    CU_ASSERT_FATAL(seen != nullptr);
    CU_ASSERT_TRUE(flag_of(json_object_get(seen, "users"), "42"));
    const auto* publisher = media<RouterSetPublisher>(up);
    CU_ASSERT_FATAL(publisher != nullptr);
    CU_ASSERT_EQUAL(publisher->publisher, kAnna);
    CU_ASSERT_EQUAL(publisher->broadcast_id, text_of(result, "broadcast_id"));

    // A new subscriber sees the state as it is now.
    Reply now_live = expect_ok(world.request(kPage, PresenceRequest{"demo", {"42"}}));
    CU_ASSERT_TRUE(flag_of(json_object_get(now_live.event.result.get(), "users"), "42"));
}

void watch_prompt_accept_start() {
    World world;
    const std::string broadcast_id = world.go_live(kAnna, "42");
    world.hub().handle_created(kBoris);

    Reply waiting = expect_ok(world.watch(kBoris, "17", "42", "Boris"));
    CU_ASSERT_EQUAL(event_of(waiting.event.result.get()), "waiting");
    CU_ASSERT_EQUAL(number_of(waiting.event.result.get(), "expires_in"), 30);
    const std::string request_id = text_of(waiting.event.result.get(), "request_id");
    CU_ASSERT_EQUAL(request_id.substr(0, 2), "r-");
    CU_ASSERT_EQUAL(notices_to(waiting.effects, kBoris), 0U);  // nothing reaches the viewer yet
    CU_ASSERT_EQUAL(waiting.effects.media.size(), 0U);

    const json_t* prompt = notice(waiting.effects, kAnna, "watch_request");
    CU_ASSERT_FATAL(prompt != nullptr);
    CU_ASSERT_EQUAL(text_of(prompt, "request_id"), request_id);
    CU_ASSERT_EQUAL(text_of(json_object_get(prompt, "viewer"), "user"), "17");
    CU_ASSERT_EQUAL(text_of(json_object_get(prompt, "viewer"), "name"), "Boris");
    // The world's tokens carry no name claim: "Boris" is self-declared.
    CU_ASSERT_TRUE(json_is_false(json_object_get(json_object_get(prompt, "viewer"), "name_verified")));
    CU_ASSERT_EQUAL(number_of(prompt, "expires_in"), 30);

    // A jsep answer before acceptance is refused.
    expect_code(world.request(kBoris, StartRequest{}), ErrorCode::WrongState);

    Reply answered = expect_ok(world.request(kAnna, AnswerRequest{request_id, true}));
    CU_ASSERT_EQUAL(event_of(answered.event.result.get()), "answered");
    CU_ASSERT_EQUAL(text_of(answered.event.result.get(), "request_id"), request_id);
    CU_ASSERT_TRUE(flag_of(answered.event.result.get(), "accepted"));
    const Notice* offer = find_notice(answered.effects, kBoris, "accepted");
    CU_ASSERT_FATAL(offer != nullptr);
    CU_ASSERT_EQUAL(offer->event.offer, ViewerOffer::Fresh);
    CU_ASSERT_EQUAL(text_of(offer->event.result.get(), "request_id"), request_id);

    // The same prompt cannot be answered twice.
    expect_code(world.request(kAnna, AnswerRequest{request_id, true}), ErrorCode::NotFound);

    Reply watching = expect_ok(world.request(kBoris, StartRequest{}));
    CU_ASSERT_EQUAL(event_of(watching.event.result.get()), "watching");
    const auto* added = media<RouterAddViewer>(watching.effects);
    CU_ASSERT_FATAL(added != nullptr);
    CU_ASSERT_EQUAL(added->viewer, kBoris);
    CU_ASSERT_EQUAL(added->broadcast_id, broadcast_id);
    const json_t* joined = notice(watching.effects, kAnna, "viewer_joined");
    CU_ASSERT_FATAL(joined != nullptr);
    CU_ASSERT_EQUAL(text_of(json_object_get(joined, "viewer"), "user"), "17");
    CU_ASSERT_EQUAL(number_of(joined, "viewers"), 1);

    // A renegotiating start changes nothing.
    Reply again = expect_ok(world.request(kBoris, StartRequest{}));
    CU_ASSERT_EQUAL(again.effects.media.size(), 0U);
}

void decline_tells_the_viewer() {
    World world;
    world.go_live(kAnna, "42");
    const std::string request_id = world.ask(kBoris, "17", "42");
    Reply answered = expect_ok(world.request(kAnna, AnswerRequest{request_id, false}));
    CU_ASSERT_FALSE(flag_of(answered.event.result.get(), "accepted"));
    const json_t* declined = notice(answered.effects, kBoris, "declined");
    CU_ASSERT_FATAL(declined != nullptr);
    CU_ASSERT_EQUAL(text_of(declined, "reason"), "denied");
    CU_ASSERT_EQUAL(text_of(declined, "request_id"), request_id);
    CU_ASSERT_EQUAL(answered.effects.media.size(), 0U);
    expect_code(world.request(kBoris, StartRequest{}), ErrorCode::WrongState);
    // Declined is not banned: the viewer may ask again (and gets a new prompt).
    CU_ASSERT_NOT_EQUAL(world.ask(kBoris, "17", "42"), request_id);
}

void leave_cancels_or_stops_watching() {
    World world;
    const std::string broadcast_id = world.go_live(kAnna, "42");
    const std::string request_id = world.ask(kBoris, "17", "42");
    Reply left = expect_ok(world.request(kBoris, LeaveRequest{}));
    CU_ASSERT_EQUAL(event_of(left.event.result.get()), "left");
    const json_t* cancelled = notice(left.effects, kAnna, "request_cancelled");
    CU_ASSERT_FATAL(cancelled != nullptr);
    CU_ASSERT_EQUAL(text_of(cancelled, "request_id"), request_id);
    expect_code(world.request(kAnna, AnswerRequest{request_id, true}), ErrorCode::NotFound);

    world.join(kBoris, "17", kAnna, "42");
    left = expect_ok(world.request(kBoris, LeaveRequest{}));
    const auto* removed = media<RouterRemoveViewer>(left.effects);
    CU_ASSERT_FATAL(removed != nullptr);
    CU_ASSERT_EQUAL(removed->viewer, kBoris);
    CU_ASSERT_EQUAL(removed->broadcast_id, broadcast_id);
    const json_t* gone = notice(left.effects, kAnna, "viewer_left");
    CU_ASSERT_FATAL(gone != nullptr);
    CU_ASSERT_EQUAL(number_of(gone, "viewers"), 0);

    // Leaving with nothing to leave is harmless; a broadcaster must use stop.
    CU_ASSERT(world.request(kBoris, LeaveRequest{}).ok());
    expect_code(world.request(kAnna, LeaveRequest{}), ErrorCode::WrongState);
}

void viewer_hangup_and_handle_loss() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Effects down = world.hub().media_down(kBoris, kNow + 5);
    CU_ASSERT_EQUAL(count_media<RouterRemoveViewer>(down), 1U);
    CU_ASSERT_PTR_NOT_NULL(notice(down, kAnna, "viewer_left"));

    world.ask(kCyril, "18", "42");
    Effects destroyed = world.hub().handle_destroyed(kCyril, kNow + 6);
    CU_ASSERT_PTR_NOT_NULL(notice(destroyed, kAnna, "request_cancelled"));
}

void kick_revokes_the_grant() {
    World world;
    const std::string broadcast_id = world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Reply kicked = expect_ok(world.request(kAnna, KickRequest{"17"}));
    CU_ASSERT_EQUAL(event_of(kicked.event.result.get()), "kicked");
    CU_ASSERT_EQUAL(text_of(kicked.event.result.get(), "viewer"), "17");
    const json_t* ended = notice(kicked.effects, kBoris, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "removed");
    CU_ASSERT_TRUE(closes(kicked.effects, kBoris));
    CU_ASSERT_EQUAL(count_media<RouterRemoveViewer>(kicked.effects), 1U);

    // Removed viewers cannot start, and must ask again: a new prompt, not an instant accept.
    expect_code(world.request(kCyril, StartRequest{}), ErrorCode::WrongState);  // a handle never seen
    expect_code(world.request(kBoris, StartRequest{}), ErrorCode::WrongState);
    Reply again = expect_ok(world.watch(kBoris, "17", "42"));
    CU_ASSERT_EQUAL(event_of(again.event.result.get()), "waiting");
    CU_ASSERT_EQUAL(again.event.offer, ViewerOffer::None);
    CU_ASSERT_PTR_NOT_NULL(notice(again.effects, kAnna, "watch_request"));

    expect_code(world.request(kAnna, KickRequest{"99"}), ErrorCode::NotFound);
    expect_code(world.request(kBoris, KickRequest{"18"}), ErrorCode::WrongState);  // viewers cannot kick
}

void stop_ends_for_everyone() {
    World world;
    world.hub().handle_created(kPage);
    expect_ok(world.request(kPage, PresenceRequest{"demo", {"42"}}));
    const std::string broadcast_id = world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    const std::string pending = world.ask(kCyril, "18", "42");

    Reply stopped = expect_ok(world.request(kAnna, StopRequest{}, kNow + 60));
    CU_ASSERT_EQUAL(event_of(stopped.event.result.get()), "ended");
    CU_ASSERT_EQUAL(text_of(stopped.event.result.get(), "reason"), "stopped");
    CU_ASSERT_PTR_NULL(notice(stopped.effects, kAnna, "ended"));  // the answer already says it
    const json_t* viewer_end = notice(stopped.effects, kBoris, "ended");
    CU_ASSERT_FATAL(viewer_end != nullptr);
    CU_ASSERT_EQUAL(text_of(viewer_end, "reason"), "stopped");
    const json_t* declined = notice(stopped.effects, kCyril, "declined");
    CU_ASSERT_FATAL(declined != nullptr);
    CU_ASSERT_EQUAL(text_of(declined, "reason"), "ended");
    const json_t* offline = notice(stopped.effects, kPage, "presence");
    CU_ASSERT_FATAL(offline != nullptr);
    CU_ASSERT_FALSE(flag_of(json_object_get(offline, "users"), "42"));
    CU_ASSERT_TRUE(closes(stopped.effects, kBoris));
    CU_ASSERT_TRUE(closes(stopped.effects, kAnna));
    const auto* end = media<RouterEnd>(stopped.effects);
    CU_ASSERT_FATAL(end != nullptr);
    CU_ASSERT_EQUAL(end->broadcast_id, broadcast_id);

    // The store has it ended.
    Result<std::unique_ptr<Store>> store = Store::open(world.store_path());
    CU_ASSERT_FATAL(store.ok());
    Result<std::optional<BroadcastRecord>> record = store.value()->find_broadcast(broadcast_id);
    CU_ASSERT_FATAL(record.ok() && record.value().has_value());
    CU_ASSERT_EQUAL(record.value()->ended_at, kNow + 60);
    CU_ASSERT_EQUAL(record.value()->end_reason, "stopped");
    CU_ASSERT_EQUAL(record.value()->started_at, kNow);

    // Over: no more requests for it, and a new broadcast gets a new id.
    expect_code(world.request(kAnna, StopRequest{}), ErrorCode::WrongState);
    expect_code(world.request(kAnna, PublishRequest{}), ErrorCode::WrongState);
    expect_code(world.request(kAnna, AnswerRequest{pending, true}), ErrorCode::NotFound);
    expect_code(world.watch(kCyril, "18", "42"), ErrorCode::NotLive);
    Reply fresh = expect_ok(world.broadcast(kAnna, "42"));
    CU_ASSERT_NOT_EQUAL(text_of(fresh.event.result.get(), "broadcast_id"), broadcast_id);
    CU_ASSERT_FALSE(flag_of(fresh.event.result.get(), "resumed"));
}

void reload_resumes_and_keeps_viewers() {
    World world;
    world.hub().handle_created(kPage);
    expect_ok(world.request(kPage, PresenceRequest{"demo", {"42"}}));
    const std::string broadcast_id = world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    const std::string pending = world.ask(kCyril, "18", "42");

    // The broadcaster's page reloads: the handle goes away without stop.
    Effects lost = world.hub().handle_destroyed(kAnna, kNow + 10);
    CU_ASSERT_PTR_NOT_NULL(notice(lost, kBoris, "interrupted"));
    CU_ASSERT_PTR_NULL(notice(lost, kCyril, "interrupted"));  // pending viewers have nothing to interrupt
    CU_ASSERT_PTR_NULL(notice(lost, kPage, "presence"));      // still on air for the watch buttons
    CU_ASSERT_EQUAL(count_media<RouterRemoveViewer>(lost), 0U);
    const auto* paused = media<RouterSetPublisher>(lost);
    CU_ASSERT_FATAL(paused != nullptr);
    CU_ASSERT_EQUAL(paused->publisher, 0U);

    world.hub().handle_created(kAnnaReloaded);
    Reply resumed = expect_ok(world.broadcast(kAnnaReloaded, "42", "", kNow + 15));
    CU_ASSERT_TRUE(flag_of(resumed.event.result.get(), "resumed"));
    CU_ASSERT_EQUAL(text_of(resumed.event.result.get(), "broadcast_id"), broadcast_id);
    const json_t* viewers = json_object_get(resumed.event.result.get(), "viewers");
    CU_ASSERT_EQUAL(json_array_size(viewers), 1U);
    CU_ASSERT_EQUAL(text_of(json_array_get(viewers, 0), "user"), "17");
    const json_t* resent = notice(resumed.effects, kAnnaReloaded, "watch_request");
    CU_ASSERT_FATAL(resent != nullptr);
    CU_ASSERT_EQUAL(text_of(resent, "request_id"), pending);
    CU_ASSERT_EQUAL(number_of(resent, "expires_in"), 15);

    expect_ok(world.request(kAnnaReloaded, PublishRequest{}, kNow + 16));
    Effects up = world.hub().media_up(kAnnaReloaded, kNow + 17);
    CU_ASSERT_PTR_NOT_NULL(notice(up, kBoris, "resumed"));
    CU_ASSERT_PTR_NOT_NULL(notice(up, kAnnaReloaded, "live"));
    const auto* publisher = media<RouterSetPublisher>(up);
    CU_ASSERT_FATAL(publisher != nullptr);
    CU_ASSERT_EQUAL(publisher->publisher, kAnnaReloaded);

    // The re-sent prompt can be answered from the new handle.
    expect_ok(world.request(kAnnaReloaded, AnswerRequest{pending, true}, kNow + 18));
    // And the grace timer no longer runs.
    Effects later = world.hub().tick(kNow + 100);
    CU_ASSERT_PTR_NULL(notice(later, kBoris, "ended"));
}

void second_tab_takes_over() {
    World world;
    const std::string broadcast_id = world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Reply taken = expect_ok(world.broadcast(kAnnaReloaded, "42"));
    CU_ASSERT_TRUE(flag_of(taken.event.result.get(), "resumed"));
    const json_t* ended = notice(taken.effects, kAnna, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "taken_over");
    CU_ASSERT_TRUE(closes(taken.effects, kAnna));
    CU_ASSERT_PTR_NOT_NULL(notice(taken.effects, kBoris, "interrupted"));
    CU_ASSERT_FALSE(closes(taken.effects, kBoris));

    // The old handle lost it; its late hang-up changes nothing.
    expect_code(world.request(kAnna, StopRequest{}), ErrorCode::WrongState);
    Effects late = world.hub().media_down(kAnna, kNow + 1);
    CU_ASSERT_EQUAL(late.notices.size(), 0U);
    CU_ASSERT_EQUAL(late.media.size(), 0U);

    expect_ok(world.request(kAnnaReloaded, PublishRequest{}));
    Effects up = world.hub().media_up(kAnnaReloaded, kNow + 2);
    CU_ASSERT_PTR_NOT_NULL(notice(up, kBoris, "resumed"));
}

void rewatch_after_reload_needs_no_prompt() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Effects gone = world.hub().handle_destroyed(kBoris, kNow + 5);
    CU_ASSERT_EQUAL(count_media<RouterRemoveViewer>(gone), 1U);
    CU_ASSERT_PTR_NOT_NULL(notice(gone, kAnna, "viewer_left"));

    world.hub().handle_created(kBorisReloaded);
    Reply accepted = expect_ok(world.watch(kBorisReloaded, "17", "42", "", kNow + 7));
    CU_ASSERT_EQUAL(event_of(accepted.event.result.get()), "accepted");
    CU_ASSERT_TRUE(flag_of(accepted.event.result.get(), "resumed"));
    CU_ASSERT_EQUAL(text_of(accepted.event.result.get(), "request_id").substr(0, 2), "r-");
    CU_ASSERT_EQUAL(accepted.event.offer, ViewerOffer::Fresh);
    CU_ASSERT_PTR_NULL(notice(accepted.effects, kAnna, "watch_request"));

    Reply watching = expect_ok(world.request(kBorisReloaded, StartRequest{}, kNow + 8));
    CU_ASSERT_EQUAL(count_media<RouterAddViewer>(watching.effects), 1U);
    CU_ASSERT_PTR_NOT_NULL(notice(watching.effects, kAnna, "viewer_joined"));
}

void prompt_times_out() {
    World world;
    world.go_live(kAnna, "42");
    const std::string request_id = world.ask(kBoris, "17", "42");
    Effects early = world.hub().tick(kNow + 29);
    CU_ASSERT_EQUAL(early.notices.size(), 0U);
    Effects expired = world.hub().tick(kNow + 30);
    const json_t* declined = notice(expired, kBoris, "declined");
    CU_ASSERT_FATAL(declined != nullptr);
    CU_ASSERT_EQUAL(text_of(declined, "reason"), "timeout");
    const json_t* told = notice(expired, kAnna, "request_expired");
    CU_ASSERT_FATAL(told != nullptr);
    CU_ASSERT_EQUAL(text_of(told, "request_id"), request_id);
    expect_code(world.request(kAnna, AnswerRequest{request_id, true}, kNow + 31), ErrorCode::NotFound);
    // The viewer may ask again.
    world.ask(kBoris, "17", "42", kNow + 31);
}

void refused_camera_drops_the_registration() {
    World world;
    world.hub().handle_created(kAnna);
    Reply registered = expect_ok(world.broadcast(kAnna, "42"));
    const std::string broadcast_id = text_of(registered.event.result.get(), "broadcast_id");
    CU_ASSERT_EQUAL(world.hub().tick(kNow + 29).notices.size(), 0U);
    Effects dropped = world.hub().tick(kNow + 30);
    const json_t* ended = notice(dropped, kAnna, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "publish_timeout");
    expect_code(world.request(kAnna, PublishRequest{}, kNow + 31), ErrorCode::WrongState);
    Reply again = expect_ok(world.broadcast(kAnna, "42", "", kNow + 32));
    CU_ASSERT_NOT_EQUAL(text_of(again.event.result.get(), "broadcast_id"), broadcast_id);
}

void lost_broadcaster_hangs_up_after_grace() {
    World world;
    world.hub().handle_created(kPage);
    expect_ok(world.request(kPage, PresenceRequest{"demo", {"42"}}));
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    Effects down = world.hub().media_down(kAnna, kNow + 100);
    CU_ASSERT_PTR_NOT_NULL(notice(down, kBoris, "interrupted"));
    // While interrupted nobody new can ask in.
    expect_code(world.watch(kCyril, "18", "42", "", kNow + 101), ErrorCode::NotLive);
    CU_ASSERT_EQUAL(world.hub().tick(kNow + 119).notices.size(), 0U);
    Effects over = world.hub().tick(kNow + 120);
    const json_t* ended = notice(over, kBoris, "ended");
    CU_ASSERT_FATAL(ended != nullptr);
    CU_ASSERT_EQUAL(text_of(ended, "reason"), "hangup_timeout");
    CU_ASSERT_PTR_NOT_NULL(notice(over, kAnna, "ended"));
    CU_ASSERT_TRUE(closes(over, kBoris));
    CU_ASSERT_EQUAL(count_media<RouterEnd>(over), 1U);
    const json_t* offline = notice(over, kPage, "presence");
    CU_ASSERT_FATAL(offline != nullptr);
    CU_ASSERT_FALSE(flag_of(json_object_get(offline, "users"), "42"));
}

void same_handle_republishes_after_drop() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.hub().media_down(kAnna, kNow + 1);
    expect_ok(world.request(kAnna, PublishRequest{}, kNow + 2));
    Effects up = world.hub().media_up(kAnna, kNow + 3);
    CU_ASSERT_PTR_NOT_NULL(notice(up, kBoris, "resumed"));
    CU_ASSERT_EQUAL(world.hub().tick(kNow + 60).notices.size(), 0U);
}

void duplicate_and_rapid_requests_are_rate_limited() {
    Settings settings;
    settings.watch_rate = 2;
    World world(settings);
    world.go_live(kAnna, "42");
    world.ask(kBoris, "17", "42");
    // A second pending request of the same viewer for the same target, from any handle.
    expect_code(world.watch(kBoris, "17", "42"), ErrorCode::RateLimited);
    expect_code(world.watch(kCyril, "17", "42"), ErrorCode::RateLimited);
    expect_ok(world.request(kBoris, LeaveRequest{}));
    world.ask(kBoris, "17", "42", kNow + 1);
    expect_ok(world.request(kBoris, LeaveRequest{}, kNow + 2));
    // The third prompt within a minute is refused; a minute after the first it is fine again.
    expect_code(world.watch(kBoris, "17", "42", "", kNow + 3), ErrorCode::RateLimited);
    world.ask(kBoris, "17", "42", kNow + 60);
    // Other viewers have their own budget.
    world.ask(kCyril, "18", "42", kNow + 60);
}

void site_limits() {
    Site small = demo_site();
    small.max_broadcasts = 1;
    small.max_viewers = 2;
    World world({}, {small});
    world.go_live(kAnna, "42");
    expect_code(world.broadcast(kPage, "43"), ErrorCode::LimitExceeded);

    world.join(kBoris, "17", kAnna, "42");
    world.ask(kCyril, "18", "42");  // pending requests count too
    expect_code(world.watch(kPage, "19", "42"), ErrorCode::LimitExceeded);
    expect_ok(world.request(kCyril, LeaveRequest{}));
    world.ask(kPage, "19", "42");
}

void forged_request_ids_are_not_found() {
    World world;
    world.go_live(kAnna, "42");
    world.go_live(kPage, "43");
    const std::string request_id = world.ask(kBoris, "17", "42");
    // Another broadcaster, a viewer, a made-up id: none may answer.
    expect_code(world.request(kPage, AnswerRequest{request_id, true}), ErrorCode::NotFound);
    expect_code(world.request(kBoris, AnswerRequest{request_id, true}), ErrorCode::NotFound);
    expect_code(world.request(kAnna, AnswerRequest{"r-00000000000000000000000000000000", true}),
                ErrorCode::NotFound);
    // The real one still works.
    expect_ok(world.request(kAnna, AnswerRequest{request_id, true}));
}

void wrong_state_refusals() {
    World world;
    world.go_live(kAnna, "42");
    // Watching yourself.
    expect_code(world.watch(kCyril, "42", "42"), ErrorCode::WrongState);
    // A broadcasting handle cannot watch, a watching one cannot broadcast.
    expect_code(world.watch(kAnna, "42", "43"), ErrorCode::WrongState);
    world.go_live(kPage, "43");
    world.ask(kBoris, "17", "42");
    expect_code(world.broadcast(kBoris, "17"), ErrorCode::WrongState);
    // One request at a time per handle.
    expect_code(world.watch(kBoris, "17", "43"), ErrorCode::WrongState);
    // A handle keeps its first identity.
    expect_ok(world.request(kBoris, LeaveRequest{}));
    expect_code(world.watch(kBoris, "18", "43"), ErrorCode::WrongState);
    // Media requests from a handle that has nothing to do with media.
    world.hub().handle_created(kCyril);
    expect_code(world.request(kCyril, PublishRequest{}), ErrorCode::WrongState);
    expect_code(world.request(kCyril, StartRequest{}), ErrorCode::WrongState);
    expect_code(world.request(kCyril, StopRequest{}), ErrorCode::WrongState);
}

void identity_errors() {
    World world;
    Credentials unknown{"nowhere", "42", "", make_token(kSecret, Claims{"42", "nowhere"})};
    expect_code(world.request(kAnna, BroadcastRequest{unknown}), ErrorCode::UnknownSite);
    Credentials forged{"demo", "42", "", make_token("not-the-demo-secret!", Claims{"42"})};
    expect_code(world.request(kAnna, BroadcastRequest{forged}), ErrorCode::Unauthorized);
    Credentials borrowed{"demo", "42", "", make_token(kSecret, Claims{"17"})};
    expect_code(world.request(kAnna, BroadcastRequest{borrowed}), ErrorCode::Unauthorized);
    // A failed request binds no identity to the handle.
    expect_ok(world.broadcast(kAnna, "43"));
    expect_code(world.request(kPage, PresenceRequest{"nowhere", {"42"}}), ErrorCode::UnknownSite);
}

void open_sites_trust_ids() {
    Site open = demo_site();
    open.identity = IdentityMode::Open;
    World world({}, {open});
    Credentials who{"demo", "42", "Anna", ""};
    Reply registered = expect_ok(world.request(kAnna, BroadcastRequest{who}));
    CU_ASSERT_EQUAL(event_of(registered.event.result.get()), "registered");
}

void presence_follows_subscriptions() {
    World world;
    world.hub().handle_created(kPage);
    world.hub().handle_created(kCyril);
    expect_ok(world.request(kPage, PresenceRequest{"demo", {"42"}}));
    expect_ok(world.request(kCyril, PresenceRequest{"demo", {"42"}}));
    // A new subscription replaces the old one.
    expect_ok(world.request(kPage, PresenceRequest{"demo", {"43"}}));
    world.hub().handle_destroyed(kCyril, kNow);
    world.hub().handle_created(kAnna);
    expect_ok(world.broadcast(kAnna, "42"));
    expect_ok(world.request(kAnna, PublishRequest{}));
    Effects up = world.hub().media_up(kAnna, kNow);
    CU_ASSERT_PTR_NULL(notice(up, kPage, "presence"));
    CU_ASSERT_PTR_NULL(notice(up, kCyril, "presence"));
    CU_ASSERT_EQUAL(up.notices.size(), 1U);  // only `live` to the broadcaster
}

void handles_unknown_to_the_hub_are_harmless() {
    World world;
    CU_ASSERT_EQUAL(world.hub().media_up(99, kNow).notices.size(), 0U);
    CU_ASSERT_EQUAL(world.hub().media_down(99, kNow).notices.size(), 0U);
    CU_ASSERT_EQUAL(world.hub().handle_destroyed(99, kNow).notices.size(), 0U);
    CU_ASSERT_EQUAL(world.hub().tick(kNow).notices.size(), 0U);
}

void store_failure_leaves_nothing_half_done() {
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    run_sql(world.store_path(), "DROP TABLE broadcasts");  // another process breaks the store under the hub
    expect_code(world.broadcast(kPage, "43"), ErrorCode::Internal);
    expect_code(world.watch(kCyril, "18", "43"), ErrorCode::NotLive);  // 43 was not registered after all
    expect_code(world.request(kAnna, StopRequest{}), ErrorCode::Internal);
    // The broadcast goes on as before: still live, viewer still in.
    expect_ok(world.request(kAnna, PublishRequest{}));
    Reply kicked = expect_ok(world.request(kAnna, KickRequest{"17"}));
    CU_ASSERT_PTR_NOT_NULL(notice(kicked.effects, kBoris, "ended"));
}

void calls_from_many_threads() {
    // Janus calls in from its handler, media and timer threads at once; the hub's lock keeps
    // the state whole (run under ASan in CI).
    World world;
    world.go_live(kAnna, "42");
    std::vector<std::thread> threads;
    for (HandleId first : {HandleId{100}, HandleId{200}, HandleId{300}}) {
        threads.emplace_back([&world, first] {
            for (HandleId handle = first; handle < first + 40; ++handle) {
                const std::string user = "v" + std::to_string(handle);
                world.hub().handle_created(handle);
                (void)world.watch(handle, user, "42");
                (void)world.request(handle, PresenceRequest{"demo", {"42", user}});
                (void)world.hub().tick(kNow + 1);
                (void)world.hub().handle_destroyed(handle, kNow + 2);
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    JsonPtr body = parse_json(R"({"request":"list_viewers","site":"demo","user":"42"})");
    Effects effects;
    JsonPtr viewers = world.hub().admin(body.get(), kNow + 3, effects);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(viewers.get(), "viewers")), 0U);
}

void registration_lists_granted_viewers() {
    // `granted` is whom the broadcaster's page may keep a direct connection to: consent that
    // stands, also for a viewer whose page is away; a kicked viewer is not in it.
    World world;
    world.go_live(kAnna, "42");
    world.join(kBoris, "17", kAnna, "42");
    world.join(kCyril, "18", kAnna, "42");
    world.hub().handle_destroyed(kBoris, kNow + 5);
    expect_ok(world.request(kAnna, KickRequest{"18"}, kNow + 6));
    world.hub().handle_created(kAnnaReloaded);
    Reply resumed = expect_ok(world.broadcast(kAnnaReloaded, "42", "", kNow + 7));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(resumed.event.result.get(), "viewers")), 0U);
    const json_t* granted = json_object_get(resumed.event.result.get(), "granted");
    CU_ASSERT_FATAL(json_is_array(granted));
    CU_ASSERT_EQUAL(json_array_size(granted), 1U);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(granted, 0)), "17");
}

CU_TestInfo tests[] = {
    {"register, publish, live", register_answers_and_goes_live},
    {"watch, prompt, accept, start", watch_prompt_accept_start},
    {"decline", decline_tells_the_viewer},
    {"leave while pending and while watching", leave_cancels_or_stops_watching},
    {"viewer hang-up and handle loss", viewer_hangup_and_handle_loss},
    {"kick revokes the grant", kick_revokes_the_grant},
    {"registration lists granted viewers", registration_lists_granted_viewers},
    {"stop ends for everyone", stop_ends_for_everyone},
    {"broadcaster reload resumes and keeps viewers", reload_resumes_and_keeps_viewers},
    {"second tab takes over", second_tab_takes_over},
    {"viewer reload re-watches without prompt", rewatch_after_reload_needs_no_prompt},
    {"prompt timeout", prompt_times_out},
    {"publish timeout", refused_camera_drops_the_registration},
    {"hang-up timeout after resume grace", lost_broadcaster_hangs_up_after_grace},
    {"same handle republishes after a drop", same_handle_republishes_after_drop},
    {"rate limits", duplicate_and_rapid_requests_are_rate_limited},
    {"max_broadcasts and max_viewers", site_limits},
    {"forged request ids", forged_request_ids_are_not_found},
    {"wrong-state refusals", wrong_state_refusals},
    {"identity errors", identity_errors},
    {"open sites", open_sites_trust_ids},
    {"presence subscriptions", presence_follows_subscriptions},
    {"unknown handles", handles_unknown_to_the_hub_are_harmless},
    {"store failure leaves nothing half-done", store_failure_leaves_nothing_half_done},
    {"calls from many threads", calls_from_many_threads},
    CU_TEST_INFO_NULL,
};

}  // namespace

CU_ErrorCode register_hub_tests() { return add_suite("hub", tests); }
