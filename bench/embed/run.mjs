// SPDX-License-Identifier: GPL-3.0-or-later
// Embed cost: the size of onair.js, the script tag, gzipped (against its 45 KB budget) and as
// nginx sends it, and of the media half onair-media.js that a page adds on its first broadcast or
// watch (its own 45 KB budget); the time from the script's download to 100 watch buttons bound
// (data-onair-state set on each) in Chromium, plus to the one live target's button shown (the
// wrapper connected to Janus, subscribed to presence and heard back), and that such a page never
// fetches the media half. A fresh browser context per run: nothing cached. `--baseline FILE`
// measures another build's onair.js (e.g. main's, before the split) in the same run, its runs
// interleaved with these.
//
//   node bench/embed/run.mjs [--smoke] [--runs N] [--baseline path/to/onair.js]
//   ONAIR_EMBED_BASELINE=path/to/onair.js bench/run --only embed
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { ONAIR_JS, ONAIR_MEDIA_JS } from '../../test/lib/web.mjs';
import { IdlePublishers } from '../lib/idle_publishers.mjs';
import { machineLine } from '../lib/machine.mjs';
import { context, fmt, runMain, summarize, table, writeResults } from '../lib/results.mjs';
import { BENCH_SITE, startBrowserStack } from '../lib/stack.mjs';

const NAME = 'embed';
/** Each bundle's, gzipped (js/build.mjs). */
const BUDGET = 45 * 1024;
const BUTTONS = 100;
const LIVE_TARGET = 't7';

/** Bytes nginx puts on the wire for onair.js when the browser accepts gzip. */
function wireSize(url) {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => { bytes += chunk.length; });
      response.on('end', () => resolve({ bytes, encoding: response.headers['content-encoding'] ?? 'identity' }));
    }).on('error', reject).end();
  });
}

// In the page, before its scripts: the moments the buttons get bound and the live one shown.
function watchButtons({ count, live }) {
  const times = { bound: null, live: null, ready: null };
  window.__embed = times;
  const now = () => performance.now();
  document.addEventListener('onair:ready', () => { times.ready = now(); });
  // The Janus conversation, to see where the time to the live button goes.
  times.ws = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      times.ws.push(['connect', now()]);
      this.addEventListener('open', () => times.ws.push(['open', now()]));
      this.addEventListener('message', (event) => {
        const message = JSON.parse(event.data);
        times.ws.push([`in ${message.janus}${message.plugindata ? ` ${message.plugindata.data?.result?.event}` : ''}`, now()]);
      });
    }

    send(data) {
      const message = JSON.parse(data);
      times.ws.push([`out ${message.janus}${message.body ? ` ${message.body.request}` : ''}`, now()]);
      super.send(data);
    }
  };
  new MutationObserver(() => {
    if (times.bound === null && document.querySelectorAll('[data-onair][data-onair-state]').length >= count) times.bound = now();
    const liveButton = document.querySelector(`[data-onair-target="${live}"][data-onair-state="live"]`);
    if (times.live === null && liveButton) times.live = now();
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-onair-state'] });
}

/** One run of the 100-button page; `variant`: 'onair' (this build) or 'baseline'. */
async function measureOnce(stack, run, variant) {
  const context = await stack.browser.newContext();
  try {
    await context.addInitScript(watchButtons, { count: BUTTONS, live: LIVE_TARGET });
    const page = await context.newPage();
    const query = { site: BENCH_SITE.key, n: BUTTONS, user: 'visitor', prefix: 't', ...(variant === 'baseline' ? { script: 'baseline' } : {}) };
    await page.goto(stack.pages.url('/buttons', query));
    await page.waitForFunction(() => window.__embed.bound !== null && window.__embed.live !== null, null, { timeout: 15_000, polling: 20 });
    const sample = await page.evaluate(() => {
      const resources = performance.getEntriesByType('resource');
      const script = resources.find((entry) => entry.name.endsWith('/onair.js'));
      const e = window.__embed;
      return {
        downloaded: script ? script.responseEnd : null,
        ready: e.ready,
        bound: e.bound,
        live: e.live,
        ws: e.ws,
        mediaFetched: resources.filter((entry) => /\/onair-media\.js(\?|$)/.test(entry.name)).length,
      };
    });
    const from = sample.downloaded;
    const conversation = sample.ws.map(([what, at]) => `${what}@${Math.round(at - from)}`).join(' ');
    const at = (what, nth = 0) => {
      const found = sample.ws.filter(([name]) => name === what)[nth];
      return found ? found[1] - from : null;
    };
    console.log(`run ${run} ${variant}: downloaded at ${fmt(from)} ms, ${BUTTONS} bound +${fmt(sample.bound - from, 1)} ms, live shown +${fmt(sample.live - from)} ms; ${conversation}`);
    return {
      run, variant, downloadedAt: from, ready: sample.ready - from, bound: sample.bound - from, live: sample.live - from,
      wsConnect: at('connect'), wsOpen: at('open'), sessionCreated: at('in success', 0), attached: at('in success', 1),
      presenceAnswered: at('in event presence'), mediaFetched: sample.mediaFetched, conversation,
    };
  } finally {
    await context.close();
  }
}

/** `runs` runs of this build, each followed by one of the baseline when there is one. */
async function measure(stack, runs, withBaseline) {
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    samples.push(await measureOnce(stack, run, 'onair'));
    if (withBaseline) samples.push(await measureOnce(stack, run, 'baseline'));
  }
  return samples;
}

const KEYS = ['ready', 'bound', 'wsConnect', 'wsOpen', 'sessionCreated', 'attached', 'presenceAnswered', 'live'];

function summaryOf(samples) {
  return Object.fromEntries(KEYS.map((key) => [key, summarize(samples.map((x) => x[key]))]));
}

/** Raw, gzip (level 6, as `gzip -c` and js/build.mjs) and brotli sizes of a file. */
function sizes(path) {
  const source = readFileSync(path);
  return {
    raw: source.length,
    gzip: gzipSync(source, { level: 6 }).length,
    brotli: brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const bytes = (n) => n.toLocaleString('en');
const ofBudget = (gzip) => `${fmt((100 * gzip) / BUDGET, 1)} % of its 45 KB budget (${bytes(BUDGET)} bytes)`;

function markdown(r) {
  const s = r.summary;
  const b = r.baselineSummary;
  const size = r.size;
  const timing = (label, key, strong = false) => {
    const p50 = strong ? `**${fmt(s[key].p50, 1)}**` : fmt(s[key].p50, 1);
    return [label, p50, fmt(s[key].p95, 1), ...(b ? [fmt(b[key].p50, 1), fmt(b[key].p95, 1)] : [])];
  };
  const mediaFetches = r.samples.filter((x) => x.variant === 'onair').reduce((sum, x) => sum + x.mediaFetched, 0);
  return [
    '## Embed cost',
    '',
    table(['', 'bytes', ''], [
      ['`js/dist/onair.js`, the script tag', bytes(size.onair.raw), 'minified'],
      ['… gzip (`gzip -c`, level 6)', `**${bytes(size.onair.gzip)}**`, ofBudget(size.onair.gzip)],
      ['… brotli (level 11)', bytes(size.onair.brotli), ''],
      [`… as nginx sends it (\`conf/run/nginx.conf\`, ${size.wire.encoding})`, bytes(size.wire.bytes), ''],
      ['`js/dist/onair-media.js`, loaded on a page\'s first broadcast or watch', bytes(size.media.raw), 'minified'],
      ['… gzip (`gzip -c`, level 6)', `**${bytes(size.media.gzip)}**`, ofBudget(size.media.gzip)],
      ['… brotli (level 11)', bytes(size.media.brotli), ''],
      ...(size.baseline ? [[`baseline: \`${r.baselineLabel}\`, gzip`, bytes(size.baseline.gzip), `${bytes(size.baseline.raw)} minified`]] : []),
    ]),
    '',
    size.wire.bytes > size.onair.gzip * 1.05
      ? `nginx compresses on the fly at its default \`gzip_comp_level\` 1, so visitors download ${fmt((100 * (size.wire.bytes - size.onair.gzip)) / size.onair.gzip)} % more ` +
        'than the budgeted size. The production site (`conf/nginx/onair.conf`) has `gzip_static on`: ship `onair.js.gz` (and `onair-media.js.gz`) made with ' +
        '`gzip -9` beside them (or set `gzip_comp_level 6`) and the wire size is the gzip row.\n'
      : '',
    `A page with ${BUTTONS} watch buttons and the script tag (\`async\`), loaded in a fresh Chromium context each run ` +
      `(${r.runs} runs${b ? ', each followed by one of the baseline' : ''}). Times are from the moment the script finished downloading (Resource Timing \`responseEnd\`), ` +
      'so they contain parsing, evaluation, binding, and for the last column connecting to Janus over WebSocket, ' +
      'attaching and the presence round trip that reveals the one target who is live. ' +
      `Such a page fetched \`onair-media.js\` ${mediaFetches === 0 ? 'in none' : `${mediaFetches} times in`} of its ${r.runs} runs.`,
    '',
    table(['', 'p50 ms', 'p95 ms', ...(b ? ['baseline p50 ms', 'baseline p95 ms'] : [])], [
      timing('`onair:ready` on document', 'ready'),
      timing(`all ${BUTTONS} buttons bound (\`data-onair-state\` set)`, 'bound', true),
      timing('the WebSocket to Janus (through nginx) created', 'wsConnect'),
      timing('… open', 'wsOpen'),
      timing('… Janus session created', 'sessionCreated'),
      timing('… plugin handle attached', 'attached'),
      timing('… `presence` answered', 'presenceAnswered'),
      timing('the live target\'s button shown', 'live', true),
    ]),
    '',
    'Binding is quick; what the visitor waits for is the connection. The wrapper opens its WebSocket ' +
      `${fmt(s.wsConnect.p50)} ms (p50) after the download, and the socket takes ${fmt(s.wsOpen.p50 - s.wsConnect.p50)} ms to open; ` +
      `from open to the presence answer are three round trips (create, attach, presence: ${fmt(s.presenceAnswered.p50 - s.wsOpen.p50)} ms).`,
    '',
    ...(b ? [
      `Against the baseline, measured in the same run with its runs interleaved (both saw the same machine load): the ${BUTTONS} buttons ` +
        `are bound in ${fmt(s.bound.p50, 1)} ms (p50) instead of ${fmt(b.bound.p50, 1)} ms, from a script of ${bytes(size.onair.gzip)} bytes gzipped ` +
        `instead of ${bytes(size.baseline.gzip)}; the live target's button shows after ${fmt(s.live.p50)} ms instead of ${fmt(b.live.p50)} ms.`,
      '',
    ] : []),
    `${r.smoke ? 'Smoke run. ' : ''}${machineLine()}`,
  ].join('\n');
}

async function main(args) {
  const runs = args.runs ?? (args.smoke ? 3 : 20);
  // bench/run passes no options through: the baseline may come from the environment.
  args.baseline ??= process.env.ONAIR_EMBED_BASELINE || null;
  const size = { onair: sizes(ONAIR_JS), media: sizes(ONAIR_MEDIA_JS), ...(args.baseline ? { baseline: sizes(args.baseline) } : {}) };
  const stack = await startBrowserStack({ baseline: args.baseline });
  const publishers = new IdlePublishers();
  const result = {
    name: NAME, ...context(args), runs, buttons: BUTTONS, budget: BUDGET, chromium: stack.browser.version(),
    ...(args.baseline ? { baselineLabel: process.env.ONAIR_BASELINE_LABEL || args.baseline } : {}),
  };
  try {
    size.wire = await wireSize(`${stack.nginx.origin}/onair.js`);
    result.size = size;
    for (const [name, one] of Object.entries(size)) if (one.raw) console.log(`${name}: ${one.raw} bytes, gzip ${one.gzip}, brotli ${one.brotli}`);
    console.log(`onair.js as nginx sends it: ${size.wire.bytes} (${size.wire.encoding})`);
    await publishers.goLive(stack.janus, BENCH_SITE, [LIVE_TARGET], { concurrency: 1 });
    result.samples = await measure(stack, runs, Boolean(args.baseline));
  } finally {
    await publishers.close();
    await stack.stop();
  }
  result.summary = summaryOf(result.samples.filter((x) => x.variant === 'onair'));
  if (args.baseline) result.baselineSummary = summaryOf(result.samples.filter((x) => x.variant === 'baseline'));
  writeResults(NAME, result, markdown(result));
}

runMain(main);
