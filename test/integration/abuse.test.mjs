// SPDX-License-Identifier: GPL-3.0-or-later
// Abuse limits (issue 12) against a real Janus with real WebRTC peers (aiortc) and a real billing
// receiver: a granted viewer's watch/leave loop hits the watch rate limit and leaves a bounded
// number of outbox and airtime rows; one user holds one session per broadcast (a second handle
// takes it over, and max_viewers counts users); an accepted viewer that never starts is ended; a
// handle flooding the plugin with messages is refused past its bound while others are served.
// Needs the test namespace (scripts/test).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';

import { mediaAvailable } from '../lib/aiortc_peer.mjs';
import { SITES, startJanus } from '../lib/janus.mjs';
import { admin, connect } from '../lib/janus_client.mjs';
import { LiveWorld } from '../lib/live.mjs';
import { assertAdminOk, assertError, assertResult } from '../lib/onair_assert.mjs';
import { startReceiver } from '../lib/receiver.mjs';

const mediaSkip = mediaAvailable() ?? false;
const WATCH_RATE = 6; // FAST_GENERAL's watch_rate
const ROUNDS = 300;
// Also the viewer's time to `start`. FAST_GENERAL's 3 s was too short for an aiortc broadcaster to
// publish on this 2-core machine under a load average of 24 (publish gave 547: registration dropped).
const PUBLISH_TIMEOUT = 8;

const secrets = Object.fromEntries(Object.values(SITES).map((site) => [site.key, site.secret]));

// Rows of the plugin's store, read with the sqlite3 shell (read-only, WAL-safe).
function countRows(janus, sql) {
  return Number(execFileSync('sqlite3', ['-readonly', janus.storePath, sql], { encoding: 'utf8' }).trim());
}

describe('abuse limits with real media', { skip: mediaSkip }, () => {
  let janus;
  let receiver;
  let world;
  let site;

  before(async () => {
    receiver = await startReceiver({ secrets });
    site = { ...SITES.open, callback_url: receiver.url, max_viewers: 2 };
    janus = await startJanus({ sites: [site], general: { publish_timeout: PUBLISH_TIMEOUT } });
    world = new LiveWorld(janus);
  });
  afterEach(async () => {
    await world.closeAll();
  });
  after(async () => {
    await world?.closeAll();
    await janus?.close();
    await receiver?.close();
  });

  test(`${ROUNDS} rounds of watch, accepted, start, leave on one handle hit the rate limit (551) and stay bounded`, async () => {
    const broadcaster = await world.goLive(site);
    const viewer = await world.watch(broadcaster); // the first watch, through the prompt
    assertResult(await viewer.handle.request({ request: 'leave' }), 'left');
    const outcomes = { accepted: 1, limited: 0 };
    for (let round = 1; round < ROUNDS; round += 1) {
      const answer = await viewer.handle.send({ request: 'watch', target: broadcaster.user, ...world.credentials(site, viewer.user, viewer.name) });
      if (answer.data.error_code !== undefined) {
        assertError(answer.data, 551, /rate limited.*per minute/i);
        outcomes.limited += 1;
        continue;
      }
      const accepted = assertResult(answer.data, 'accepted');
      assert.equal(accepted.resumed, true, 'a granted viewer comes back without a prompt');
      const peer = world.newPeer(`viewer round ${round}`);
      assertResult(await viewer.handle.request({ request: 'start' }, await peer.accept(answer.jsep)), 'watching');
      assertResult(await viewer.handle.request({ request: 'leave' }), 'left');
      world.peers.delete(peer);
      await peer.close();
      outcomes.accepted += 1;
    }
    assert.deepEqual(outcomes, { accepted: WATCH_RATE, limited: ROUNDS - WATCH_RATE });

    // One airtime row per watch session (plus the broadcast's own) and a handful of events each.
    const airtime = countRows(janus, `SELECT COUNT(*) FROM airtime WHERE broadcast_id = '${broadcaster.broadcastId}'`);
    assert.ok(airtime <= WATCH_RATE + 1, `${airtime} airtime rows for ${WATCH_RATE} watches`);
    const outbox = assertAdminOk(await admin(janus, { request: 'list_outbox', site: site.key, limit: 1000 })).outbox
      .filter((event) => event.broadcast_id === broadcaster.broadcastId);
    // broadcast.started, requested + accepted once, then joined + left per watch, a few reports.
    assert.ok(outbox.length <= 3 + 2 * WATCH_RATE + 5, `${outbox.length} outbox rows for ${WATCH_RATE} watches`);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('a second handle of the same user takes the session over; max_viewers counts users', async () => {
    const broadcaster = await world.goLive(site);
    const viewer = await world.watch(broadcaster);
    const second = await world.person();
    const answer = await second.handle.send({ request: 'watch', target: broadcaster.user, ...world.credentials(site, viewer.user, viewer.name) });
    const accepted = assertResult(answer.data, 'accepted');
    assert.equal(accepted.resumed, true);
    const ended = (await viewer.handle.notice('ended')).data.result;
    assert.equal(ended.reason, 'taken_over');
    const peer = world.newPeer('viewer second tab');
    assertResult(await second.handle.request({ request: 'start' }, await peer.accept(answer.jsep)), 'watching');
    await peer.waitFrames(3);
    assertError(await viewer.handle.request({ request: 'ice_restart' }), 547);
    const listed = assertAdminOk(await admin(janus, { request: 'list_viewers', site: site.key, user: broadcaster.user })).viewers;
    assert.deepEqual(listed.map((entry) => entry.user), [viewer.user]);

    // max_viewers is 2: one more user fits, the third does not, whatever their handles.
    await world.watch(broadcaster);
    const third = await world.person();
    assertError(await third.handle.request({ request: 'watch', target: broadcaster.user, ...world.credentials(site, world.uniqueUser('v')) }), 550);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('an accepted viewer that never starts is ended with start_timeout', async () => {
    const broadcaster = await world.goLive(site);
    const { handle } = await world.person();
    const user = world.uniqueUser('v');
    const waiting = assertResult(await handle.request({ request: 'watch', target: broadcaster.user, ...world.credentials(site, user) }), 'waiting');
    await broadcaster.handle.notice('watch_request');
    assertResult(await broadcaster.handle.request({ request: 'answer', request_id: waiting.request_id, accept: true }), 'answered');
    await handle.notice('accepted');
    const acceptedAt = Date.now();
    const ended = (await handle.notice('ended', (PUBLISH_TIMEOUT + 5) * 1000)).data.result;
    assert.equal(ended.reason, 'start_timeout');
    const elapsed = (Date.now() - acceptedAt) / 1000;
    assert.ok(elapsed >= PUBLISH_TIMEOUT - 1, `ended after ${elapsed} s, publish_timeout is ${PUBLISH_TIMEOUT} s`);
    assertError(await handle.request({ request: 'ice_restart' }), 547);
    const listed = assertAdminOk(await admin(janus, { request: 'list_viewers', site: site.key, user: broadcaster.user })).viewers;
    assert.deepEqual(listed, []);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });
});

// Posts `count` plugin messages to one handle without waiting for any answer (over `sockets`
// connections, as a script would) and resolves with their synchronous Janus answers.
function flood(handle, body, count, sockets = 32) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(handle.url);
  const post = () => new Promise((resolve, reject) => {
    const message = JSON.stringify({ janus: 'message', transaction: randomBytes(9).toString('base64url'), body });
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(message);
  });
  return Promise.all(Array.from({ length: count }, post)).finally(() => agent.destroy());
}

describe('message flood on one handle', () => {
  const FLOOD = 2000;
  let janus;

  before(async () => {
    janus = await startJanus({ sites: [SITES.open] });
  });
  after(async () => {
    await janus?.close();
  });

  test(`${FLOOD} messages sent at once on one handle: refused past the bound (551), others served meanwhile`, async (t) => {
    const flooder = await connect(janus);
    const other = await connect(janus);
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const presence = { request: 'presence', site: SITES.open.key, users };
    try {
      const flooding = flood(flooder.handle, presence, FLOOD);
      // Another client is answered while the flood is queued.
      assertResult(await other.handle.request({ request: 'presence', site: SITES.open.key, users: ['42'] }), 'presence');
      const answers = await flooding;

      const acked = answers.filter((answer) => answer.janus === 'ack').length;
      const refused = answers.filter((answer) => answer.janus === 'success');
      assert.equal(acked + refused.length, FLOOD, `unexpected answers: ${JSON.stringify(answers.find((answer) => !['ack', 'success'].includes(answer.janus)))}`);
      t.diagnostic(`${refused.length} of ${FLOOD} refused`);
      assert.ok(refused.length > 0, `no message of ${FLOOD} was refused`);
      for (const answer of refused) {
        assert.equal(answer.plugindata.plugin, 'janus.plugin.onair');
        assertError(answer.plugindata.data, 551, /rate limited.*waiting/i);
      }
      // Every queued message still gets its one answer, then the handle is served again.
      for (let answered = 0; answered < acked; answered += 1) await flooder.handle.notice('presence');
      assertResult(await flooder.handle.request(presence), 'presence');
      assertResult(await other.handle.request({ request: 'presence', site: SITES.open.key, users: ['43'] }), 'presence');
    } finally {
      await flooder.session.destroy();
      await other.session.destroy();
    }
  });
});
