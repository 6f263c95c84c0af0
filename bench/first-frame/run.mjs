// SPDX-License-Identifier: GPL-3.0-or-later
// Time to first frame in headless Chromium: from the broadcaster's Allow click to the viewer's
// first rendered frame (requestVideoFrameCallback), split into phases, over many watches of one
// live broadcast. Modes: relay (the plugin forwards the media), p2p (when this build has it),
// and the baseline: two RTCPeerConnections connected directly in one page.
//
//   node bench/first-frame/run.mjs [--smoke] [--runs N] [--mode relay,p2p]
import { summarize, fmt, table, context, readResults, writeResults, runMain } from '../lib/results.mjs';
import { BENCH_P2P_SITE, BENCH_SITE, addP2pSite, startBrowserStack } from '../lib/stack.mjs';
import { benchPerson, goLive, openWatchPage, watchUntilFirstFrame } from '../lib/roles.mjs';
import { machineLine } from '../lib/machine.mjs';
import { ADMIN_SECRET } from '../../test/lib/janus.mjs';

const NAME = 'first-frame';

// The phases, in order, each as "ms after the Allow click" (prompt: ms after the watch request).
const PHASES = [
  ['offer', 'offer received'],
  ['answer', 'answer sent'],
  ['ice', 'ICE connected'],
  ['dtls', 'DTLS connected'],
  ['frame', 'first frame'],
];

const firstAfter = (marks, names, after) => {
  const found = marks.filter((m) => names.includes(m.name) && m.at >= after).sort((a, b) => a.at - b.at)[0];
  return found ? found.at : null;
};

/** The phases of one run from the viewer's marks, relative to `accept` (epoch ms). */
function phases(marks, accept, pcFilter = () => true) {
  const pcMarks = marks.filter((m) => m.pc === undefined || pcFilter(m.pc));
  const offer = firstAfter(pcMarks.filter((m) => m.jsep === 'offer'), ['in-accepted'], accept)
    ?? firstAfter(pcMarks, ['remote-offer'], accept);
  const answer = firstAfter(pcMarks.filter((m) => m.jsep === 'answer'), ['out-start'], accept)
    ?? firstAfter(pcMarks, ['local-answer'], accept);
  const answerSet = firstAfter(pcMarks, ['local-answer'], accept);
  const ice = firstAfter(pcMarks, ['ice-connected', 'ice-completed'], accept);
  const dtls = firstAfter(pcMarks, ['dtls-connected'], accept) ?? firstAfter(pcMarks, ['pc-connected'], accept);
  const frame = firstAfter(marks, ['first-frame'], accept);
  const since = (t) => (t === null ? null : t - accept);
  return { offer: since(offer), answerSet: since(answerSet), answer: since(answer), ice: since(ice), dtls: since(dtls), frame: since(frame) };
}

/** Every mark of the run as "name@ms after the click", for reading where time went. */
const timeline = (marks, accept) => marks
  .filter((m) => m.at >= accept)
  .sort((a, b) => a.at - b.at)
  .map((m) => `${m.name}${m.pc ? `#${m.pc}` : ''}${m.jsep ? `(${m.jsep})` : ''}@${Math.round(m.at - accept)}`)
  .join(' ');

/**
 * Janus' own view of the viewer's PeerConnection (Admin API handle_info): when its ICE pair was
 * selected and its DTLS handshake started and finished, as ms after the Allow click, and how
 * often it retransmitted a DTLS flight. Janus stamps these with CLOCK_MONOTONIC, the clock of
 * process.hrtime, so they are mapped to the pages' epoch clock here.
 */
async function janusSide(janus, marks, accept) {
  const accepted = marks.find((m) => m.name === 'in-accepted' && m.session && m.handle);
  if (!accepted) return null;
  const response = await fetch(`${janus.adminUrl}/${accepted.session}/${accepted.handle}`, {
    method: 'POST',
    body: JSON.stringify({ janus: 'handle_info', transaction: 'bench', admin_secret: ADMIN_SECRET }),
    signal: AbortSignal.timeout(5000),
  }).then((r) => r.json());
  const webrtc = response.info?.webrtc;
  if (!webrtc) return null;
  const epochMinusMonotonic = Date.now() - Number(process.hrtime.bigint() / 1000n) / 1000;
  const at = (us) => (typeof us === 'number' && us > 0 ? us / 1000 + epochMinusMonotonic - accept : null);
  return {
    iceSelected: at(webrtc.ice?.connected),
    dtlsStarted: at(webrtc.dtls?.['handshake-started']),
    dtlsConnected: at(webrtc.dtls?.connected),
    dtlsRetransmissions: webrtc.dtls?.retransmissions ?? null,
    dtlsRole: webrtc.dtls?.['dtls-role'] ?? null,
  };
}

async function relayRuns(stack, { site, runs, mode }) {
  const target = `b-${mode}`;
  const broadcaster = await goLive(stack, { site: site.key, user: target });
  const viewer = await benchPerson(stack, `viewer ${mode}`);
  const samples = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      const user = `v-${mode}-${run}`;
      await broadcaster.page.evaluate(() => { window.__accepts = {}; window.__bench.marks.length = 0; });
      await openWatchPage(stack, viewer, { site: site.key, target, user });
      const requestId = await watchUntilFirstFrame(viewer.page, { target, user });
      const seen = await broadcaster.page.evaluate((id) => {
        const entries = Object.entries(window.__accepts);
        const entry = (id && window.__accepts[id]) || (entries.length === 1 ? entries[0][1] : null);
        return { entry, marks: window.__bench.marks };
      }, requestId);
      const { marks, frames } = await viewer.page.evaluate(() => ({ marks: window.__bench.marks, frames: window.__bench.frames }));
      if (!seen.entry || !seen.entry.accept) throw new Error(`run ${run}: the broadcaster page saw no Allow click (${JSON.stringify(seen)})`);
      const accept = seen.entry.accept;
      const requested = firstAfter(marks, ['out-watch'], 0);
      const promptAt = firstAfter(seen.marks, ['in-watch_request'], 0) ?? seen.entry.prompt;
      const sample = { run, prompt: requested === null ? null : promptAt - requested, ...phases(marks, accept) };
      sample.size = frames[0] ? `${frames[0].width}x${frames[0].height}` : null;
      sample.timeline = timeline(marks, accept);
      sample.janus = await janusSide(stack.janus, marks, accept).catch((error) => ({ error: error.message }));
      samples.push(sample);
      console.log(`${mode} run ${run}: prompt ${fmt(sample.prompt)} ms, Allow → first frame ${fmt(sample.frame)} ms; Janus ${JSON.stringify(sample.janus)}`);
      await viewer.page.evaluate(() => window.OnAir.stop());
    }
  } finally {
    await viewer.close();
    await broadcaster.page.evaluate(() => window.OnAir.stop()).catch(() => {});
    await broadcaster.close();
  }
  return samples;
}

async function baselineRuns(stack, { runs }) {
  const person = await benchPerson(stack, 'baseline', { camera: true });
  const samples = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      await person.page.goto(stack.pages.url('/blank'));
      await person.page.evaluate(() => window.__bench.baseline({ audio: true }));
      await person.page.waitForFunction(() => window.__bench.first('first-frame') !== null, null, { timeout: 15_000, polling: 20 });
      const { marks, frames } = await person.page.evaluate(() => ({ marks: window.__bench.marks, frames: window.__bench.frames }));
      const accept = firstAfter(marks, ['accept'], 0);
      // The receiving PeerConnection is the second one the page made.
      const sample = { run, prompt: null, ...phases(marks, accept, (pc) => pc === 2) };
      sample.size = frames[0] ? `${frames[0].width}x${frames[0].height}` : null;
      sample.timeline = timeline(marks, accept);
      samples.push(sample);
      console.log(`baseline run ${run}: start → first frame ${fmt(sample.frame)} ms`);
      await person.page.evaluate(() => window.__bench.closeBaseline());
    }
  } finally {
    await person.close();
  }
  return samples;
}

function summaryOf(samples) {
  const out = { runs: samples.length };
  for (const key of ['prompt', 'answerSet', ...PHASES.map(([k]) => k)]) out[key] = summarize(samples.map((s) => s[key]));
  return out;
}

function markdown(result) {
  const rows = [];
  const label = { relay: 'OnAir relay (sfu)', p2p: 'OnAir peer-to-peer', baseline: 'baseline: two PeerConnections in one page' };
  for (const mode of ['relay', 'p2p', 'baseline']) {
    const entry = result.modes[mode];
    if (!entry) continue;
    if (entry.unavailable) {
      rows.push([label[mode], entry.unavailable, '', '', '', '', '', '', '']);
      continue;
    }
    const s = entry.summary;
    rows.push([
      label[mode], s.runs, fmt(s.prompt.p50), fmt(s.offer.p50), fmt(s.answer.p50), fmt(s.ice.p50), fmt(s.dtls.p50),
      `**${fmt(s.frame.p50)}**`, fmt(s.frame.p95),
    ]);
  }
  const relay = result.modes.relay?.summary;
  const base = result.modes.baseline?.summary;
  const lines = [
    '## Time to first frame',
    '',
    'From the broadcaster\'s **Allow** click to the viewer\'s first rendered frame ' +
      '(`requestVideoFrameCallback`, expected display time), in headless Chromium ' +
      `(${result.chromium}), both pages in one browser, Janus on the namespace's veth. ` +
      'Phases are p50 milliseconds after the click, read from the pages: the Janus messages on the WebSocket ' +
      '(offer received = the `accepted` event with the offer arrives; answer sent = `start` with the answer leaves), ' +
      'the viewer RTCPeerConnection\'s ICE state and its DTLS transport\'s state. *Prompt* is the time from the ' +
      'viewer\'s `watch` request leaving to the broadcaster\'s `watch_request` arriving (before the click). ' +
      'The baseline starts its clock when it begins negotiating; its camera is already open, like a live broadcaster\'s.',
    '',
    table(['mode', 'runs', 'prompt', 'offer', 'answer', 'ICE', 'DTLS', 'first frame p50', 'p95'], rows),
  ];
  if (relay && base && relay.frame.p50 !== null && base.frame.p50 !== null) {
    // Per-run step durations, then their medians: the median of a difference, not a difference
    // of medians.
    const steps = [
      ['Allow → offer received', null, 'offer'],
      ['offer received → answer made (createAnswer, setLocalDescription)', 'offer', 'answerSet'],
      ['answer made → answer sent', 'answerSet', 'answer'],
      ['answer sent → ICE connected', 'answer', 'ice'],
      ['ICE connected → DTLS connected', 'ice', 'dtls'],
      ['DTLS connected → first frame', 'dtls', 'frame'],
    ];
    const median = (mode, from, to) => summarize(result.modes[mode].samples.map((x) => {
      if (x[to] === null || (from && x[from] === null)) return null;
      return x[to] - (from ? x[from] : 0);
    })).p50;
    lines.push('', 'Where the time goes (median ms of each step over the runs):', '',
      table(['step', 'relay', 'baseline', 'difference'], steps.map(([title, from, to]) => {
        const r = median('relay', from, to);
        const b = median('baseline', from, to);
        return [title, fmt(r), fmt(b), fmt(r !== null && b !== null ? r - b : null)];
      })));
    const janusRuns = result.modes.relay.samples.filter((x) => x.janus && !x.janus.error && x.janus.dtlsConnected !== null && x.ice !== null && x.dtls !== null);
    if (janusRuns.length) {
      const p50 = (f) => summarize(janusRuns.map(f)).p50;
      const retransmitted = janusRuns.filter((x) => x.janus.dtlsRetransmissions > 0).length;
      lines.push('', `The DTLS step seen from both ends (relay runs; Janus' times from the Admin API \`handle_info\` of the viewer's handle; median ms; Janus is the DTLS server, \`${janusRuns[0].janus.dtlsRole}\`):`, '',
        table(['browser ICE connected → Janus ICE pair selected', 'Janus pair selected → handshake started', 'handshake on Janus', 'Janus DTLS connected → browser DTLS connected', 'runs with DTLS retransmissions'], [[
          fmt(p50((x) => x.janus.iceSelected - x.ice)), fmt(p50((x) => x.janus.dtlsStarted - x.janus.iceSelected)),
          fmt(p50((x) => x.janus.dtlsConnected - x.janus.dtlsStarted)), fmt(p50((x) => x.dtls - x.janus.dtlsConnected)),
          `${retransmitted} of ${janusRuns.length}`,
        ]]));
    }
    lines.push('', result.note);
  }
  lines.push('', `Runs: ${result.runs} per mode${result.smoke ? ' (smoke run)' : ''}. ${machineLine()}`);
  return lines.join('\n');
}

// What Janus' handle_info says about the DTLS step of the relay runs, as a sentence.
function dtlsWhy(result) {
  const runs = result.modes.relay.samples.filter((x) => x.janus && !x.janus.error && x.janus.dtlsConnected !== null && x.ice !== null && x.dtls !== null);
  if (!runs.length) return 'the handshake crosses Janus\' DTLS stack (Janus\' own timings were not available in this run)';
  const retransmitted = runs.filter((x) => x.janus.dtlsRetransmissions > 0).length;
  return 'Janus selects its ICE pair shortly after the browser reports ICE connected and starts the handshake at once ' +
    `(table above); ${retransmitted === 0 ? 'no flight was retransmitted, so the time is' : `flights were retransmitted in ${retransmitted} runs; besides, the time is`} ` +
    'the handshake itself (certificate signatures on two busy cores) and the browser noticing its end';
}

function note(result) {
  const median = (mode, from, to) => summarize(result.modes[mode].samples.map((x) => (x[to] === null || x[from] === null ? null : x[to] - x[from]))).p50;
  const r = result.modes.relay.summary;
  const b = result.modes.baseline.summary;
  const extra = r.frame.p50 - b.frame.p50;
  // A step is explained when it is clearly slower than in the page; otherwise it is on par.
  const step = (from, to, title, why) => {
    const relay = median('relay', from, to);
    const base = median('baseline', from, to);
    if (relay === null || base === null) return null;
    const figures = `(${fmt(relay)} vs ${fmt(base)} ms)`;
    return relay - base > 20 ? `*${title}* ${figures}: ${why}` : `*${title}* ${figures} is on par with the page`;
  };
  const steps = [
    step('offer', 'answerSet', 'answering the offer', 'janus.js, inside onair.js, creates the viewer\'s PeerConnection only when ' +
      'the `accepted` event with the offer arrives, then applies the offer and answers; in the page the receiving ' +
      'PeerConnection exists before the offer does'),
    step('ice', 'dtls', 'DTLS after ICE', dtlsWhy(result)),
    step('dtls', 'frame', 'the first frame after DTLS', 'the relay needs a keyframe from the broadcaster\'s running ' +
      'encoder; the plugin asks for one (PLI) the moment the viewer\'s PeerConnection is up, and it is encoded, paced ' +
      'out at the broadcaster\'s bitrate and forwarded, while the baseline\'s new encoder starts with a keyframe'),
  ].filter(Boolean);
  return `OnAir's relay takes ${fmt(r.frame.p50)} ms at p50 against ${fmt(b.frame.p50)} ms for the in-page baseline ` +
    `(${extra >= 0 ? '+' : ''}${fmt(extra)} ms). By step: ${steps.join('; ')}.`;
}

async function main(args) {
  if (args.render) {
    const result = readResults(NAME);
    if (result.modes.relay?.summary && result.modes.baseline?.summary) result.note = note(result);
    writeResults(NAME, result, markdown(result));
    return;
  }
  const runs = args.runs ?? (args.smoke ? 3 : 20);
  const modes = args.modes ?? ['relay', 'p2p'];
  const stack = await startBrowserStack();
  const result = { name: NAME, ...context(args), runs, chromium: stack.browser.version(), modes: {} };
  try {
    for (const mode of modes) {
      if (mode === 'relay') {
        const samples = await relayRuns(stack, { site: BENCH_SITE, runs, mode });
        result.modes.relay = { samples, summary: summaryOf(samples) };
      } else if (mode === 'p2p') {
        const unavailable = await addP2pSite(stack.janus);
        if (unavailable) {
          console.log(`p2p: ${unavailable}`);
          result.modes.p2p = { unavailable };
        } else {
          const samples = await relayRuns(stack, { site: BENCH_P2P_SITE, runs, mode });
          result.modes.p2p = { samples, summary: summaryOf(samples) };
        }
      } else {
        throw new Error(`unknown mode ${mode} (relay, p2p)`);
      }
    }
    const samples = await baselineRuns(stack, { runs });
    result.modes.baseline = { samples, summary: summaryOf(samples) };
  } finally {
    await stack.stop();
  }
  for (const [mode, entry] of Object.entries(result.modes)) {
    if (entry.summary && entry.summary.frame.n < entry.summary.runs) throw new Error(`${mode}: ${entry.summary.runs - entry.summary.frame.n} runs saw no first frame`);
  }
  if (result.modes.relay && result.modes.baseline) result.note = note(result);
  writeResults(NAME, result, markdown(result));
}

runMain(main);
