// SPDX-License-Identifier: GPL-3.0-or-later
// `publish` at the SDP level: a Chromium-like offer gets a recvonly VP8/Opus answer; offers the
// plugin cannot take get 552. No ICE is needed for this (media flows are in media.test.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { SITES, startJanus } from '../lib/janus.mjs';
import { JanusError, connect } from '../lib/janus_client.mjs';
import { assertError, assertResult } from '../lib/onair_assert.mjs';
import { chromiumOffer, mainCodecs, parseSdp } from '../lib/sdp.mjs';
import { siteToken } from '../lib/jwt.mjs';

let janus;
const sessions = [];
let counter = 0;
const uniqueUser = () => `s${process.pid}-${++counter}`;

async function registeredHandle(site = SITES.open) {
  const { session, handle } = await connect(janus);
  sessions.push(session);
  const user = uniqueUser();
  const body = { request: 'broadcast', site: site.key, user };
  if (site.identity === 'signed') body.token = siteToken({ site: site.key, secret: site.secret, user });
  assertResult(await handle.request(body), 'registered');
  return { handle, user };
}

before(async () => {
  janus = await startJanus();
});

after(async () => {
  await Promise.allSettled(sessions.map((session) => session.destroy()));
  await janus?.close();
});

test('a Chromium-like offer gets a recvonly answer with VP8 and Opus only', async () => {
  const { handle, user } = await registeredHandle();
  const answer = await handle.send({ request: 'publish' }, chromiumOffer());
  assertResult(answer.data, 'publishing');
  assert.equal(answer.jsep?.type, 'answer', `jsep: ${JSON.stringify(answer.jsep)}`);
  const sections = parseSdp(answer.jsep.sdp);
  assert.deepEqual(sections.map((section) => section.kind), ['audio', 'video'], 'one answer m-line per offered m-line, in order');
  const [audio, video] = sections;
  assert.notEqual(video.port, 0, 'video accepted');
  assert.equal(video.direction, 'recvonly');
  assert.deepEqual(mainCodecs(video), ['VP8']);
  assert.ok(Object.entries(video.codecs).some(([pt, name]) => pt === '96' && name === 'VP8'), 'the offered VP8 payload type is kept');
  assert.notEqual(audio.port, 0, 'audio accepted on an audio site');
  assert.equal(audio.direction, 'recvonly');
  assert.deepEqual(mainCodecs(audio), ['OPUS']);
  assert.match(answer.jsep.sdp, /a=fingerprint:sha-256 /);
  assert.match(answer.jsep.sdp, /a=ice-ufrag:/);

  // Not live until the PeerConnection is up: presence still shows offline.
  const { handle: watcher } = await connect(janus).then((pair) => { sessions.push(pair.session); return pair; });
  const presence = assertResult(await watcher.request({ request: 'presence', site: SITES.open.key, users: [user] }), 'presence');
  assert.deepEqual(presence.users, { [user]: false });
  assertError(await watcher.request({ request: 'watch', site: SITES.open.key, target: user, user: uniqueUser() }), 548);
});

test('a site without audio rejects the audio m-line', async () => {
  const { handle } = await registeredHandle(SITES.other);
  const answer = await handle.send({ request: 'publish' }, chromiumOffer());
  assertResult(answer.data, 'publishing');
  const audio = parseSdp(answer.jsep.sdp).find((section) => section.kind === 'audio');
  assert.ok(audio.port === 0 || audio.direction === 'inactive', `audio answered: port ${audio.port}, ${audio.direction}`);
  const video = parseSdp(answer.jsep.sdp).find((section) => section.kind === 'video');
  assert.equal(video.direction, 'recvonly');
});

test('a video-only offer is fine', async () => {
  const { handle } = await registeredHandle();
  const answer = await handle.send({ request: 'publish' }, chromiumOffer({ audio: false }));
  assertResult(answer.data, 'publishing');
  assert.deepEqual(parseSdp(answer.jsep.sdp).map((section) => section.kind), ['video']);
});

test('an offer without video is refused with 552', async () => {
  const { handle } = await registeredHandle();
  const answer = await handle.send({ request: 'publish' }, chromiumOffer({ video: false }));
  assertError(answer.data, 552, /video/i);
  assert.equal(answer.jsep, undefined, 'no SDP answer with an error');
});

test('an offer without VP8 is refused with 552', async () => {
  const { handle } = await registeredHandle();
  assertError((await handle.send({ request: 'publish' }, chromiumOffer({ videoCodecs: ['h264', 'vp9'] }))).data, 552, /VP8|codec/i);
});

test('an offer whose video is not on an RTP profile is refused with 552', async () => {
  // Janus writes an answer's payload types only for RTP profiles: accepting this m-line would give
  // an answer without formats, which neither Janus nor the browser can parse (found by fuzz_sdp).
  const { handle } = await registeredHandle();
  const offer = chromiumOffer();
  offer.sdp = offer.sdp.replace('m=video 9 UDP/TLS/RTP/SAVPF', 'm=video 9 UDP/TLS/SAVPF');
  assert.match(offer.sdp, /m=video 9 UDP\/TLS\/SAVPF /);
  const answer = await handle.send({ request: 'publish' }, offer);
  assertError(answer.data, 552, /video/i);
  assert.equal(answer.jsep, undefined, 'no SDP answer with an error');
});

test('a recvonly offer (not sending video) is refused with 552', async () => {
  const { handle } = await registeredHandle();
  assertError((await handle.send({ request: 'publish' }, chromiumOffer({ direction: 'recvonly' }))).data, 552);
});

test('publish without an offer is refused', async () => {
  const { handle } = await registeredHandle();
  const data = await handle.request({ request: 'publish' });
  assert.ok([543, 552].includes(data.error_code), JSON.stringify(data));
  assert.match(data.error, /jsep|sdp|offer/i);
});

test('publish on a handle that has not registered is refused with 547', async () => {
  const { session, handle } = await connect(janus);
  sessions.push(session);
  assertError((await handle.send({ request: 'publish' }, chromiumOffer())).data, 547);
});

test('a viewer sending an offer before acceptance is refused with 547', async () => {
  const { session, handle } = await connect(janus);
  sessions.push(session);
  assertError((await handle.send({ request: 'start' }, chromiumOffer())).data, 547);
});

test('garbage SDP is stopped by Janus before the plugin (465) and the handle still works', async () => {
  const { handle } = await registeredHandle();
  await assert.rejects(handle.send({ request: 'publish' }, { type: 'offer', sdp: 'not sdp' }), (error) => {
    assert.ok(error instanceof JanusError);
    assert.equal(error.code, 465);
    return true;
  });
  assertResult((await handle.send({ request: 'publish' }, chromiumOffer())).data, 'publishing');
});
