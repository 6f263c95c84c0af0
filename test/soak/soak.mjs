// SPDX-License-Identifier: GPL-3.0-or-later
// The soak (scripts/soak, docs/reliability.md "Soak"): minutes of churn through real WebRTC peers
// (aiortc, test/lib/live.mjs) against Janus with the ASan build of the plugin, inside the test
// network namespace. Then: Janus' RSS and open descriptors are flat after warm-up, no sanitizer
// report names the plugin, and the billing events the receiver got add up, second for second, to
// the ledger's `usage`. Prints a summary; exits 1 when an assert fails.
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { mediaAvailable } from '../lib/aiortc_peer.mjs';
import { Janus, SITES } from '../lib/janus.mjs';
import { admin, connect } from '../lib/janus_client.mjs';
import { LiveWorld, MEDIA_TIMEOUT } from '../lib/live.mjs';
import { assertAdminOk, assertResult } from '../lib/onair_assert.mjs';
import { startReceiver } from '../lib/receiver.mjs';

// Bounds on the final Janus run's second half (its first half is the warm-up). See
// docs/reliability.md "Soak" for the runs they come from.
const RSS_SLOPE_MAX_KB_PER_MIN = 2048;
const FD_SLOPE_MAX_PER_MIN = 2;
const SAMPLE_MS = 3000;
const QUARANTINE_MB = 16;

const minutes = Number(process.argv[2] ?? 10);
const totalMs = minutes * 60000;
const LANES = 2; // broadcasters churning at once; each with up to two aiortc viewers (5 peers)
const site = { ...SITES.open, max_viewers: 10 };
const general = {
  report_interval: 5,
  heartbeat_interval: 1,
  evidence_timeout: 4,
  delivery_max_attempts: 1000,
  delivery_backoff_base: 1,
  delivery_backoff_max: 5,
  delivery_timeout: 2,
};
const today = () => new Date().toISOString().slice(0, 10);
const dayOffset = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

const counts = {
  live: 0, stopped: 0, watched: 0, left: 0, reloaded: 0, kicked: 0,
  restarts: 0, kills: 0, outages: 0, churn_errors: 0,
};
const errors = [];
const samples = []; // { at, run, rss_kb, fds }
const loads = [];

function sample(janus) {
  const pid = janus.process?.pid;
  if (!pid) return;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]);
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    samples.push({ at: Date.now(), run: janus.runs, rss_kb: rss, fds });
  } catch {
    // Janus is between runs
  }
  loads.push(loadavg()[0]);
}

// Least-squares slope of value over time, per minute.
function slopePerMinute(points, field) {
  const n = points.length;
  if (n < 3) return NaN;
  const xs = points.map((point) => point.at / 60000);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = points.reduce((a, point) => a + point[field], 0) / n;
  let num = 0;
  let den = 0;
  points.forEach((point, i) => {
    num += (xs[i] - mx) * (point[field] - my);
    den += (xs[i] - mx) ** 2;
  });
  return num / den;
}

async function attempt(what, action) {
  try {
    return await action();
  } catch (error) {
    counts.churn_errors += 1;
    errors.push(`${what}: ${error.message.split('\n')[0]}`);
    return null;
  }
}

// Closes a participant's peer and Janus session for good (the world stops tracking them, so a
// long run does not pile them up).
async function forget(world, person) {
  await person.peer.close();
  await person.session.destroy().catch(() => {});
  world.peers.delete(person.peer);
  world.sessions.delete(person.session);
}

// A viewer whose acceptance stands comes back from a new handle: accepted at once (a reload).
async function reload(world, broadcaster, viewer) {
  const { session, handle } = await world.person();
  const answer = await handle.send({ request: 'watch', target: broadcaster.user, ...world.credentials(site, viewer.user, viewer.name) });
  const accepted = answer.jsep ? answer : await handle.notice('accepted');
  assertResult(accepted.data, 'accepted');
  const peer = world.newPeer(`viewer ${viewer.user} (reload)`);
  const jsep = await peer.accept(accepted.jsep);
  assertResult(await handle.request({ request: 'start' }, jsep), 'watching');
  await peer.waitFrames(3, { timeoutMs: MEDIA_TIMEOUT });
  await forget(world, viewer);
  counts.reloaded += 1;
  return { ...viewer, session, handle, peer };
}

// One broadcaster's life: live, two viewers (prompt + accept), one reloads, one leaves, the
// reloaded one is kicked, then stop. Users come from a fixed pool, so totals add up per user.
async function cycle(world, lane, round) {
  const broadcaster = await attempt('go live', () => world.goLive(site, { user: `b${lane}`, name: `B${lane}` }));
  if (!broadcaster) return;
  counts.live += 1;
  const viewers = [];
  for (const v of [0, 1]) {
    const viewer = await attempt('watch', () => world.watch(broadcaster, { user: `v${lane}-${(round + v) % 4}`, name: 'V' }));
    if (viewer) {
      counts.watched += 1;
      viewers.push(viewer);
    }
  }
  await sleep(4000);
  if (viewers[0]) {
    const reloaded = await attempt('reload', () => reload(world, broadcaster, viewers[0]));
    if (reloaded) viewers[0] = reloaded;
  }
  await sleep(3000);
  if (viewers[1]) {
    if (await attempt('leave', async () => assertResult(await viewers[1].handle.request({ request: 'leave' }), 'left'))) counts.left += 1;
    await forget(world, viewers[1]);
  }
  if (viewers[0]) {
    if (await attempt('kick', async () => assertResult(await broadcaster.handle.request({ request: 'kick', viewer: viewers[0].user }), 'kicked'))) counts.kicked += 1;
    await forget(world, viewers[0]);
  }
  await sleep(2000);
  if (await attempt('stop', async () => assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended'))) counts.stopped += 1;
  await forget(world, broadcaster);
}

// A broadcast with a viewer, live for a few seconds: what a restart or a crash interrupts.
async function liveMoment(world, label) {
  const broadcaster = await attempt(`go live (${label})`, () => world.goLive(site, { user: `b-${label}`, name: 'B' }));
  if (!broadcaster) return;
  counts.live += 1;
  if (await attempt(`watch (${label})`, () => world.watch(broadcaster, { user: `v-${label}`, name: 'V' }))) counts.watched += 1;
  await sleep(5000);
}

async function outboxDrained(janus) {
  const sites = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites;
  const entry = sites.find((candidate) => candidate.key === site.key);
  return entry.callback.pending === 0 && entry.callback.parked === 0;
}

async function main() {
  const skip = mediaAvailable();
  if (skip) throw new Error(skip);
  const receiver = await startReceiver({ secrets: { [site.key]: site.secret } });
  // ASan keeps freed memory in a quarantine (256 MB by default) before reusing it, so RSS climbs
  // for its first 256 MB of frees whatever the plugin does (the 2-minute run measured 148 MB/min
  // with it). A small one lets RSS settle within the warm-up, so growth left after is real.
  const janus = new Janus({ general, sites: [{ ...site, callback_url: receiver.url }], asanOptions: [`quarantine_size_mb=${QUARANTINE_MB}`] });
  await janus.start();
  let world = new LiveWorld(janus);
  const sampler = setInterval(() => sample(janus), SAMPLE_MS);
  sample(janus);
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  // Faults at fixed fractions of the run, between rounds (a fault during a round is the
  // recovery suites' job); the final 70% is one Janus run, whose second half is measured.
  const faults = [
    { at: 0.1, name: 'receiver down', run: async () => { await receiver.down(); counts.outages += 1; } },
    {
      at: 0.2,
      name: 'graceful restart while live',
      run: async () => {
        await liveMoment(world, 'restart');
        await janus.restart();
        await world.closeAll();
        counts.restarts += 1;
      },
    },
    { at: 0.25, name: 'receiver up', run: () => receiver.up() },
    {
      at: 0.3,
      name: 'kill -9 while live',
      run: async () => {
        await liveMoment(world, 'kill');
        await janus.kill9();
        await world.closeAll();
        await janus.start({ samePorts: true }); // same folder, same store
        counts.kills += 1;
      },
    },
  ];
  let round = 0;
  while (elapsed() < totalMs) {
    while (faults.length && elapsed() >= faults[0].at * totalMs) {
      const fault = faults.shift();
      process.stdout.write(`  ${(elapsed() / 1000).toFixed(0)} s: ${fault.name}\n`);
      await fault.run();
      world = new LiveWorld(janus);
    }
    await Promise.all(Array.from({ length: LANES }, (_, lane) => cycle(world, lane, round)));
    round += 1;
    process.stdout.write(`  ${(elapsed() / 1000).toFixed(0)} s: round ${round}, rss ${samples.at(-1)?.rss_kb} kB, fds ${samples.at(-1)?.fds}\n`);
  }
  await world.closeAll();
  clearInterval(sampler);

  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok, detail });

  // Every event delivered, then the receiver's sums against the ledger.
  const drainDeadline = Date.now() + 90000;
  while (!(await outboxDrained(janus)) && Date.now() < drainDeadline) await sleep(500);
  check('outbox drained', await outboxDrained(janus), '');
  const rows = assertAdminOk(await admin(janus, { request: 'usage', site: site.key, from: dayOffset(-1), to: today() })).usage;
  const ledger = {};
  for (const row of rows) {
    ledger[row.user] ??= { broadcast_seconds: 0, watch_seconds: 0 };
    ledger[row.user].broadcast_seconds += row.broadcast_seconds;
    ledger[row.user].watch_seconds += row.watch_seconds;
  }
  const outbox = receiver.totals(site.key);
  const users = [...new Set([...Object.keys(ledger), ...Object.keys(outbox)])].sort();
  const zero = { broadcast_seconds: 0, watch_seconds: 0 };
  const same = (a = zero, b = zero) => a.broadcast_seconds === b.broadcast_seconds && a.watch_seconds === b.watch_seconds;
  const differ = users.filter((user) => !same(ledger[user], outbox[user]));
  const sum = (totals, field) => Object.values(totals).reduce((a, t) => a + t[field], 0);
  check('outbox = ledger per user', differ.length === 0,
    differ.map((user) => `${user}: ledger ${JSON.stringify(ledger[user])} events ${JSON.stringify(outbox[user])}`).join('; '));
  check('events in seq order, all verified', receiver.orderProblems.length === 0 && receiver.rejected.length === 0,
    [...receiver.orderProblems, ...receiver.rejected.map((r) => r.reason)].slice(0, 5).join('; '));

  // Flat: the final run's second half.
  const finalRun = samples.filter((point) => point.run === janus.runs);
  const half = finalRun.filter((point) => point.at >= (finalRun[0].at + finalRun.at(-1).at) / 2);
  const rssSlope = slopePerMinute(half, 'rss_kb');
  const fdSlope = slopePerMinute(half, 'fds');
  check(`RSS slope < ${RSS_SLOPE_MAX_KB_PER_MIN} kB/min`, rssSlope < RSS_SLOPE_MAX_KB_PER_MIN, `${rssSlope.toFixed(0)} kB/min over ${half.length} samples`);
  check(`fd slope < ${FD_SLOPE_MAX_PER_MIN}/min`, fdSlope < FD_SLOPE_MAX_PER_MIN, `${fdSlope.toFixed(2)}/min`);
  check('no churn step failed', counts.churn_errors === 0, errors.slice(0, 5).join('; '));

  let sanitizer = '';
  try {
    await janus.close({ keep: true });
  } catch (error) {
    sanitizer = error.message.slice(0, 4000);
  }
  check('Janus exits cleanly, no sanitizer report names the plugin', sanitizer === '', sanitizer);
  await receiver.close();

  const first = finalRun[0];
  const last = finalRun.at(-1);
  const rows2 = [
    ['minutes', minutes],
    ['rounds', round],
    ...Object.entries(counts),
    ['events received', receiver.order.length],
    ['duplicate deliveries', receiver.duplicateCount],
    ['users', users.length],
    ['broadcast seconds (ledger / events)', `${sum(ledger, 'broadcast_seconds')} / ${sum(outbox, 'broadcast_seconds')}`],
    ['watch seconds (ledger / events)', `${sum(ledger, 'watch_seconds')} / ${sum(outbox, 'watch_seconds')}`],
    ['RSS first run start (kB)', samples[0]?.rss_kb],
    ['RSS final run start / end / max (kB)', `${first.rss_kb} / ${last.rss_kb} / ${Math.max(...finalRun.map((p) => p.rss_kb))}`],
    ['RSS slope, final run 2nd half (kB/min)', rssSlope.toFixed(0)],
    ['fds final run start / end / max', `${first.fds} / ${last.fds} / ${Math.max(...finalRun.map((p) => p.fds))}`],
    ['fd slope, final run 2nd half (/min)', fdSlope.toFixed(2)],
    ['samples (final run, 2nd half)', `${finalRun.length} (${half.length})`],
    ['load average 1 min (mean / max)', `${(loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(2)} / ${Math.max(...loads).toFixed(2)}`],
    ['Janus folder', janus.dir],
  ];
  process.stdout.write('\nSoak summary\n');
  for (const [name, value] of rows2) process.stdout.write(`  ${String(name).padEnd(42)} ${value}\n`);
  process.stdout.write('\nChecks\n');
  for (const { name, ok, detail } of checks) process.stdout.write(`  ${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}\n`);
  if (errors.length) process.stdout.write(`\nChurn errors:\n  ${errors.join('\n  ')}\n`);
  return checks.every((entry) => entry.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`soak: ${error.stack}\n`);
    process.exit(1);
  },
);
