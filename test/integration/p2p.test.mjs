// SPDX-License-Identifier: GPL-3.0-or-later
// Direct (peer-to-peer) viewers against a real Janus: media modes in the configuration and the
// Admin API, TURN REST credentials, signaling relayed between the two browsers with its error
// codes, one viewer per p2p broadcast, and recovery from a Janus crash (kill -9, restart on the
// same ports and store): the broadcast resumes and the accepted viewer comes back without a prompt.
// The browsers' SDP is opaque to the plugin here, so no media is needed.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { startJanus } from '../lib/janus.mjs';
import { JanusError, admin, connect } from '../lib/janus_client.mjs';
import { assertAdminError, assertAdminOk, assertError, assertResult } from '../lib/onair_assert.mjs';
import { chromiumOffer } from '../lib/sdp.mjs';

const TURN = Object.freeze({
  turn_uris: 'turn:turn.example.com:3478?transport=udp, turns:turn.example.com:5349?transport=tcp',
  turn_secret: 'p2p-test-turn-secret',
  turn_ttl: 600,
  stun_uris: 'stun:stun.example.com:3478',
});
const SITES = Object.freeze({
  p2p: { key: 'p2p-site', secret: 'p2p-site-secret-0123456789', identity: 'open', media: 'p2p', audio: true },
  hidden: { key: 'hidden-site', secret: 'hidden-site-secret-0123456789', identity: 'open', media: 'p2p', p2p_relay_only: true },
  auto: { key: 'auto-site', secret: 'auto-site-secret-0123456789', identity: 'open', media: 'auto', simulcast: false },
  sfu: { key: 'sfu-site', secret: 'sfu-site-secret-0123456789', identity: 'open' },
});

let janus;
const sessions = [];
let counter = 0;
const uniqueUser = (prefix) => `${prefix}${process.pid}-${++counter}`;

async function newHandle() {
  const { session, handle } = await connect(janus);
  sessions.push(session);
  return handle;
}

// A broadcaster that is live without media to Janus (publish without jsep).
async function goLiveDirect(site, user = uniqueUser('b')) {
  const handle = await newHandle();
  const registered = assertResult(await handle.request({ request: 'broadcast', site: site.key, user, name: 'Anna' }), 'registered');
  assertResult(await handle.request({ request: 'publish' }), 'publishing');
  await handle.notice('live');
  return { handle, user, registered, site };
}

// A viewer asks and is accepted: the viewer's `accepted` and the broadcaster's `peer`.
async function acceptedViewer(broadcaster, user = uniqueUser('v')) {
  const handle = await newHandle();
  const waiting = assertResult(await handle.request({ request: 'watch', site: broadcaster.site.key, user, name: 'Boris', target: broadcaster.user }), 'waiting');
  await broadcaster.handle.notice('watch_request');
  assertResult(await broadcaster.handle.request({ request: 'answer', request_id: waiting.request_id, accept: true }), 'answered');
  const accepted = await handle.notice('accepted');
  const peer = (await broadcaster.handle.notice('peer')).data.result;
  return { handle, user, accepted, peer, requestId: waiting.request_id };
}

function expectedCredential(username) {
  return createHmac('sha1', TURN.turn_secret).update(username).digest('base64');
}

before(async () => {
  janus = await startJanus({ sites: Object.values(SITES), general: { ...TURN, restart_grace: 60 } });
});

after(async () => {
  await Promise.allSettled(sessions.map((session) => session.destroy()));
  await janus?.close();
});

describe('media modes and ICE servers', () => {
  test('registered tells the mode, relay, simulcast and TURN REST credentials', async () => {
    const user = uniqueUser('b');
    const handle = await newHandle();
    const before = Math.floor(Date.now() / 1000);
    const registered = assertResult(await handle.request({ request: 'broadcast', site: SITES.p2p.key, user }), 'registered');
    assert.equal(registered.media, 'p2p');
    assert.equal(registered.relay, false);
    assert.equal(registered.simulcast, true);
    assert.equal(registered.ice_policy, 'all');
    assert.equal(registered.ice_servers.length, 2);
    const [turn, stun] = registered.ice_servers;
    assert.deepEqual(turn.urls, ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349?transport=tcp']);
    const [expiry, site, who] = turn.username.split(':');
    assert.equal(site, SITES.p2p.key);
    assert.equal(who, user);
    assert.ok(Number(expiry) >= before + TURN.turn_ttl && Number(expiry) <= before + TURN.turn_ttl + 5, turn.username);
    assert.equal(turn.credential, expectedCredential(turn.username));
    assert.deepEqual(stun, { urls: ['stun:stun.example.com:3478'] });

    const auto = assertResult(await (await newHandle()).request({ request: 'broadcast', site: SITES.auto.key, user: uniqueUser('b') }), 'registered');
    assert.equal(auto.media, 'auto');
    assert.equal(auto.relay, false);
    assert.equal(auto.simulcast, false);
    const sfu = assertResult(await (await newHandle()).request({ request: 'broadcast', site: SITES.sfu.key, user: uniqueUser('b') }), 'registered');
    assert.equal(sfu.media, 'sfu');
    assert.equal(sfu.relay, true);
    const hidden = assertResult(await (await newHandle()).request({ request: 'broadcast', site: SITES.hidden.key, user: uniqueUser('b') }), 'registered');
    assert.equal(hidden.ice_policy, 'relay');
  });

  test('the Admin API lists and sets media, simulcast and p2p_relay_only', async () => {
    const listed = assertAdminOk(await admin(janus, { request: 'list_sites' }));
    const hidden = listed.sites.find((site) => site.key === SITES.hidden.key);
    assert.equal(hidden.media, 'p2p');
    assert.equal(hidden.p2p_relay_only, true);
    assert.equal(hidden.simulcast, true);
    const added = assertAdminOk(await admin(janus, { request: 'add_site', key: 'added-auto', secret: 'added-auto-secret-0123456789', media: 'auto', simulcast: false }));
    assert.equal(added.site.media, 'auto');
    assert.equal(added.site.simulcast, false);
    assertAdminError(await admin(janus, { request: 'add_site', key: 'added-bad', secret: 'added-bad-secret-0123456789', media: 'mesh' }), 544, /media/);
  });

  test('a p2p broadcast refuses a relay offer, an sfu one a jsep-less publish', async () => {
    const handle = await newHandle();
    assertResult(await handle.request({ request: 'broadcast', site: SITES.p2p.key, user: uniqueUser('b') }), 'registered');
    assertError(await handle.request({ request: 'publish' }, chromiumOffer()), 547, /peer-to-peer/);
    const sfu = await newHandle();
    assertResult(await sfu.request({ request: 'broadcast', site: SITES.sfu.key, user: uniqueUser('b') }), 'registered');
    assertError(await sfu.request({ request: 'publish' }), 543, /jsep/);
  });
});

describe('direct viewers', () => {
  test('pairing, signaling both ways, a jsep-less start, room for one, bye on leave', async () => {
    const broadcaster = await goLiveDirect(SITES.p2p);
    const viewer = await acceptedViewer(broadcaster);
    const accepted = viewer.accepted.data.result;
    assert.equal(viewer.accepted.jsep, undefined, 'a direct viewer gets no jsep');
    assert.equal(accepted.media, 'p2p');
    assert.match(accepted.peer, /^p-[0-9a-f]{32}$/);
    assert.equal(viewer.peer.peer, accepted.peer);
    assert.equal(viewer.peer.viewer.user, viewer.user);
    assert.equal(accepted.ice_servers[0].username.split(':')[2], viewer.user);
    assert.equal(viewer.peer.ice_servers[0].username.split(':')[2], broadcaster.user);
    const peer = accepted.peer;

    // The broadcaster offers, the viewer answers, candidates go both ways, unchanged.
    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n' };
    assert.deepEqual(assertResult(await broadcaster.handle.request({ request: 'signal', peer, sdp: offer }), 'signalled'), { event: 'signalled', peer });
    assert.deepEqual((await viewer.handle.notice('signal')).data.result, { event: 'signal', peer, sdp: offer });
    const answer = { type: 'answer', sdp: 'v=0\r\no=- 2 1 IN IP4 0.0.0.0\r\n' };
    assertResult(await viewer.handle.request({ request: 'signal', peer, sdp: answer }), 'signalled');
    assert.deepEqual((await broadcaster.handle.notice('signal')).data.result.sdp, answer);
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 10.99.0.2 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    assertResult(await viewer.handle.request({ request: 'signal', peer, candidate }), 'signalled');
    assert.deepEqual((await broadcaster.handle.notice('signal')).data.result.candidate, candidate);
    assertResult(await broadcaster.handle.request({ request: 'signal', peer, candidate: null }), 'signalled');
    assert.equal((await viewer.handle.notice('signal')).data.result.candidate, null);
    assertResult(await viewer.handle.request({ request: 'signal', peer, restart: true }), 'signalled');
    assert.equal((await broadcaster.handle.notice('signal')).data.result.restart, true);

    // Wrong directions, strangers, malformed bodies.
    assertError(await viewer.handle.request({ request: 'signal', peer, sdp: offer }), 547, /broadcaster/);
    assertError(await broadcaster.handle.request({ request: 'signal', peer, sdp: answer }), 547, /viewer/);
    const stranger = await newHandle();
    assertError(await stranger.request({ request: 'signal', peer, bye: true }), 549);
    assertError(await viewer.handle.request({ request: 'signal', peer }), 543);
    assertError(await viewer.handle.request({ request: 'signal', peer, bye: true, restart: true }), 544);
    assertError(await viewer.handle.request({ request: 'signal', peer, candidate: { candidate: 'c'.repeat(1025) } }), 553);

    // start: with jsep refused (Janus itself refuses an answer nobody offered), without it watching;
    // the broadcaster sees the viewer join.
    await assert.rejects(viewer.handle.request({ request: 'start' }, { type: 'answer', sdp: 'v=0\r\n' }), JanusError);
    const watching = assertResult(await viewer.handle.request({ request: 'start' }), 'watching');
    assert.equal(watching.media, 'p2p');
    assert.equal((await broadcaster.handle.notice('viewer_joined')).data.result.viewer.user, viewer.user);
    assertResult(await viewer.handle.request({ request: 'heartbeat' }), 'heartbeat');

    // One viewer only.
    const second = await newHandle();
    assertError(await second.request({ request: 'watch', site: SITES.p2p.key, user: uniqueUser('v'), target: broadcaster.user }), 550, /one viewer/);

    // Leaving tells the broadcaster to close its side.
    assertResult(await viewer.handle.request({ request: 'leave' }), 'left');
    assert.deepEqual((await broadcaster.handle.notice('signal')).data.result, { event: 'signal', peer, bye: true });
    await broadcaster.handle.notice('viewer_left');
  });

  test('a stop says bye to the direct viewer', async () => {
    const broadcaster = await goLiveDirect(SITES.p2p);
    const viewer = await acceptedViewer(broadcaster);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
    assert.equal((await viewer.handle.notice('signal')).data.result.bye, true);
    assert.equal((await viewer.handle.notice('ended')).data.result.reason, 'stopped');
  });

  test('a relay-only site pairs with ice_policy relay', async () => {
    const broadcaster = await goLiveDirect(SITES.hidden);
    const viewer = await acceptedViewer(broadcaster);
    assert.equal(viewer.accepted.data.result.ice_policy, 'relay');
    assert.equal(viewer.peer.ice_policy, 'relay');
  });

  test('auto: the first viewer is direct, the second one brings relay_needed and a relay offer', async () => {
    const broadcaster = await goLiveDirect(SITES.auto);
    assertError(await broadcaster.handle.request({ request: 'publish' }, chromiumOffer()), 547, /relay_needed/);
    const first = await acceptedViewer(broadcaster);
    assert.equal(first.accepted.data.result.media, 'p2p');
    const handle = await newHandle();
    const waiting = assertResult(await handle.request({ request: 'watch', site: SITES.auto.key, user: uniqueUser('v'), target: broadcaster.user }), 'waiting');
    await broadcaster.handle.notice('watch_request');
    assertResult(await broadcaster.handle.request({ request: 'answer', request_id: waiting.request_id, accept: true }), 'answered');
    await broadcaster.handle.notice('relay_needed');
    const accepted = await handle.notice('accepted');
    assert.equal(accepted.data.result.media, 'sfu');
    assert.equal(accepted.jsep?.type, 'offer');
  });
});

describe('recovery from a Janus crash', () => {
  test('kill -9 and restart: the broadcast resumes and the granted viewer returns without a prompt', async () => {
    const broadcaster = await goLiveDirect(SITES.p2p);
    const viewer = await acceptedViewer(broadcaster);
    assertResult(await viewer.handle.request({ request: 'start' }), 'watching');
    const broadcastId = broadcaster.registered.broadcast_id;

    await janus.crashAndRestart();

    const listed = assertAdminOk(await admin(janus, { request: 'list_broadcasts', site: SITES.p2p.key }));
    const restored = listed.broadcasts.find((broadcast) => broadcast.broadcast_id === broadcastId);
    assert.equal(restored?.state, 'interrupted', JSON.stringify(listed));

    // The viewer's page reconnects first: held, no prompt. A stranger is told to wait.
    const viewerAgain = await newHandle();
    const held = assertResult(await viewerAgain.request({ request: 'watch', site: SITES.p2p.key, user: viewer.user, target: broadcaster.user }), 'waiting');
    assert.equal(held.resumed, true);
    assert.ok(held.expires_in > 0);
    const stranger = await newHandle();
    assertError(await stranger.request({ request: 'watch', site: SITES.p2p.key, user: uniqueUser('v'), target: broadcaster.user }), 548);

    // The broadcaster's page reconnects: same broadcast, resumed.
    const broadcasterAgain = await newHandle();
    const registered = assertResult(await broadcasterAgain.request({ request: 'broadcast', site: SITES.p2p.key, user: broadcaster.user }), 'registered');
    assert.equal(registered.resumed, true);
    assert.equal(registered.broadcast_id, broadcastId);
    assertResult(await broadcasterAgain.request({ request: 'publish' }), 'publishing');
    await broadcasterAgain.notice('live');
    const accepted = (await viewerAgain.notice('accepted')).data.result;
    assert.equal(accepted.resumed, true);
    assert.equal(accepted.request_id, held.request_id);
    const peer = (await broadcasterAgain.notice('peer')).data.result;
    assert.equal(peer.peer, accepted.peer);
    assert.equal(peer.viewer.user, viewer.user);
    const prompts = (await broadcasterAgain.quietFor(300)).filter((data) => data?.result?.event === 'watch_request');
    assert.equal(prompts.length, 0, 'no new consent prompt');
  });
});
