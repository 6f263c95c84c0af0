// SPDX-License-Identifier: GPL-3.0-or-later
// Embed cost: onair.js' size gzipped (against its 45 KB budget) and as nginx sends it, and the
// time from the script's download to 100 watch buttons bound (data-onair-state set on each) in
// Chromium, plus to the one live target's button shown (the wrapper connected to Janus,
// subscribed to presence and heard back). A fresh browser context per run: nothing cached.
//
//   node bench/embed/run.mjs [--smoke] [--runs N]
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { ONAIR_JS } from '../../test/lib/web.mjs';
import { IdlePublishers } from '../lib/idle_publishers.mjs';
import { machineLine } from '../lib/machine.mjs';
import { context, fmt, runMain, summarize, table, writeResults } from '../lib/results.mjs';
import { BENCH_SITE, startBrowserStack } from '../lib/stack.mjs';

const NAME = 'embed';
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

async function measure(stack, runs) {
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    const context = await stack.browser.newContext();
    try {
      await context.addInitScript(watchButtons, { count: BUTTONS, live: LIVE_TARGET });
      const page = await context.newPage();
      await page.goto(stack.pages.url('/buttons', { site: BENCH_SITE.key, n: BUTTONS, user: 'visitor', prefix: 't' }));
      await page.waitForFunction(() => window.__embed.bound !== null && window.__embed.live !== null, null, { timeout: 15_000, polling: 20 });
      const sample = await page.evaluate(() => {
        const script = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/onair.js'));
        const e = window.__embed;
        return {
          downloaded: script ? script.responseEnd : null,
          ready: e.ready,
          bound: e.bound,
          live: e.live,
          ws: e.ws,
        };
      });
      const from = sample.downloaded;
      const conversation = sample.ws.map(([what, at]) => `${what}@${Math.round(at - from)}`).join(' ');
      const at = (what, nth = 0) => {
        const found = sample.ws.filter(([name]) => name === what)[nth];
        return found ? found[1] - from : null;
      };
      samples.push({
        run, downloadedAt: from, ready: sample.ready - from, bound: sample.bound - from, live: sample.live - from,
        wsConnect: at('connect'), wsOpen: at('open'), sessionCreated: at('in success', 0), attached: at('in success', 1),
        presenceAnswered: at('in event presence'), conversation,
      });
      console.log(`run ${run}: downloaded at ${fmt(from)} ms, ${BUTTONS} bound +${fmt(sample.bound - from, 1)} ms, live shown +${fmt(sample.live - from)} ms; ${conversation}`);
    } finally {
      await context.close();
    }
  }
  return samples;
}

function markdown(r) {
  const s = r.summary;
  return [
    '## Embed cost',
    '',
    table(['', 'bytes', ''], [
      ['`js/dist/onair.js`', r.size.raw.toLocaleString('en'), 'minified'],
      ['gzip (`gzip -c`, level 6)', `**${r.size.gzip.toLocaleString('en')}**`, `${fmt((100 * r.size.gzip) / BUDGET, 1)} % of the 45 KB budget (${BUDGET.toLocaleString('en')} bytes)`],
      ['brotli (level 11)', r.size.brotli.toLocaleString('en'), ''],
      [`as nginx sends it (\`conf/run/nginx.conf\`, ${r.size.wire.encoding})`, r.size.wire.bytes.toLocaleString('en'), ''],
    ]),
    '',
    r.size.wire.bytes > r.size.gzip * 1.05
      ? `nginx compresses on the fly at its default \`gzip_comp_level\` 1, so visitors download ${fmt((100 * (r.size.wire.bytes - r.size.gzip)) / r.size.gzip)} % more ` +
        'than the budgeted size. The production site (`conf/nginx/onair.conf`) has `gzip_static on`: ship `onair.js.gz` made with ' +
        '`gzip -9` beside `onair.js` (or set `gzip_comp_level 6`) and the wire size is the gzip row.\n'
      : '',
    `A page with ${BUTTONS} watch buttons and the script tag (\`async\`), loaded in a fresh Chromium context each run ` +
      `(${r.runs} runs). Times are from the moment the script finished downloading (Resource Timing \`responseEnd\`), ` +
      'so they contain parsing, evaluation, binding, and for the last column connecting to Janus over WebSocket, ' +
      'attaching and the presence round trip that reveals the one target who is live.',
    '',
    table(['', 'p50 ms', 'p95 ms'], [
      ['`onair:ready` on document', fmt(s.ready.p50, 1), fmt(s.ready.p95, 1)],
      [`all ${BUTTONS} buttons bound (\`data-onair-state\` set)`, `**${fmt(s.bound.p50, 1)}**`, fmt(s.bound.p95, 1)],
      ['the WebSocket to Janus (through nginx) created', fmt(s.wsConnect.p50, 1), fmt(s.wsConnect.p95, 1)],
      ['… open', fmt(s.wsOpen.p50, 1), fmt(s.wsOpen.p95, 1)],
      ['… Janus session created', fmt(s.sessionCreated.p50, 1), fmt(s.sessionCreated.p95, 1)],
      ['… plugin handle attached', fmt(s.attached.p50, 1), fmt(s.attached.p95, 1)],
      ['… `presence` answered', fmt(s.presenceAnswered.p50, 1), fmt(s.presenceAnswered.p95, 1)],
      ['the live target\'s button shown', `**${fmt(s.live.p50, 1)}**`, fmt(s.live.p95, 1)],
    ]),
    '',
    'Binding is quick; what the visitor waits for is the connection. The wrapper opens its WebSocket only ' +
      `${fmt(s.wsConnect.p50)} ms (p50) after the download, and the socket takes ${fmt(s.wsOpen.p50 - s.wsConnect.p50)} ms to open; ` +
      `from open to the presence answer are three round trips (create, attach, presence: ${fmt(s.presenceAnswered.p50 - s.wsOpen.p50)} ms).`,
    '',
    `${r.smoke ? 'Smoke run. ' : ''}${machineLine()}`,
  ].join('\n');
}

async function main(args) {
  const runs = args.runs ?? (args.smoke ? 3 : 20);
  const source = readFileSync(ONAIR_JS);
  const size = {
    raw: source.length,
    gzip: gzipSync(source, { level: 6 }).length,
    brotli: brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  const stack = await startBrowserStack();
  const publishers = new IdlePublishers();
  const result = { name: NAME, ...context(args), runs, buttons: BUTTONS, budget: BUDGET, chromium: stack.browser.version() };
  try {
    size.wire = await wireSize(`${stack.nginx.origin}/onair.js`);
    result.size = size;
    console.log(`onair.js: ${size.raw} bytes, gzip ${size.gzip}, brotli ${size.brotli}, nginx ${size.wire.bytes} (${size.wire.encoding})`);
    await publishers.goLive(stack.janus, BENCH_SITE, [LIVE_TARGET], { concurrency: 1 });
    result.samples = await measure(stack, runs);
  } finally {
    await publishers.close();
    await stack.stop();
  }
  result.summary = Object.fromEntries(['ready', 'bound', 'wsConnect', 'wsOpen', 'sessionCreated', 'attached', 'presenceAnswered', 'live']
    .map((key) => [key, summarize(result.samples.map((x) => x[key]))]));
  writeResults(NAME, result, markdown(result));
}

runMain(main);
