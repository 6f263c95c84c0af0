// SPDX-License-Identifier: GPL-3.0-or-later
// A wall-clock step in the middle of a broadcast (design.md section 7; docs/billing.md), with a
// real Janus whose wall clock libfaketime (Debian's `libfaketime`) moves an hour forward and back
// again, as NTP stepping a badly set machine would, while its monotonic clock runs on untouched:
// the seconds billed are the seconds that passed, a prompt made before the step is still
// answerable after it, and every billing event arrives, in order, once the clock is right again.
// Needs the test namespace (scripts/test): real media through aiortc peers. Runs the release
// build of the plugin (see below).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { mediaAvailable } from '../lib/aiortc_peer.mjs';
import { SITES, releasePluginPath, startJanus } from '../lib/janus.mjs';
import { admin } from '../lib/janus_client.mjs';
import { LiveWorld } from '../lib/live.mjs';
import { assertAdminOk, assertResult } from '../lib/onair_assert.mjs';
import { TIMESTAMP_TOLERANCE, startReceiver } from '../lib/receiver.mjs';

const mediaSkip = mediaAvailable() ?? false;

const REPORT_INTERVAL = 2;
const STEP_SECONDS = 3600;

// libfaketime's variant for multi-threaded programs (Janus runs dozens of threads), where Debian's
// libfaketime installs it: /usr/lib/<triplet>/faketime/libfaketimeMT.so.1.
function libfaketime() {
  for (const entry of readdirSync('/usr/lib')) {
    const candidate = join('/usr/lib', entry, 'faketime', 'libfaketimeMT.so.1');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

const dayOffset = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

describe('a wall-clock step of an hour in the middle of a broadcast', { skip: mediaSkip }, () => {
  let janus;
  let receiver;
  let world;
  let site;
  let clockDir;
  let offsetFile;
  // Janus' wall clock: the real one moved by `offset` (libfaketime's syntax, "+1h"); libfaketime
  // reads the file again at most a second later (FAKETIME_CACHE_DURATION).
  const setJanusClock = (offset) => writeFileSync(offsetFile, `${offset}\n`);

  before(async () => {
    const library = libfaketime();
    assert.ok(library, 'libfaketimeMT.so.1 is missing: scripts/setup installs the Debian package libfaketime (scripts/deps/apt.txt)');
    clockDir = mkdtempSync(join(tmpdir(), 'onair-clock-'));
    offsetFile = join(clockDir, 'offset');
    setJanusClock('+0');
    receiver = await startReceiver({ secrets: { [SITES.open.key]: SITES.open.secret } });
    site = { ...SITES.open, callback_url: receiver.url };
    janus = await startJanus({
      general: {
        report_interval: REPORT_INTERVAL,
        heartbeat_interval: 1,
        evidence_timeout: 4,
        // A prompt made before the step must outlive it: a deadline on the wall clock would pass at once.
        request_timeout: 60,
        delivery_max_attempts: 30,
        delivery_backoff_base: 1,
        delivery_backoff_max: 2,
        delivery_timeout: 2,
      },
      sites: [site],
      // The release build: libfaketime deadlocks under ASan when it rereads its offset file
      // (fclose() frees, ASan's free() reads the clock, libfaketime's lock is already held:
      // wolfcw/libfaketime#365 and #391). What this test checks is time, not memory.
      plugin: releasePluginPath(),
      preload: [library],
      env: {
        FAKETIME_TIMESTAMP_FILE: offsetFile,
        FAKETIME_CACHE_DURATION: '1',
        // Only the wall clock steps: CLOCK_MONOTONIC is the one the plugin measures durations with.
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
        DONT_FAKE_MONOTONIC: '1', // the same, as libfaketime before 0.9.10 spells it
      },
    });
    world = new LiveWorld(janus);
  });
  after(async () => {
    await world?.closeAll();
    await janus?.close();
    await receiver?.close();
    if (clockDir) rmSync(clockDir, { recursive: true, force: true });
  });

  test('an hour forward and back bills the seconds that passed; prompts and deliveries carry on', async () => {
    const broadcaster = await world.goLive(site);
    const ofBroadcast = (event) => event.broadcast_id === broadcaster.broadcastId;
    const viewer = await world.watch(broadcaster);
    await receiver.waitForEvent((event) => ofBroadcast(event) && event.type === 'viewer.joined');

    // A second viewer's prompt is on screen when the clock jumps.
    const asking = await world.person();
    const waiting = assertResult((await asking.handle.send({ request: 'watch', target: broadcaster.user, site: site.key, user: world.uniqueUser('v'), name: 'Late' })).data, 'waiting');
    await broadcaster.handle.notice('watch_request');

    setJanusClock('+1h');
    // Janus now stamps its deliveries an hour ahead, so the receiver refuses them (webhook-timestamp
    // too far from its clock) and they are retried: the step really reached Janus.
    await receiver.waitFor(() => receiver.rejected.find((entry) => /too far from now/.test(entry.reason)), 15000,
      'a delivery stamped an hour ahead');
    await sleep(2000);
    assertResult(await broadcaster.handle.request({ request: 'answer', request_id: waiting.request_id, accept: true }), 'answered');
    await asking.handle.notice('accepted');
    assertResult(await asking.handle.request({ request: 'leave' }), 'left');

    setJanusClock('+0');
    await sleep(3000);
    assertResult(await viewer.handle.request({ request: 'leave' }), 'left');
    const leftAt = Date.now();
    await sleep(1000);
    const stopAt = Date.now();
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
    const ended = await receiver.waitForEvent((event) => ofBroadcast(event) && event.type === 'broadcast.ended', 30000,
      'broadcast.ended, delivered once the clock is right again');

    // Every event arrived once, in seq order, none refused for good; those made during the step
    // carry the stepped clock's timestamp (events say when on the wall clock they happened).
    const events = receiver.eventsOf(broadcaster.broadcastId);
    assert.deepEqual(events.map((event) => event.seq), events.map((_, index) => index + 1), receiver.summary());
    assert.deepEqual(receiver.orderProblems, []);
    assert.ok(receiver.rejected.every((entry) => /too far from now/.test(entry.reason)), JSON.stringify(receiver.rejected.map((entry) => entry.reason)));
    const ahead = events.filter((event) => event.timestamp - event.receivedAt / 1000 > STEP_SECONDS - TIMESTAMP_TOLERANCE);
    assert.ok(ahead.length > 0, `no event stamped during the step:\n${receiver.summary()}`);

    // The step added nothing and took nothing away.
    const elapsed = (stopAt - broadcaster.liveAt) / 1000;
    const broadcastSeconds = ended.data.broadcast_seconds;
    assert.ok(Math.abs(broadcastSeconds - elapsed) <= REPORT_INTERVAL + 1, `broadcast_seconds ${broadcastSeconds}, ${elapsed.toFixed(1)} s passed`);
    const left = events.find((event) => event.type === 'viewer.left' && event.data.viewer === viewer.user);
    assert.ok(left, receiver.summary());
    const watched = left.data.watch_seconds;
    // From its first relayed media with receiver reports: up to 3 s short of the frames (billing.test.mjs).
    assert.ok(watched <= (leftAt - viewer.startAt) / 1000 + 1 && watched >= (leftAt - viewer.mediaAt) / 1000 - 3,
      `watch_seconds ${watched}, watched ${((leftAt - viewer.mediaAt) / 1000).toFixed(1)} s`);
    for (const report of events.filter((event) => event.type === 'airtime.report')) {
      assert.ok(report.data.broadcast_seconds <= broadcastSeconds, `a report of ${report.data.broadcast_seconds} s`);
    }

    // The stored ledger agrees (usage days may move with the clock; seconds may not).
    const rows = assertAdminOk(await admin(janus, { request: 'usage', site: site.key, from: dayOffset(-1), to: dayOffset(1) })).usage;
    const sum = (user, field) => rows.filter((row) => row.user === user).reduce((total, row) => total + row[field], 0);
    assert.equal(sum(broadcaster.user, 'broadcast_seconds'), broadcastSeconds);
    assert.equal(sum(viewer.user, 'watch_seconds'), watched);
  });
});
