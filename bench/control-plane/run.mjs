// SPDX-License-Identifier: GPL-3.0-or-later
// The control plane, over the Janus HTTP API (test/lib/janus_client.mjs), against the release
// plugin. Three loads, each on a fresh Janus, each bounded in count and time:
//
// 1. watch requests answered per second: closed-loop clients each repeating watch → leave on
//    one live broadcast (with and without a billing callback, which adds two webhooks a cycle);
// 2. memory of idle presence subscribers: handles subscribed to 10 user ids each; then how long
//    one broadcaster going live takes to reach all of them;
// 3. airtime accounting and billing callbacks at many concurrent broadcasts: live broadcasts
//    (bench/lib/idle_publishers.py: ICE + DTLS, no media) sending heartbeats, a real HTTP receiver
//    (test/lib/receiver.mjs) verifying and counting webhooks; Janus CPU and memory from /proc.
//
//   node bench/control-plane/run.mjs [--smoke] [--seconds N]
import { setTimeout as sleep } from 'node:timers/promises';

import { Session, admin } from '../../test/lib/janus_client.mjs';
import { BillingReceiver } from '../../test/lib/receiver.mjs';
import { IdlePublishers, pool } from '../lib/idle_publishers.mjs';
import { machineLine } from '../lib/machine.mjs';
import { MiB, cpuWindow, memory, threadShares } from '../lib/proc.mjs';
import { context, fmt, runMain, summarize, table, writeResults } from '../lib/results.mjs';
import { BENCH_SITE, startBenchJanus } from '../lib/stack.mjs';

const NAME = 'control-plane';

const sizes = (smoke) => (smoke
  ? { watchClients: 4, watchSeconds: 1, subscribers: 100, subscribersOwnLoops: 50, perSession: 50, broadcasts: 5, billingSeconds: 3 }
  : { watchClients: 32, watchSeconds: 5, subscribers: 10_000, subscribersOwnLoops: 1000, perSession: 100, broadcasts: 1000, billingSeconds: 20 });

// Janus gives each handle its own event loop thread unless `event_loops` is set; ten thousand
// idle handles are where an operator sets it, so the large presence run shares two loops.
const SHARED_LOOPS = 2;

// ---- 1. watch requests per second ------------------------------------------------------------

async function watchRate(publishers, { billed, clients, seconds }) {
  const receiver = billed ? await new BillingReceiver({ secrets: { [BENCH_SITE.key]: BENCH_SITE.secret } }).up() : null;
  const site = { ...BENCH_SITE, callback_url: receiver ? receiver.url : undefined };
  const janus = await startBenchJanus({ sites: [site] });
  const sessions = [];
  try {
    await publishers.goLive(janus, site, [`star-${billed ? 'billed' : 'plain'}`], { concurrency: 1 });
    const viewers = await pool(Array.from({ length: clients }, (_, i) => `w${i}`), 16, async (user) => {
      const session = await Session.create(janus.httpUrl);
      sessions.push(session);
      return { user, handle: await session.attach() };
    });
    await sleep(500);
    const latencies = [];
    const errors = new Map();
    let answered = 0;
    const deliveredBefore = receiver ? receiver.deliveries.length : 0;
    const window = cpuWindow(janus.process.pid);
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(viewers.map(async ({ user, handle }) => {
      while (Date.now() < deadline) {
        const started = performance.now();
        const data = await handle.request({ request: 'watch', site: site.key, target: `star-${billed ? 'billed' : 'plain'}`, user });
        if (data?.result?.event === 'waiting') {
          answered += 1;
          latencies.push(performance.now() - started);
        } else {
          const key = `${data?.error_code} ${data?.error}`;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
        await handle.request({ request: 'leave' });
      }
    }));
    const cpu = window.stop();
    const webhooks = receiver ? receiver.deliveries.length - deliveredBefore : null;
    if (answered === 0) throw new Error(`no watch request was answered: ${JSON.stringify([...errors])}`);
    return {
      billed, clients, seconds: cpu.seconds, answered, perSecond: answered / cpu.seconds,
      latency: summarize(latencies), errors: Object.fromEntries(errors), janusCpuPercent: cpu.percent,
      cpuMsPerWatch: (1000 * cpu.cpu) / answered, webhooksDelivered: webhooks, threads: cpu.threads, threadShares: threadShares(cpu),
    };
  } finally {
    await Promise.allSettled(sessions.map((session) => session.destroy()));
    await publishers.drop();
    await janus.close();
    await receiver?.close();
  }
}

// ---- 2. idle presence subscribers ------------------------------------------------------------

async function presence(publishers, { subscribers, perSession, eventLoops }) {
  const janus = await startBenchJanus({ eventLoops });
  const sessions = [];
  const pid = janus.process.pid;
  try {
    await sleep(1000);
    const idle = memory(pid).rss;
    const sessionCount = Math.ceil(subscribers / perSession);
    for (let i = 0; i < sessionCount; i += 1) sessions.push(await Session.create(janus.httpUrl));
    const attachStarted = performance.now();
    const handles = await pool(Array.from({ length: subscribers }, (_, i) => i), 50, (i) => sessions[Math.floor(i / perSession)].attach());
    const attachSeconds = (performance.now() - attachStarted) / 1000;
    await sleep(1000);
    const attached = memory(pid).rss;
    // Ten ids per subscriber, like a page with ten watch buttons; all include "star".
    const subscribeStarted = performance.now();
    await pool(handles, 50, async (handle, i) => {
      const users = ['star', ...Array.from({ length: 9 }, (_, k) => `u${(i * 9 + k) % 50_000}`)];
      const data = await handle.request({ request: 'presence', site: BENCH_SITE.key, users });
      if (data?.result?.event !== 'presence') throw new Error(`presence: ${JSON.stringify(data)}`);
    });
    const subscribeSeconds = (performance.now() - subscribeStarted) / 1000;
    await sleep(1000);
    const subscribed = memory(pid);

    // One broadcaster goes live: every subscriber must hear it.
    const heard = handles.map((handle) => handle.notice('presence', 120_000).then(() => performance.now()));
    const window = cpuWindow(pid);
    await publishers.goLive(janus, BENCH_SITE, ['star'], { concurrency: 1 });
    const liveAt = performance.now();
    const times = await Promise.all(heard);
    const fanout = window.stop();
    const last = Math.max(...times) - liveAt;
    return {
      subscribers, idsEach: 10, sessions: sessionCount, eventLoops,
      rss: { idle, attached, subscribed: subscribed.rss, threads: subscribed.threads },
      bytesPerSubscriber: (subscribed.rss - idle) / subscribers,
      bytesPerSubscription: (subscribed.rss - attached) / subscribers,
      attachPerSecond: subscribers / attachSeconds,
      subscribePerSecond: subscribers / subscribeSeconds,
      notifyAllMs: last,
      notifyP50Ms: summarize(times.map((t) => t - liveAt)).p50,
      fanoutCpuSeconds: fanout.cpu,
    };
  } finally {
    for (const session of sessions) session.close(); // Janus ends them when it stops
    await publishers.drop();
    await janus.close();
  }
}

// ---- 3. airtime and billing at many broadcasts -----------------------------------------------

async function billing(publishers, { broadcasts, seconds }) {
  const receiver = await new BillingReceiver({ secrets: { [BENCH_SITE.key]: BENCH_SITE.secret } }).up();
  const site = { ...BENCH_SITE, callback_url: receiver.url };
  // Reports every 10 s instead of 60, so that a short window sees them all.
  const general = { report_interval: 10, heartbeat_interval: 15, evidence_timeout: 45 };
  const janus = await startBenchJanus({ sites: [site], general });
  const pid = janus.process.pid;
  let heartbeating = true;
  const heartbeats = { sent: 0, answered: 0 };
  try {
    await sleep(1000);
    const idle = memory(pid).rss;
    const setupStarted = performance.now();
    const setupCpu = cpuWindow(pid);
    const live = await publishers.goLive(janus, site, Array.from({ length: broadcasts }, (_, i) => `b${i}`), { concurrency: 20, perSession: 100 });
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const setup = setupCpu.stop();
    await receiver.waitFor(() => receiver.order.filter((e) => e.type === 'broadcast.started').length >= broadcasts, 120_000, 'every broadcast.started');
    const startedDeliveredSeconds = (performance.now() - setupStarted) / 1000;

    // Heartbeats as onair.js sends them: every heartbeat_interval seconds per broadcast, spread.
    const interval = live[0].registered.heartbeat_interval * 1000;
    const loops = live.map(async ({ handle }, i) => {
      await sleep((i / live.length) * interval);
      while (heartbeating) {
        heartbeats.sent += 1;
        const data = await handle.request({ request: 'heartbeat' }).catch(() => null);
        if (data?.result?.event === 'heartbeat') heartbeats.answered += 1;
        await sleep(interval);
      }
    });
    await sleep(2000);
    const before = { deliveries: receiver.deliveries.length, heartbeats: heartbeats.answered, types: countTypes(receiver) };
    const window = cpuWindow(pid);
    await sleep(seconds * 1000);
    const cpu = window.stop();
    const after = { deliveries: receiver.deliveries.length, heartbeats: heartbeats.answered, types: countTypes(receiver) };
    const steady = memory(pid);
    // The plugin's own view of its outbox: what is still waiting, and the last delivery error.
    const sites = await admin(janus, { request: 'list_sites' });
    const outbox = sites.sites?.find((entry) => entry.key === site.key)?.callback ?? null;
    heartbeating = false;
    const webhooks = after.deliveries - before.deliveries;
    const reports = (after.types['airtime.report'] ?? 0) - (before.types['airtime.report'] ?? 0);
    const result = {
      broadcasts, seconds: cpu.seconds, reportInterval: general.report_interval, heartbeatInterval: general.heartbeat_interval,
      setupSeconds, setupJanusCpuSeconds: setup.cpu, startedDeliveredSeconds,
      janusCpuPercent: cpu.percent, janusCpuSeconds: cpu.cpu, threads: cpu.threads, threadShares: threadShares(cpu),
      setupThreadShares: threadShares(setup),
      webhooksPerSecond: webhooks / cpu.seconds, reportsPerSecond: reports / cpu.seconds,
      heartbeatsPerSecond: (after.heartbeats - before.heartbeats) / cpu.seconds,
      cpuMsPerEvent: (1000 * cpu.cpu) / Math.max(1, webhooks + after.heartbeats - before.heartbeats),
      rss: { idle, steady: steady.rss, threads: steady.threads }, bytesPerBroadcast: (steady.rss - idle) / broadcasts,
      outbox, failedDeliveries: receiver.deliveries.filter((d) => d.status >= 300).length,
      rejectedWebhooks: receiver.rejected.length, duplicateWebhooks: receiver.duplicateCount, orderProblems: receiver.orderProblems.length,
    };
    await Promise.race([Promise.all(loops), sleep(interval + 5000)]);
    return result;
  } finally {
    heartbeating = false;
    await publishers.drop();
    await janus.close();
    await receiver.close();
  }
}

function countTypes(receiver) {
  const counts = {};
  for (const event of receiver.order) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
}

// ---- report ----------------------------------------------------------------------------------

function markdown(r) {
  const w = r.watch;
  const p = r.presence;
  const q = r.presenceOwnLoops;
  const b = r.billing;
  const lines = [
    '## Control plane',
    '',
    'Clients speak the Janus HTTP API (long-poll, `test/lib/janus_client.mjs`, one Node.js process on the same ' +
      'two cores as Janus). Janus CPU and memory are read from `/proc/PID/stat` and `/proc/PID/status`. Live ' +
      'broadcasts come from `bench/lib/idle_publishers.py` (aiortc): real ICE and DTLS with Janus, no RTP, so ' +
      'only the control plane is measured.',
    '',
    '### Watch requests answered per second',
    '',
    `${w.plain.clients} clients in a closed loop, each \`watch\` → \`waiting\` then \`leave\`, on one live broadcast, ` +
      `for ${fmt(w.plain.seconds, 0)} s. Each watch is stored and prompts the broadcaster's handle.`,
    '',
    table(['site', 'watch answered/s', 'answer p50 ms', 'p95 ms', 'Janus CPU (% of a core)', 'Janus CPU ms per watch', 'webhooks delivered', 'Janus CPU by thread'], [w.plain, w.billed].map((x) => [
      x.billed ? 'with billing callback' : 'no callback', `**${fmt(x.perSecond)}**`, fmt(x.latency.p50, 1), fmt(x.latency.p95, 1),
      fmt(x.janusCpuPercent), fmt(x.cpuMsPerWatch, 2), x.webhooksDelivered ?? '–', x.threadShares,
    ])),
    '',
    '### Idle presence subscribers',
    '',
    'Handles attached to the plugin (100 per session), each subscribed to 10 user ids (a page with ten watch ' +
      `buttons), nothing live. By default Janus gives every handle its own event loop thread; with ` +
      `\`event_loops = ${SHARED_LOOPS}\` (janus.jcfg) all handles share ${SHARED_LOOPS}, which is what ten thousand idle handles call for.`,
    '',
    table(['', `${p.subscribers.toLocaleString('en')} subscribers, \`event_loops = ${p.eventLoops}\``, `${q.subscribers.toLocaleString('en')} subscribers, a thread per handle`], [
      ['Janus RSS idle → attached → subscribed', ...[p, q].map((x) => `${fmt(x.rss.idle / MiB, 1)} → ${fmt(x.rss.attached / MiB, 1)} → **${fmt(x.rss.subscribed / MiB, 1)} MiB**`)],
      ['per subscriber (Janus handle + subscription)', ...[p, q].map((x) => `**${fmt(x.bytesPerSubscriber / 1024, 1)} KiB**`)],
      ['of which the subscription itself', ...[p, q].map((x) => `${fmt(x.bytesPerSubscription / 1024, 2)} KiB`)],
      ['Janus threads', ...[p, q].map((x) => x.rss.threads)],
      ['attach / subscribe rate (HTTP)', ...[p, q].map((x) => `${fmt(x.attachPerSecond)} / ${fmt(x.subscribePerSecond)} per s`)],
      ['one broadcaster goes live: all subscribers told within', ...[p, q].map((x) => `${fmt(x.notifyAllMs)} ms (p50 ${fmt(x.notifyP50Ms)} ms)`)],
    ]),
    '',
    '### Airtime accounting and billing callbacks',
    '',
    `${b.broadcasts.toLocaleString('en')} concurrent live broadcasts, each sending \`heartbeat\` every ${b.heartbeatInterval} s like ` +
      `onair.js, \`report_interval\` ${b.reportInterval} s (default 60: six times the production event rate), callbacks to a ` +
      `real HTTP receiver on loopback that verifies every signature. Measured over ${fmt(b.seconds, 0)} s of steady state.`,
    '',
    table(['', 'value'], [
      ['going live (signaling, ICE, DTLS), all broadcasts', `${fmt(b.setupSeconds, 1)} s (Janus CPU ${fmt(b.setupJanusCpuSeconds, 1)} s: ${b.setupThreadShares})`],
      ['all `broadcast.started` webhooks delivered after', `${fmt(b.startedDeliveredSeconds, 1)} s`],
      ['steady state: Janus CPU', `**${fmt(b.janusCpuPercent, 1)} % of a core**`],
      ['… by thread', b.threadShares],
      ['webhooks delivered / airtime reports / heartbeats answered', `${fmt(b.webhooksPerSecond, 1)} / ${fmt(b.reportsPerSecond, 1)} / ${fmt(b.heartbeatsPerSecond, 1)} per s`],
      ['Janus CPU per event (webhook or heartbeat)', `${fmt(b.cpuMsPerEvent, 2)} ms`],
      ['Janus RSS', `${fmt(b.rss.idle / MiB, 1)} MiB idle → ${fmt(b.rss.steady / MiB, 1)} MiB (${fmt(b.bytesPerBroadcast / 1024, 1)} KiB per broadcast, ${b.rss.threads} threads)`],
      ['webhooks refused / duplicated / out of order', `${b.rejectedWebhooks} / ${b.duplicateWebhooks} / ${b.orderProblems}`],
      ['outbox at the end (the plugin\'s `list_sites`): pending, parked, last error', b.outbox ? `${b.outbox.pending} / ${b.outbox.parked} / ${b.outbox.last_error || 'none'}` : '–'],
    ]),
    '',
    'The plugin delivers callbacks from one thread, one POST at a time, so their rate is bounded by the ' +
      'receiver\'s round trip; the outbox row shows whether it kept up.',
    '',
    'The steady-state CPU includes everything those broadcasts cost Janus while idle, split by thread: `hloop #` ' +
      'are Janus\' per-handle event loops (ICE keep-alives, RTCP), `janus` the threads the plugin starts (its request ' +
      'handler, its timer collecting evidence and writing the ledger, its callback sender) next to Janus\' idle main ' +
      'thread, the others Janus\' transports and its session watchdog.',
    '',
    `${r.smoke ? 'Smoke run (tiny sizes). ' : ''}${machineLine()}`,
  ];
  return lines.join('\n');
}

async function main(args) {
  const size = sizes(args.smoke);
  if (args.seconds) {
    size.watchSeconds = args.seconds;
    size.billingSeconds = args.seconds;
  }
  const result = { name: NAME, ...context(args), sizes: size };
  // One process of idle publishers serves every part (starting aiortc takes seconds).
  const publishers = new IdlePublishers();
  try {
    const watchPlain = await watchRate(publishers, { billed: false, clients: size.watchClients, seconds: size.watchSeconds });
    console.log(`watch, no callback: ${fmt(watchPlain.perSecond)}/s`);
    const watchBilled = await watchRate(publishers, { billed: true, clients: size.watchClients, seconds: size.watchSeconds });
    console.log(`watch, billed: ${fmt(watchBilled.perSecond)}/s`);
    result.watch = { plain: watchPlain, billed: watchBilled };
    result.presence = await presence(publishers, { subscribers: size.subscribers, perSession: size.perSession, eventLoops: SHARED_LOOPS });
    console.log(`presence: ${JSON.stringify(result.presence)}`);
    result.presenceOwnLoops = await presence(publishers, { subscribers: size.subscribersOwnLoops, perSession: size.perSession, eventLoops: 0 });
    console.log(`presence, a thread per handle: ${JSON.stringify(result.presenceOwnLoops)}`);
    result.billing = await billing(publishers, { broadcasts: size.broadcasts, seconds: size.billingSeconds });
    console.log(`billing: ${JSON.stringify(result.billing)}`);
  } finally {
    await publishers.close();
  }
  writeResults(NAME, result, markdown(result));
}

runMain(main);
