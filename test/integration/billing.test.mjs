// SPDX-License-Identifier: GPL-3.0-or-later
// Airtime accounting and billing callbacks (docs/billing.md) with a real Janus and a real HTTP
// receiver (test/lib/receiver.mjs, which verifies signatures with its own HMAC code): events
// arrive signed and in order, totals match elapsed time, nothing is lost while the receiver is
// down or Janus is killed, a slow or failing receiver never delays requests or media, bad
// callback URLs show in the Admin API, and usage queries are scoped to their site.
// Tests without media run anywhere; the others need the test namespace (scripts/test).
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { mediaAvailable } from '../lib/aiortc_peer.mjs';
import { SITES, freePort, startJanus } from '../lib/janus.mjs';
import { admin, connect } from '../lib/janus_client.mjs';
import { nowSeconds, signJwt } from '../lib/jwt.mjs';
import { LiveWorld } from '../lib/live.mjs';
import { assertAdminError, assertAdminOk, assertError, assertResult } from '../lib/onair_assert.mjs';
import { startReceiver } from '../lib/receiver.mjs';

const mediaSkip = mediaAvailable() ?? false;

// Seconds, kept short so a broadcast's whole billing life takes a few seconds.
const REPORT_INTERVAL = 2;
const BILLING_GENERAL = Object.freeze({
  report_interval: REPORT_INTERVAL,
  heartbeat_interval: 1,
  evidence_timeout: 4,
  delivery_max_attempts: 12,
  delivery_backoff_base: 1,
  delivery_backoff_max: 2,
  delivery_timeout: 2,
});
const EVENT_TYPES = new Set([
  'broadcast.started', 'broadcast.ended', 'viewer.requested', 'viewer.accepted', 'viewer.declined',
  'viewer.joined', 'viewer.left', 'airtime.report',
]);

const secrets = Object.fromEntries(Object.values(SITES).map((site) => [site.key, site.secret]));
const withCallback = (site, url) => ({ ...site, callback_url: url });
const today = () => new Date().toISOString().slice(0, 10);
const dayOffset = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

function usageToken(site, claims = {}) {
  return signJwt({ site: site.key, exp: nowSeconds() + 300, scope: 'usage', ...claims }, site.secret);
}

// Sums a usage answer's rows for one user (a test near midnight UTC spans two days).
function usageOf(rows, user) {
  const mine = rows.filter((row) => row.user === user);
  return {
    broadcast_seconds: mine.reduce((sum, row) => sum + row.broadcast_seconds, 0),
    watch_seconds: mine.reduce((sum, row) => sum + row.watch_seconds, 0),
  };
}

async function siteStatus(janus, key) {
  const sites = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites;
  const site = sites.find((entry) => entry.key === key);
  assert.ok(site, `list_sites has no ${key}: ${JSON.stringify(sites)}`);
  assert.equal(typeof site.callback, 'object', `list_sites entry of ${key} has no callback status: ${JSON.stringify(site)}`);
  return site;
}

// Every accepted event of a broadcast: well formed, seq 1..n without gaps, arrival order = seq.
function assertWellFormedBroadcast(receiver, broadcastId, site) {
  const events = receiver.eventsOf(broadcastId);
  assert.ok(events.length > 0, `no events for ${broadcastId}`);
  events.forEach((event, index) => {
    assert.match(event.id, /^evt_[0-9a-f]{32}$/, JSON.stringify(event));
    assert.ok(EVENT_TYPES.has(event.type), `unknown type ${event.type}`);
    assert.equal(event.site, site.key);
    assert.equal(event.seq, index + 1, `seq order of ${broadcastId}:\n${receiver.summary()}`);
    assert.equal(typeof event.timestamp, 'number');
    assert.ok(Math.abs(event.timestamp - nowSeconds()) < 600, `timestamp ${event.timestamp}`);
    assert.equal(typeof event.data, 'object');
  });
  assert.deepEqual(receiver.orderProblems, [], 'events out of seq order');
  assert.deepEqual(receiver.rejected.map((rejected) => rejected.reason), [], 'deliveries that failed verification');
  return events;
}

// Polls `probe` (async) until it returns something truthy.
async function waitUntil(probe, timeoutMs, describe) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof describe === 'function' ? describe() : describe}`);
}

// A relay viewer is billed from its first relayed media with receiver reports (docs/billing.md):
// between `start` and the frames it decoded, less up to `lost` seconds. By the documented mechanism
// that is at most 4.5 s: the first receiver report (aiortc sends one 0.5-1.5 s after the last, the
// first after its first RTP, which comes before the decoded frames), the timer's collection second
// that first sees it, the collection second before the end, and whole-second times (1 s). Measured
// on this machine: 2.0 s short after a leave and after a kill -9 (earlier runs), 3.04 s after a
// leave (CI23, the machine to itself), which the earlier bound of 3 s refused.
const watchedNear = (actual, viewer, endAt, what, lost = 4.5) => {
  const most = (endAt - viewer.startAt) / 1000 + 1;
  const least = (endAt - viewer.mediaAt) / 1000 - lost;
  assert.ok(actual <= most && actual >= least, `${what}: ${actual} s, expected ${least.toFixed(1)}..${most.toFixed(1)} s`);
};

const near = (actual, expected, tolerance, what) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} s, expected ${expected.toFixed(1)} s ± ${tolerance}`);

describe('billing requests (no media needed)', () => {
  let janus;
  let receiver;
  const sessions = [];
  const handle = async () => {
    const opened = await connect(janus);
    sessions.push(opened.session);
    return opened.handle;
  };

  before(async () => {
    receiver = await startReceiver({ secrets });
    janus = await startJanus({
      general: BILLING_GENERAL,
      sites: [withCallback(SITES.signed, receiver.url), withCallback(SITES.open, receiver.url), SITES.other, SITES.tiny],
    });
  });
  after(async () => {
    await Promise.allSettled(sessions.map((session) => session.destroy()));
    await janus?.close();
    await receiver?.close();
  });

  test('registered carries heartbeat_interval and heartbeat answers', async () => {
    const broadcaster = await handle();
    const registered = assertResult(await broadcaster.request({ request: 'broadcast', site: SITES.open.key, user: `hb${process.pid}` }), 'registered');
    assert.equal(registered.heartbeat_interval, BILLING_GENERAL.heartbeat_interval);
    const started = Date.now();
    assert.deepEqual(assertResult(await broadcaster.request({ request: 'heartbeat' }), 'heartbeat'), { event: 'heartbeat' });
    assert.ok(Date.now() - started < 1000, 'a heartbeat is answered at once');
    assertResult(await broadcaster.request({ request: 'stop' }), 'ended');
  });

  test('usage through the plugin API with a scope=usage token of the site', async () => {
    const answer = assertResult(await (await handle()).request({
      request: 'usage', site: SITES.open.key, token: usageToken(SITES.open), from: dayOffset(-1), to: today(),
    }), 'usage');
    assert.equal(answer.site, SITES.open.key);
    assert.equal(answer.from, dayOffset(-1));
    assert.equal(answer.to, today());
    assert.ok(Array.isArray(answer.usage));
    for (const row of answer.usage) {
      assert.match(row.day, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(typeof row.user, 'string');
      assert.ok(Number.isInteger(row.broadcast_seconds) && row.broadcast_seconds >= 0);
      assert.ok(Number.isInteger(row.watch_seconds) && row.watch_seconds >= 0);
    }
  });

  test('usage is refused (546) with another site\'s token, without scope, or expired', async () => {
    const query = { request: 'usage', site: SITES.open.key, from: today(), to: today() };
    const h = await handle();
    // Signed by another site's secret, claiming that site: not this site's backend.
    assertError(await h.request({ ...query, token: usageToken(SITES.signed) }), 546);
    // Claiming this site but signed with another secret: forged.
    assertError(await h.request({ ...query, token: signJwt({ site: SITES.open.key, exp: nowSeconds() + 300, scope: 'usage' }, SITES.signed.secret) }), 546);
    // A user token (no scope) of this very site is not a backend's token.
    assertError(await h.request({ ...query, token: signJwt({ site: SITES.open.key, sub: 'u1', exp: nowSeconds() + 300 }, SITES.open.secret) }), 546);
    assertError(await h.request({ ...query, token: usageToken(SITES.open, { scope: 'broadcast' }) }), 546);
    assertError(await h.request({ ...query, token: usageToken(SITES.open, { exp: nowSeconds() - 3600 }) }), 546);
    assertError(await h.request({ ...query }), 543, /token/);
  });

  test('usage validates its date range (544) and its site (545)', async () => {
    const h = await handle();
    const token = usageToken(SITES.open);
    const base = { request: 'usage', site: SITES.open.key, token };
    assertError(await h.request({ ...base, from: '2026-13-01', to: '2026-12-31' }), 544, /from/);
    assertError(await h.request({ ...base, from: '2026-01-01', to: 'tomorrow' }), 544, /to/);
    assertError(await h.request({ ...base, from: '2026-02-01', to: '2026-01-01' }), 544);
    assertError(await h.request({ ...base, from: '2025-01-01', to: '2026-01-03' }), 544, /366|range/i);
    assertResult(await h.request({ ...base, from: '2025-01-01', to: '2026-01-01' }), 'usage'); // 366 days
    assertError(await h.request({ ...base, from: today() }), 543, /to/);
    assertError(await h.request({ ...base, site: 'no-such-site', from: today(), to: today() }), 545);
  });

  test('admin usage and admin callback status', async () => {
    const usage = assertAdminOk(await admin(janus, { request: 'usage', site: SITES.open.key, from: today(), to: today() }));
    assert.ok(Array.isArray(usage.usage));
    assertAdminError(await admin(janus, { request: 'usage', site: 'no-such-site', from: today(), to: today() }), 545);
    assertAdminError(await admin(janus, { request: 'usage', site: SITES.open.key, from: '2020-01-01', to: '2026-01-01' }), 544);
    const open = await siteStatus(janus, SITES.open.key);
    assert.equal(open.callback.url, receiver.url);
    assert.equal(typeof open.callback.pending, 'number');
    assert.equal(typeof open.callback.parked, 'number');
    assert.ok('last_error' in open.callback && 'last_success_at' in open.callback, JSON.stringify(open.callback));
    assert.ok(!JSON.stringify(open).includes(SITES.open.secret));
  });

  test('add_site validates callback_url (544) and stores a good one', async () => {
    const base = { request: 'add_site', secret: 'a-secret-long-enough-1234' };
    for (const bad of ['ftp://127.0.0.1/hooks', 'not a url', 'http://', 'javascript:alert(1)', 42]) {
      assertAdminError(await admin(janus, { ...base, key: 'bad-callback', callback_url: bad }), 544, /callback_url/);
    }
    const url = `https://127.0.0.1:${receiver.port}/hooks`;
    assertAdminOk(await admin(janus, { ...base, key: 'good-callback', callback_url: url }));
    assert.equal((await siteStatus(janus, 'good-callback')).callback.url, url);
    const keys = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites.map((site) => site.key);
    assert.ok(!keys.includes('bad-callback'));
  });

  test('list_outbox and retry_outbox answer with their documented shape', async () => {
    const listed = assertAdminOk(await admin(janus, { request: 'list_outbox', site: SITES.open.key, limit: 5 }));
    assert.ok(Array.isArray(listed.outbox));
    assert.ok(listed.outbox.length <= 5);
    assertAdminError(await admin(janus, { request: 'list_outbox', state: 'lost' }), 544, /state/);
    const retried = assertAdminOk(await admin(janus, { request: 'retry_outbox', site: SITES.open.key }));
    assert.equal(typeof retried.requeued, 'number');
    assert.equal(assertAdminOk(await admin(janus, { request: 'retry_outbox', id: 'evt_00000000000000000000000000000000' })).requeued, 0);
    assertAdminError(await admin(janus, { request: 'retry_outbox' }), 543, /id|site/);
  });
});

describe('billing with real media', { skip: mediaSkip }, () => {
  let janus;
  let receiver;
  let world;
  let site;

  before(async () => {
    receiver = await startReceiver({ secrets });
    site = withCallback(SITES.open, receiver.url);
    janus = await startJanus({ general: BILLING_GENERAL, sites: [site, withCallback(SITES.signed, receiver.url), SITES.other] });
    world = new LiveWorld(janus);
  });
  afterEach(async () => {
    receiver.healthy();
    await receiver.up();
    await world.closeAll();
  });
  after(async () => {
    await world?.closeAll();
    await janus?.close();
    await receiver?.close();
  });

  test('a broadcast\'s life arrives signed, once, in seq order, and totals match elapsed time', async () => {
    const broadcaster = await world.goLive(site, { name: 'Anna' });
    const started = await receiver.waitForEvent((event) => event.broadcast_id === broadcaster.broadcastId && event.type === 'broadcast.started');
    assert.equal(started.data.user, broadcaster.user);
    assert.equal(started.data.name, 'Anna');
    near(started.data.started_at, broadcaster.liveAt / 1000, 3, 'started_at');

    const refused = await world.declined(broadcaster);
    const viewer = await world.watch(broadcaster, { name: 'Boris' });
    await sleep((2 * REPORT_INTERVAL + 1) * 1000);
    assertResult(await viewer.handle.request({ request: 'leave' }), 'left');
    const leftAt = Date.now();
    await sleep(1000);
    const stopAt = Date.now();
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
    const ended = await receiver.waitForEvent((event) => event.broadcast_id === broadcaster.broadcastId && event.type === 'broadcast.ended');

    const events = assertWellFormedBroadcast(receiver, broadcaster.broadcastId, site);
    const types = events.map((event) => event.type);
    assert.equal(types[0], 'broadcast.started');
    assert.equal(types.at(-1), 'broadcast.ended');
    const byType = (type) => events.filter((event) => event.type === type);
    const requested = byType('viewer.requested');
    assert.deepEqual(requested.map((event) => event.data.viewer).sort(), [refused.user, viewer.user].sort());
    assert.equal(requested.find((event) => event.data.viewer === viewer.user).data.viewer_name, 'Boris');
    for (const event of requested) assert.equal(event.data.user, broadcaster.user);
    const declined = byType('viewer.declined');
    assert.equal(declined.length, 1);
    assert.deepEqual(declined[0].data, { user: broadcaster.user, viewer: refused.user, request_id: refused.requestId, reason: 'denied' });
    const accepted = byType('viewer.accepted');
    assert.deepEqual(accepted.map((event) => event.data), [{ user: broadcaster.user, viewer: viewer.user, request_id: viewer.requestId }]);
    const joined = byType('viewer.joined');
    assert.equal(joined.length, 1);
    const watchId = joined[0].data.watch_id;
    assert.equal(typeof watchId, 'string');
    assert.ok(types.indexOf('viewer.requested') < types.indexOf('viewer.accepted'));
    assert.ok(types.indexOf('viewer.accepted') < types.indexOf('viewer.joined'));
    const left = byType('viewer.left');
    assert.equal(left.length, 1);
    assert.equal(left[0].data.watch_id, watchId);
    assert.equal(left[0].data.viewer, viewer.user);
    watchedNear(left[0].data.watch_seconds, viewer, leftAt, 'watch_seconds');

    // Periodic reports are cumulative and never go down.
    const reports = byType('airtime.report');
    assert.ok(reports.length >= 2, `expected ≥ 2 airtime reports in ${(stopAt - broadcaster.liveAt) / 1000} s:\n${receiver.summary()}`);
    for (let i = 1; i < reports.length; i++) assert.ok(reports[i].data.broadcast_seconds >= reports[i - 1].data.broadcast_seconds);
    assert.ok(reports.some((report) => report.data.viewers.some((entry) => entry.watch_id === watchId && entry.viewer === viewer.user)));

    const elapsed = (stopAt - broadcaster.liveAt) / 1000;
    assert.equal(ended.data.user, broadcaster.user);
    assert.equal(ended.data.reason, 'stopped');
    assert.equal(typeof ended.data.ended_at, 'number');
    near(ended.data.broadcast_seconds, elapsed, REPORT_INTERVAL + 1, 'broadcast_seconds');

    const totals = receiver.totals(site.key);
    near(totals[broadcaster.user].broadcast_seconds, elapsed, REPORT_INTERVAL + 1, 'receiver total broadcast');
    watchedNear(totals[viewer.user].watch_seconds, viewer, leftAt, 'receiver total watch');

    // The ledger agrees, through both usage APIs.
    const { handle } = await world.person();
    const rows = assertResult(await handle.request({ request: 'usage', site: site.key, token: usageToken(site), from: dayOffset(-1), to: today() }), 'usage').usage;
    assert.equal(usageOf(rows, broadcaster.user).broadcast_seconds, ended.data.broadcast_seconds);
    assert.equal(usageOf(rows, viewer.user).watch_seconds, left[0].data.watch_seconds);
    const adminRows = assertAdminOk(await admin(janus, { request: 'usage', site: site.key, from: dayOffset(-1), to: today() })).usage;
    assert.deepEqual(usageOf(adminRows, broadcaster.user), usageOf(rows, broadcaster.user));
    // A site never sees another site's users.
    const otherRows = assertResult(await handle.request({ request: 'usage', site: SITES.signed.key, token: usageToken(SITES.signed), from: dayOffset(-1), to: today() }), 'usage').usage;
    assert.ok(!otherRows.some((row) => row.user === broadcaster.user || row.user === viewer.user));
  });

  test('a relay viewer whose PeerConnection never connects is billed 0, however long it beats', async () => {
    const broadcaster = await world.goLive(site);
    const { handle } = await world.person();
    const user = world.uniqueUser('v');
    const waiting = assertResult((await handle.send({ request: 'watch', target: broadcaster.user, ...world.credentials(site, user, 'Ghost') })).data, 'waiting');
    await broadcaster.handle.notice('watch_request');
    assertResult(await broadcaster.handle.request({ request: 'answer', request_id: waiting.request_id, accept: true }), 'answered');
    const accepted = await handle.notice('accepted');
    const peer = world.newPeer(`never connected ${user}`);
    const answer = await peer.accept(accepted.jsep);
    await peer.close();
    // A real answer without its candidates: Janus never finds a path to this viewer (ICE stays
    // gathering, nothing is relayed), while the viewer keeps beating like a live page.
    const sdp = answer.sdp.split('\r\n').filter((line) => !/^a=(candidate|end-of-candidates)/.test(line)).join('\r\n');
    assertResult(await handle.request({ request: 'start' }, { ...answer, sdp }), 'watching');
    const beatUntil = Date.now() + (2 * REPORT_INTERVAL + 2) * 1000;
    while (Date.now() < beatUntil) {
      assertResult(await handle.request({ request: 'heartbeat', peers: [] }), 'heartbeat');
      await sleep(BILLING_GENERAL.heartbeat_interval * 1000);
    }
    assertResult(await handle.request({ request: 'leave' }), 'left');
    const left = await receiver.waitForEvent((event) => event.broadcast_id === broadcaster.broadcastId && event.type === 'viewer.left' && event.data.viewer === user);
    assert.equal(left.data.watch_seconds, 0, `billed without media: ${JSON.stringify(left.data)}`);
    const reported = receiver.eventsOf(broadcaster.broadcastId).filter((event) => event.type === 'airtime.report')
      .flatMap((event) => event.data.viewers.filter((entry) => entry.viewer === user));
    assert.ok(reported.length >= 1, `reports list the viewer while it is there:\n${receiver.summary()}`);
    for (const entry of reported) assert.equal(entry.watch_seconds, 0);
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });

  test('receiver down for a while, then up: every event arrives, each id counted once', async () => {
    await receiver.down();
    const broadcaster = await world.goLive(site);
    const viewer = await world.watch(broadcaster);
    await sleep(REPORT_INTERVAL * 1000 + 500);
    assertResult(await viewer.handle.request({ request: 'leave' }), 'left');
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
    const status = await siteStatus(janus, site.key);
    assert.ok(status.callback.pending >= 5, `events wait in the outbox: ${JSON.stringify(status.callback)}`);
    assert.ok(status.callback.last_error, `last_error says why: ${JSON.stringify(status.callback)}`);
    const queued = assertAdminOk(await admin(janus, { request: 'list_outbox', site: site.key, state: 'pending' })).outbox;
    assert.ok(queued.some((entry) => entry.broadcast_id === broadcaster.broadcastId && entry.attempts >= 1 && entry.last_error));
    await sleep(3000); // a few more failed attempts (backoff capped at 2 s here)
    assert.equal(receiver.eventsOf(broadcaster.broadcastId).length, 0);

    await receiver.up();
    await receiver.waitForEvent((event) => event.broadcast_id === broadcaster.broadcastId && event.type === 'broadcast.ended', 20000);
    const events = assertWellFormedBroadcast(receiver, broadcaster.broadcastId, site);
    assert.ok(events.some((event) => event.type === 'viewer.left'));
    for (const event of events) assert.ok(!receiver.duplicates.has(event.id), `${event.id} delivered twice`);
    const after = await waitUntil(async () => {
      const status = await siteStatus(janus, site.key);
      return status.callback.pending === 0 ? status : null;
    }, 10000, 'an empty outbox');
    assert.equal(typeof after.callback.last_success_at, 'number');
  });

  test('a slow receiver, then one answering 500, delays neither requests nor media', async (t) => {
    const broadcaster = await world.goLive(site);
    const viewer = await world.watch(broadcaster);
    const { handle: probe } = await world.person();
    const roundTrips = [];
    const measure = async () => {
      const started = Date.now();
      assertResult(await probe.request({ request: 'presence', site: site.key, users: [broadcaster.user] }), 'presence');
      assertResult(await broadcaster.handle.request({ request: 'heartbeat' }), 'heartbeat');
      roundTrips.push(Date.now() - started);
    };
    for (const mode of ['slow', '500']) {
      if (mode === 'slow') receiver.slow(5000); // longer than delivery_timeout
      else {
        receiver.slow(0);
        receiver.failWith(500);
      }
      const frames = (await viewer.peer.stats()).video_frames;
      // Events to deliver while the receiver misbehaves: a declined viewer makes three.
      await world.declined(broadcaster);
      for (let i = 0; i < 6; i++) {
        await measure();
        await sleep(400);
      }
      await viewer.peer.waitFrames(20, { from: frames, timeoutMs: 8000 });
      // The attempt in flight and the backoff (≤ 2 s + 20 % here) come first: poll for the new error.
      const expected = mode === 'slow' ? /time/i : /500/;
      let status;
      await waitUntil(async () => {
        status = await siteStatus(janus, site.key);
        return expected.test(status.callback.last_error ?? '');
      }, 10000, () => `last_error to match ${expected} (last: ${JSON.stringify(status?.callback)})`);
    }
    t.diagnostic(`presence + heartbeat round trips while the receiver misbehaves (ms): ${roundTrips.join(', ')}`);
    assert.ok(Math.max(...roundTrips) < 500, `request round trips with a bad receiver (ms): ${roundTrips.join(', ')}`);
    receiver.healthy();
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
    await receiver.waitForEvent((event) => event.broadcast_id === broadcaster.broadcastId && event.type === 'broadcast.ended', 20000);
    assertWellFormedBroadcast(receiver, broadcaster.broadcastId, site);
    // Deliveries the receiver took but answered too late came again: counted once all the same.
    const ids = receiver.eventsOf(broadcaster.broadcastId).map((event) => event.id);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('unreachable billing endpoints', { skip: mediaSkip }, () => {
  let janus;
  let receiver;
  let world;
  let refusedSite;
  let tlsSite;

  before(async () => {
    receiver = await startReceiver({ secrets });
    const closedPort = await freePort();
    refusedSite = { key: 'refused-site', secret: 'refused-site-secret-0123456789', identity: 'open', audio: false, callback_url: `http://127.0.0.1:${closedPort}/hooks` };
    // The receiver speaks plain HTTP: an https URL to it fails in the TLS handshake.
    tlsSite = { key: 'tls-site', secret: 'tls-site-secret-0123456789', identity: 'open', audio: false, callback_url: `https://127.0.0.1:${receiver.port}/hooks` };
    // A TLS attempt loads the CA bundle before its handshake; under ASan on a loaded CI machine that
    // alone can outlast a 2 s budget, and the attempt would end as a plain timeout instead of the TLS
    // error this test is about. The receiver answers at once, so a longer budget costs no time.
    janus = await startJanus({ general: { ...BILLING_GENERAL, delivery_max_attempts: 2, delivery_timeout: 10 }, sites: [refusedSite, tlsSite] });
    world = new LiveWorld(janus);
  });
  after(async () => {
    await world?.closeAll();
    await janus?.close();
    await receiver?.close();
  });

  test('connection refused and TLS errors show in list_sites and park after max attempts; retry_outbox requeues', async () => {
    const refusedBroadcast = await world.goLive(refusedSite);
    const tlsBroadcast = await world.goLive(tlsSite);
    const parked = async (key) => {
      const status = await siteStatus(janus, key);
      return status.callback.parked >= 1 ? status : null;
    };
    const refused = await waitUntil(() => parked(refusedSite.key), 15000, 'a parked event of refused-site');
    assert.ok(refused.callback.last_error.length > 5, JSON.stringify(refused.callback));
    assert.match(refused.callback.last_error, /connect|refused/i);
    const tls = await waitUntil(() => parked(tlsSite.key), 30000, 'a parked event of tls-site');
    assert.match(tls.callback.last_error, /ssl|tls|handshake/i, JSON.stringify(tls.callback));
    assert.equal(receiver.order.length, 0, 'nothing reached the receiver over https');

    const parkedEntries = assertAdminOk(await admin(janus, { request: 'list_outbox', site: refusedSite.key, state: 'parked' })).outbox;
    assert.ok(parkedEntries.length >= 1);
    for (const entry of parkedEntries) {
      assert.equal(entry.state, 'parked');
      assert.equal(entry.attempts, 2);
      assert.equal(entry.broadcast_id, refusedBroadcast.broadcastId);
      assert.ok(entry.last_error);
    }
    // Requests keep working, and Janus is alive.
    assertResult(await tlsBroadcast.handle.request({ request: 'heartbeat' }), 'heartbeat');
    const requeued = assertAdminOk(await admin(janus, { request: 'retry_outbox', site: refusedSite.key }));
    assert.ok(requeued.requeued >= parkedEntries.length, JSON.stringify(requeued));
    const single = assertAdminOk(await admin(janus, { request: 'list_outbox', site: tlsSite.key, state: 'parked' })).outbox[0];
    assert.deepEqual(assertAdminOk(await admin(janus, { request: 'retry_outbox', id: single.id })).requeued, 1);
  });
});

describe('kill -9 of Janus mid-broadcast', { skip: mediaSkip }, () => {
  let janus;
  let receiver;
  let world;
  let site;

  before(async () => {
    receiver = await startReceiver({ secrets });
    site = withCallback(SITES.open, receiver.url);
    janus = await startJanus({ general: BILLING_GENERAL, sites: [site] });
    world = new LiveWorld(janus);
  });
  after(async () => {
    await world?.closeAll();
    await janus?.close();
    await receiver?.close();
  });

  test('the ledger survives, at most one persistence interval is lost, and the outbox resumes', async () => {
    const broadcaster = await world.goLive(site);
    const viewer = await world.watch(broadcaster);
    await receiver.waitForEvent((event) => event.broadcast_id === broadcaster.broadcastId && event.type === 'viewer.joined');
    // Events from now on stay in the outbox: the receiver is down when Janus dies.
    await receiver.down();
    await sleep(8000);
    const killedAt = Date.now();
    await janus.kill9();
    await world.closeAll();

    await janus.start(); // same folder, same store
    await receiver.up();
    // The broadcast's evidence stopped at the kill: it is closed there, and the receiver hears so.
    const ended = await receiver.waitForEvent((event) => event.broadcast_id === broadcaster.broadcastId && event.type === 'broadcast.ended', 30000);
    const events = assertWellFormedBroadcast(receiver, broadcaster.broadcastId, site);
    assert.ok(events.some((event) => event.type === 'airtime.report'), 'reports queued before the kill were delivered after the restart');
    const ids = events.map((event) => event.id);
    assert.equal(new Set(ids).size, ids.length);

    const elapsed = (killedAt - broadcaster.liveAt) / 1000;
    // The ledger stores evidence every second: about that much is lost (whole seconds), nothing is invented.
    assert.ok(ended.data.broadcast_seconds <= elapsed + 1, `broadcast_seconds ${ended.data.broadcast_seconds} > elapsed ${elapsed}`);
    assert.ok(ended.data.broadcast_seconds >= elapsed - 2, `broadcast_seconds ${ended.data.broadcast_seconds} lost more than a second of ${elapsed}`);
    const rows = assertAdminOk(await admin(janus, { request: 'usage', site: site.key, from: dayOffset(-1), to: today() })).usage;
    assert.equal(usageOf(rows, broadcaster.user).broadcast_seconds, ended.data.broadcast_seconds);
    watchedNear(usageOf(rows, viewer.user).watch_seconds, viewer, killedAt, 'watch_seconds after the kill');
  });

  test('a kill right after an airtime.report: no later event carries a smaller total', async () => {
    const broadcaster = await world.goLive(site);
    const viewers = [await world.watch(broadcaster), await world.watch(broadcaster)];
    const ofBroadcast = (event) => event.broadcast_id === broadcaster.broadcastId;
    // Killed as soon as a report naming both viewers arrives: it announced the latest seconds there were.
    const report = await receiver.waitForEvent((event) => ofBroadcast(event) && event.type === 'airtime.report' &&
      event.data.viewers.length === 2 && event.data.viewers.every((entry) => entry.watch_seconds >= 2), 20000);
    const killedAt = Date.now();
    await janus.kill9();
    await world.closeAll();
    await janus.start();
    const ended = await receiver.waitForEvent((event) => ofBroadcast(event) && event.type === 'broadcast.ended', 30000);
    const events = assertWellFormedBroadcast(receiver, broadcaster.broadcastId, site);
    // Every cumulative figure, in seq order, per broadcast_id and per watch_id: never smaller than before.
    const figures = new Map();
    const follow = (key, seconds, event) => {
      const before = figures.get(key) ?? 0;
      assert.ok(seconds >= before, `${key} went from ${before} to ${seconds} s in seq ${event.seq} (${event.type}):\n${receiver.summary()}`);
      figures.set(key, seconds);
    };
    for (const event of events) {
      if ('broadcast_seconds' in event.data) follow(broadcaster.broadcastId, event.data.broadcast_seconds, event);
      for (const entry of event.data.viewers ?? []) follow(entry.watch_id, entry.watch_seconds, event);
      if (event.type === 'viewer.left') follow(event.data.watch_id, event.data.watch_seconds, event);
    }
    assert.ok(ended.data.broadcast_seconds >= report.data.broadcast_seconds);
    const lefts = events.filter((event) => event.type === 'viewer.left');
    assert.deepEqual(lefts.map((event) => event.data.viewer).sort(), viewers.map((viewer) => viewer.user).sort());
    for (const left of lefts) assert.equal(left.data.reason, 'restart');
    const elapsed = (killedAt - broadcaster.liveAt) / 1000;
    assert.ok(ended.data.broadcast_seconds >= elapsed - 2, `broadcast_seconds ${ended.data.broadcast_seconds} lost more than a second of ${elapsed}`);
  });
});
