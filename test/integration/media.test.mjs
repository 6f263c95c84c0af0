// SPDX-License-Identifier: GPL-3.0-or-later
// Flows that need a live broadcaster, with real WebRTC peers (aiortc) over ICE inside the test
// network namespace: consent, relay, kick, stop, several viewers, timeouts, a broadcaster that
// reconnects without losing its viewers, and the Admin API on live broadcasts.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { AiortcPeer, mediaAvailable } from '../lib/aiortc_peer.mjs';
import { SITES, startJanus } from '../lib/janus.mjs';
import { admin, connect, JanusError } from '../lib/janus_client.mjs';
import { siteToken } from '../lib/jwt.mjs';
import { assertAdminOk, assertError, assertResult } from '../lib/onair_assert.mjs';
import { mainCodecs, parseSdp } from '../lib/sdp.mjs';

const skip = mediaAvailable() ?? false; // a reason to skip, or false
let janus;
const sessions = new Set();
const peers = new Set();
let counter = 0;
const uniqueUser = (prefix) => `${prefix}${process.pid}-${++counter}`;
const MEDIA_TIMEOUT = 20000;

async function person() {
  const { session, handle } = await connect(janus);
  sessions.add(session);
  return { session, handle };
}
function newPeer(label) {
  const peer = new AiortcPeer(label);
  peers.add(peer);
  return peer;
}
async function closePeer(peer) {
  peers.delete(peer);
  await peer.close();
}

function credentials(site, user, name) {
  const fields = { site: site.key, user };
  if (name) fields.name = name;
  if (site.identity === 'signed') fields.token = siteToken({ site: site.key, secret: site.secret, user, name });
  return fields;
}

// Registers `user` and publishes a real camera; resolves once the plugin says `live`.
async function goLive({ site = SITES.open, user = uniqueUser('b'), name = 'Broadcaster', audio = true } = {}) {
  const { session, handle } = await person();
  const registered = assertResult(await handle.request({ request: 'broadcast', ...credentials(site, user, name) }), 'registered');
  const peer = newPeer(`broadcaster ${user}`);
  const answer = await handle.send({ request: 'publish' }, await peer.offer({ audio }));
  assertResult(answer.data, 'publishing');
  await peer.applyAnswer(answer.jsep);
  await handle.notice('live', MEDIA_TIMEOUT);
  return { site, user, name, session, handle, peer, registered };
}

// A viewer asks to watch; resolves with the viewer and the broadcaster's prompt.
async function askToWatch(broadcaster, { user = uniqueUser('v'), name = 'Viewer' } = {}) {
  const { session, handle } = await person();
  const waiting = await handle.send({ request: 'watch', target: broadcaster.user, ...credentials(broadcaster.site, user, name) });
  const result = assertResult(waiting.data, 'waiting');
  assert.equal(waiting.jsep, undefined, 'nothing media-related before acceptance');
  assert.match(result.request_id, /^r-/);
  assert.equal(result.expires_in, 2);
  const prompt = (await broadcaster.handle.notice('watch_request')).data.result;
  assert.equal(prompt.request_id, result.request_id);
  // Only a signed token's name claim is a verified name; the open site's names are self-declared.
  assert.deepEqual(prompt.viewer, { user, name, name_verified: broadcaster.site.identity === 'signed' });
  return { user, name, session, handle, requestId: result.request_id, site: broadcaster.site };
}

// The viewer answers the subscriber offer with a real PeerConnection and starts watching.
async function startWatching(viewer, accepted) {
  assert.equal(accepted.jsep?.type, 'offer', 'accepted comes with the subscriber offer');
  const offered = parseSdp(accepted.jsep.sdp);
  const video = offered.find((section) => section.kind === 'video');
  assert.equal(video.direction, 'sendonly');
  assert.deepEqual(mainCodecs(video), ['VP8']);
  for (const audio of offered.filter((section) => section.kind === 'audio' && section.port !== 0)) {
    assert.deepEqual(mainCodecs(audio), ['OPUS']);
  }
  viewer.peer = newPeer(`viewer ${viewer.user}`);
  const answer = await viewer.peer.accept(accepted.jsep);
  assertResult(await viewer.handle.request({ request: 'start' }, answer), 'watching');
  viewer.answer = answer;
  return viewer;
}

// The whole consent flow: watch, accept, start, first frames.
async function watch(broadcaster, options) {
  const viewer = await askToWatch(broadcaster, options);
  const answered = assertResult(await broadcaster.handle.request({ request: 'answer', request_id: viewer.requestId, accept: true }), 'answered');
  assert.deepEqual(answered, { event: 'answered', request_id: viewer.requestId, accepted: true });
  const accepted = await viewer.handle.notice('accepted');
  assert.equal(accepted.data.result.request_id, viewer.requestId);
  await startWatching(viewer, accepted);
  await viewer.peer.waitFrames(5, { timeoutMs: MEDIA_TIMEOUT });
  const listed = assertAdminOk(await admin(janus, { request: 'list_viewers', site: broadcaster.site.key, user: broadcaster.user })).viewers;
  const entry = listed.find((shown) => shown.user === viewer.user);
  assert.equal(entry?.name_verified, broadcaster.site.identity === 'signed', 'list_viewers says whether the name is verified');
  return viewer;
}

before(async () => {
  if (skip) return;
  janus = await startJanus();
});

// Every test's peers encode or decode video: close them as soon as the test is over, so the next
// test's ICE and DTLS do not compete for the CPU (timeouts here are seconds).
async function closeEverything() {
  const open = [...peers];
  peers.clear();
  await Promise.allSettled(open.map((peer) => peer.close()));
  const live = [...sessions];
  sessions.clear();
  await Promise.allSettled(live.map((session) => session.destroy()));
}

afterEach(closeEverything);

after(async () => {
  await closeEverything();
  await janus?.close();
});

describe('live broadcasts with real media', { skip }, () => {
  test('publish goes live, presence follows, and an accepted viewer gets frames', async () => {
    const user = uniqueUser('b');
    const { handle: subscriber } = await person();
    assert.deepEqual(assertResult(await subscriber.request({ request: 'presence', site: SITES.open.key, users: [user] }), 'presence').users, { [user]: false });

    const broadcaster = await goLive({ user });
    const presence = await subscriber.notice('presence', MEDIA_TIMEOUT);
    assert.deepEqual(presence.data.result.users, { [user]: true });
    const fresh = await person();
    assert.deepEqual(assertResult(await fresh.handle.request({ request: 'presence', site: SITES.open.key, users: [user] }), 'presence').users, { [user]: true });

    const viewer = await watch(broadcaster, { name: 'Boris' });
    const joined = (await broadcaster.handle.notice('viewer_joined')).data.result;
    assert.deepEqual(joined.viewer, { user: viewer.user, name: 'Boris', name_verified: false });
    assert.equal(joined.viewers, 1);
    const stats = await viewer.peer.stats();
    assert.equal(stats.width, 160);
    assert.equal(stats.height, 120);

    const listed = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site: SITES.open.key })).broadcasts.find((b) => b.user === user);
    assert.equal(listed.state, 'live');
    assert.equal(listed.viewers, 1);
    const viewers = assertAdminOk(await admin(janus, { request: 'list_viewers', site: SITES.open.key, user })).viewers;
    assert.equal(viewers.length, 1);
    assert.equal(viewers[0].user, viewer.user);
    assert.equal(viewers[0].name, 'Boris');
    assert.equal(typeof viewers[0].state, 'string');
    assert.equal(typeof viewers[0].since, 'number');

    // stop: the viewer is told, presence goes offline, the store says ended.
    assert.deepEqual(assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended'), { event: 'ended', reason: 'stopped' });
    assert.equal((await viewer.handle.notice('ended')).data.result.reason, 'stopped');
    assert.deepEqual((await subscriber.notice('presence')).data.result.users, { [user]: false });
    const afterStop = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site: SITES.open.key })).broadcasts.find((b) => b.broadcast_id === broadcaster.registered.broadcast_id);
    assert.ok(!afterStop || afterStop.state === 'ended');
  });

  test('a signed-site broadcast works end to end', async () => {
    const broadcaster = await goLive({ site: SITES.signed });
    const viewer = await watch(broadcaster);
    assert.ok((await viewer.peer.stats()).video_frames >= 5);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('a declined viewer gets declined/denied and no media', async () => {
    const broadcaster = await goLive();
    const viewer = await askToWatch(broadcaster);
    const answered = assertResult(await broadcaster.handle.request({ request: 'answer', request_id: viewer.requestId, accept: false }), 'answered');
    assert.equal(answered.accepted, false);
    const declined = await viewer.handle.notice('declined');
    assert.deepEqual(declined.data.result, { event: 'declined', request_id: viewer.requestId, reason: 'denied' });
    assert.equal(declined.jsep, undefined);
    // The same prompt cannot be answered twice.
    assertError(await broadcaster.handle.request({ request: 'answer', request_id: viewer.requestId, accept: true }), 549);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('an unanswered prompt expires: viewer declined/timeout, broadcaster request_expired', async () => {
    const broadcaster = await goLive();
    const viewer = await askToWatch(broadcaster);
    const declined = await viewer.handle.notice('declined', 6000);
    assert.equal(declined.data.result.reason, 'timeout');
    assert.equal((await broadcaster.handle.notice('request_expired')).data.result.request_id, viewer.requestId);
    assertError(await broadcaster.handle.request({ request: 'answer', request_id: viewer.requestId, accept: true }), 549);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('one pending request per viewer and target (551), self-watch (547)', async () => {
    const broadcaster = await goLive();
    const viewer = await askToWatch(broadcaster);
    const again = await viewer.handle.request({ request: 'watch', target: broadcaster.user, ...credentials(broadcaster.site, viewer.user, viewer.name) });
    assertError(again, 551, /pending|already|rate/i);
    const self = await person();
    assertError(await self.handle.request({ request: 'watch', target: broadcaster.user, ...credentials(broadcaster.site, broadcaster.user) }), 547, /own|self/i);
    assertResult(await viewer.handle.request({ request: 'leave' }), 'left');
    assert.equal((await broadcaster.handle.notice('request_cancelled')).data.result.request_id, viewer.requestId);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('repeated watch requests are rate limited with 551 (watch_rate=6 per minute)', async () => {
    const broadcaster = await goLive();
    const { handle } = await person();
    const user = uniqueUser('v');
    const codes = [];
    for (let i = 0; i < 7; i += 1) {
      const data = await handle.request({ request: 'watch', target: broadcaster.user, ...credentials(broadcaster.site, user) });
      if (data.result) {
        assertResult(data, 'waiting');
        await broadcaster.handle.notice('watch_request');
        assertResult(await handle.request({ request: 'leave' }), 'left');
        await broadcaster.handle.notice('request_cancelled');
        codes.push('waiting');
      } else {
        assertError(data, 551, /rate|per minute/i);
        codes.push(551);
      }
    }
    assert.deepEqual(codes, ['waiting', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting', 551]);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('a viewer vanishing mid-negotiation cancels the prompt', async () => {
    const broadcaster = await goLive();
    const viewer = await askToWatch(broadcaster);
    await viewer.session.destroy();
    sessions.delete(viewer.session);
    assert.equal((await broadcaster.handle.notice('request_cancelled')).data.result.request_id, viewer.requestId);
    assertError(await broadcaster.handle.request({ request: 'answer', request_id: viewer.requestId, accept: true }), 549);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test("answering another broadcaster's prompt is refused with 549", async () => {
    const first = await goLive();
    const second = await goLive();
    const viewer = await askToWatch(first);
    assertError(await second.handle.request({ request: 'answer', request_id: viewer.requestId, accept: true }), 549);
    assert.deepEqual(await viewer.handle.quietFor(300), [], 'the viewer heard nothing');
    assertResult(await first.handle.request({ request: 'answer', request_id: viewer.requestId, accept: false }), 'answered');
    assertResult(await first.handle.request({ request: 'stop' }), 'ended');
    assertResult(await second.handle.request({ request: 'stop' }), 'ended');
  });

  test('kick removes a viewer, who must ask again', async () => {
    const broadcaster = await goLive();
    const viewer = await watch(broadcaster);
    await broadcaster.handle.notice('viewer_joined');
    assert.deepEqual(assertResult(await broadcaster.handle.request({ request: 'kick', viewer: viewer.user }), 'kicked'), { event: 'kicked', viewer: viewer.user });
    assert.equal((await viewer.handle.notice('ended')).data.result.reason, 'removed');
    const left = (await broadcaster.handle.notice('viewer_left')).data.result;
    assert.equal(left.viewer.user, viewer.user);
    assert.equal(left.viewers, 0);
    // A removed viewer cannot start again on its own: `start` is refused, with or without its old
    // answer (which Janus itself may already refuse, since the plugin closed that PeerConnection).
    assertError(await viewer.handle.request({ request: 'start' }), 547);
    const resent = await viewer.handle.request({ request: 'start' }, viewer.answer).catch((error) => error);
    if (resent instanceof JanusError) assert.equal(resent.code, 469, 'Janus refuses an answer with no offer pending');
    else assertError(resent, 547);
    // Asking again prompts the broadcaster again (no silent re-accept after a kick).
    const again = await viewer.handle.request({ request: 'watch', target: broadcaster.user, ...credentials(broadcaster.site, viewer.user, viewer.name) });
    assertResult(again, 'waiting');
    await broadcaster.handle.notice('watch_request');
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('several viewers watch at once, and one leaving does not disturb the other', async () => {
    const broadcaster = await goLive();
    const first = await watch(broadcaster);
    const second = await watch(broadcaster);
    const counts = [(await broadcaster.handle.notice('viewer_joined')).data.result.viewers, (await broadcaster.handle.notice('viewer_joined')).data.result.viewers];
    assert.deepEqual(counts, [1, 2]);
    assertResult(await first.handle.request({ request: 'leave' }), 'left');
    const left = (await broadcaster.handle.notice('viewer_left')).data.result;
    assert.equal(left.viewer.user, first.user);
    assert.equal(left.viewers, 1);
    const before = (await second.peer.stats()).video_frames;
    await second.peer.waitFrames(10, { from: before, timeoutMs: MEDIA_TIMEOUT });
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
    assert.equal((await second.handle.notice('ended')).data.result.reason, 'stopped');
  });

  test('max_viewers=1: a second viewer is refused with 550', async () => {
    const broadcaster = await goLive({ site: SITES.tiny });
    await watch(broadcaster);
    const { handle } = await person();
    const refused = await handle.request({ request: 'watch', target: broadcaster.user, ...credentials(SITES.tiny, uniqueUser('v')) });
    assertError(refused, 550, /max_viewers|full|limit/i);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('a reloading viewer is re-accepted at once', async () => {
    const broadcaster = await goLive();
    const viewer = await watch(broadcaster);
    await viewer.session.destroy();
    sessions.delete(viewer.session);
    await closePeer(viewer.peer);
    const reloaded = await person();
    const answer = await reloaded.handle.send({ request: 'watch', target: broadcaster.user, ...credentials(broadcaster.site, viewer.user, viewer.name) });
    const accepted = assertResult(answer.data, 'accepted');
    assert.equal(accepted.resumed, true);
    assert.equal(answer.jsep?.type, 'offer');
    const again = await startWatching({ ...viewer, ...reloaded }, answer);
    await again.peer.waitFrames(5, { timeoutMs: MEDIA_TIMEOUT });
    const prompts = broadcaster.handle.drainNotices().filter((data) => data.result?.event === 'watch_request');
    assert.deepEqual(prompts, [], 'no new prompt for a viewer who was already accepted');
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('a broadcaster who reconnects keeps its viewers, whose video continues', async () => {
    const broadcaster = await goLive();
    const viewer = await watch(broadcaster);
    // The broadcaster's page reloads: its session and PeerConnection vanish without `stop`.
    await broadcaster.session.destroy();
    sessions.delete(broadcaster.session);
    await closePeer(broadcaster.peer);
    await viewer.handle.notice('interrupted');

    const { handle } = await person();
    const resumed = assertResult(await handle.request({ request: 'broadcast', ...credentials(broadcaster.site, broadcaster.user, broadcaster.name) }), 'registered');
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.broadcast_id, broadcaster.registered.broadcast_id);
    assert.deepEqual(resumed.viewers, [{ user: viewer.user, name: viewer.name, name_verified: false }]);
    assert.deepEqual(resumed.granted, [viewer.user]);
    const peer = newPeer('broadcaster again');
    const answer = await handle.send({ request: 'publish' }, await peer.offer());
    assertResult(answer.data, 'publishing');
    await peer.applyAnswer(answer.jsep);
    await handle.notice('live', MEDIA_TIMEOUT);
    await viewer.handle.notice('resumed', MEDIA_TIMEOUT);
    const before = (await viewer.peer.stats()).video_frames;
    await viewer.peer.waitFrames(10, { from: before, timeoutMs: MEDIA_TIMEOUT });
    assertResult(await handle.request({ request: 'stop' }), 'ended');
  });

  test('a broadcaster who does not come back ends with hangup_timeout', async () => {
    const broadcaster = await goLive();
    const viewer = await watch(broadcaster);
    await broadcaster.session.destroy();
    sessions.delete(broadcaster.session);
    await closePeer(broadcaster.peer);
    await viewer.handle.notice('interrupted');
    const ended = await viewer.handle.notice('ended', 8000);
    assert.equal(ended.data.result.reason, 'hangup_timeout');
  });

  test('the Admin API removes a live viewer and stops a live broadcast', async () => {
    const broadcaster = await goLive();
    const removed = await watch(broadcaster);
    const kept = await watch(broadcaster);
    const site = broadcaster.site.key;
    assertAdminOk(await admin(janus, { request: 'remove_viewer', site, user: broadcaster.user, viewer: removed.user }));
    assert.equal((await removed.handle.notice('ended')).data.result.reason, 'admin');
    const viewers = assertAdminOk(await admin(janus, { request: 'list_viewers', site, user: broadcaster.user })).viewers;
    assert.deepEqual(viewers.map((viewer) => viewer.user), [kept.user]);
    assertAdminOk(await admin(janus, { request: 'stop_broadcast', site, user: broadcaster.user }));
    assert.equal((await broadcaster.handle.notice('ended')).data.result.reason, 'admin');
    assert.equal((await kept.handle.notice('ended')).data.result.reason, 'admin');
  });

  test('a renegotiating broadcaster (new publish while live) keeps its viewers', async () => {
    const broadcaster = await goLive();
    const viewer = await watch(broadcaster);
    await closePeer(broadcaster.peer);
    await broadcaster.handle.janusEvent('hangup', MEDIA_TIMEOUT);
    const peer = newPeer('renegotiated');
    const answer = await broadcaster.handle.send({ request: 'publish' }, await peer.offer());
    assertResult(answer.data, 'publishing');
    await peer.applyAnswer(answer.jsep);
    await sleep(500);
    const before = (await viewer.peer.stats()).video_frames;
    await viewer.peer.waitFrames(10, { from: before, timeoutMs: MEDIA_TIMEOUT });
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });
});
