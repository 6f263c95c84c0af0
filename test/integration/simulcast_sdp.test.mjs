// SPDX-License-Identifier: GPL-3.0-or-later
// A simulcast `publish` at the SDP level: Chromium's rid-based offer (janus.js `simulcast: true`)
// and an SSRC-based one (`a=ssrc-group:SIM`) both get a recvonly VP8 answer, and the rid-based one
// keeps its three layers (the core only answers `a=simulcast:recv` when the plugin accepts the rid
// header extensions). Media with real layers is in test/e2e/simulcast.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { SITES, startJanus } from '../lib/janus.mjs';
import { connect } from '../lib/janus_client.mjs';
import { assertResult } from '../lib/onair_assert.mjs';
import { chromiumOffer, mainCodecs, parseSdp } from '../lib/sdp.mjs';

const RID_EXTENSION = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
const REPAIRED_RID_EXTENSION = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';

let janus;
const sessions = [];
let counter = 0;

async function publish(offer) {
  const { session, handle } = await connect(janus);
  sessions.push(session);
  assertResult(await handle.request({ request: 'broadcast', site: SITES.open.key, user: `sim${process.pid}-${++counter}` }), 'registered');
  const answer = await handle.send({ request: 'publish' }, offer);
  assertResult(answer.data, 'publishing');
  assert.equal(answer.jsep?.type, 'answer', `jsep: ${JSON.stringify(answer.jsep)}`);
  const video = parseSdp(answer.jsep.sdp).find((section) => section.kind === 'video');
  assert.ok(video, 'a video m-line in the answer');
  assert.notEqual(video.port, 0, 'video accepted');
  assert.equal(video.direction, 'recvonly');
  assert.deepEqual(mainCodecs(video), ['VP8']);
  return video;
}

before(async () => {
  janus = await startJanus({ sites: [SITES.open] });
});

after(async () => {
  await Promise.allSettled(sessions.map((session) => session.destroy()));
  await janus?.close();
});

test('a rid-based simulcast offer keeps its three layers in the answer', async () => {
  const video = await publish(chromiumOffer({ simulcast: 'rid' }));
  const lines = video.lines.join('\n');
  for (const rid of ['h', 'm', 'l']) assert.match(lines, new RegExp(`^a=rid:${rid} recv$`, 'm'), `rid ${rid} received`);
  assert.match(lines, /^a=simulcast:recv h;m;l$/m);
  assert.ok(video.lines.some((line) => line.startsWith('a=extmap:') && line.endsWith(RID_EXTENSION)), 'the rid extension accepted');
  assert.ok(video.lines.some((line) => line.startsWith('a=extmap:') && line.endsWith(REPAIRED_RID_EXTENSION)), 'the repaired-rid extension accepted');
});

test('an SSRC-based simulcast offer is answered like a single stream', async () => {
  const video = await publish(chromiumOffer({ simulcast: 'ssrc' }));
  assert.ok(!video.lines.some((line) => line.startsWith('a=simulcast')), 'no rid-based simulcast answered');
});

test('an offer without simulcast answers no simulcast', async () => {
  const video = await publish(chromiumOffer());
  assert.ok(!video.lines.some((line) => line.startsWith('a=simulcast') || line.startsWith('a=rid')), video.lines.join('\n'));
});
