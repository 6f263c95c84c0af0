// SPDX-License-Identifier: GPL-3.0-or-later
// Glass-to-glass latency in headless Chromium: the broadcaster's "camera" is a canvas whose pixels
// encode the time each frame was drawn (instrument.mjs), the viewer reads that time back from
// every frame it renders (requestVideoFrameCallback + drawImage) and subtracts it from the frame's
// expected display time. Relay (and p2p when this build has it) against the same canvas sent
// between two RTCPeerConnections in one page.
//
//   node bench/glass-to-glass/run.mjs [--smoke] [--seconds N] [--mode relay,p2p]
import { summarize, fmt, table, context, writeResults, runMain } from '../lib/results.mjs';
import { BENCH_P2P_SITE, BENCH_SITE, addP2pSite, startBrowserStack } from '../lib/stack.mjs';
import { benchPerson, goLive, openWatchPage, watchUntilFirstFrame } from '../lib/roles.mjs';
import { machineLine } from '../lib/machine.mjs';

const NAME = 'glass-to-glass';
// Frames of the first seconds are skipped: the encoder starts low and ramps its bitrate up.
const WARMUP_MS = 4000;
const SMOKE_WARMUP_MS = 1000;

async function decodePlayer(page, ms) {
  return page.evaluate(async (duration) => {
    const video = document.querySelector('onair-widget').shadowRoot.querySelector('[data-part="player"] video');
    if (!video) throw new Error('no player video');
    return window.__bench.decode(video, duration);
  }, ms);
}

async function onairLatency(stack, { site, mode, seconds, warmup }) {
  const target = `g-${mode}`;
  const user = `gv-${mode}`;
  const broadcaster = await goLive(stack, { site: site.key, user: target, canvasCamera: true });
  const viewer = await benchPerson(stack, `viewer ${mode}`);
  try {
    await openWatchPage(stack, viewer, { site: site.key, target, user });
    await watchUntilFirstFrame(viewer.page, { target, user });
    await viewer.page.waitForTimeout(warmup);
    const decoded = await decodePlayer(viewer.page, seconds * 1000);
    decoded.webrtc = {
      viewer: await viewer.page.evaluate(() => window.__bench.mediaStats()),
      broadcaster: await broadcaster.page.evaluate(() => window.__bench.mediaStats()),
    };
    return decoded;
  } finally {
    await viewer.page.evaluate(() => window.OnAir.stop()).catch(() => {});
    await viewer.close();
    await broadcaster.page.evaluate(() => window.OnAir.stop()).catch(() => {});
    await broadcaster.close();
  }
}

async function baselineLatency(stack, { seconds, warmup }) {
  const person = await benchPerson(stack, 'baseline', { camera: true });
  try {
    await person.page.goto(stack.pages.url('/blank'));
    return await person.page.evaluate(async ({ ms, warmup }) => {
      const video = await window.__bench.baseline({ clock: true, audio: true });
      while (window.__bench.first('first-frame') === null) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, warmup));
      const decoded = await window.__bench.decode(video, ms);
      const stats = await window.__bench.mediaStats();
      decoded.webrtc = { viewer: stats.filter((x) => x.direction === 'in'), broadcaster: stats.filter((x) => x.direction === 'out') };
      window.__bench.closeBaseline();
      return decoded;
    }, { ms: seconds * 1000, warmup });
  } finally {
    await person.close();
  }
}

function summaryOf({ samples, rejected, webrtc }, seconds) {
  const sizes = [...new Set(samples.map((s) => `${s.width}x${s.height}`))];
  const inbound = (kind) => webrtc.viewer.find((x) => x.direction === 'in' && x.kind === kind) ?? {};
  const sender = webrtc.broadcaster.find((x) => x.direction === 'out') ?? {};
  return {
    webrtc,
    videoJitterMs: inbound('video').jitterMs ?? null,
    audioJitterMs: inbound('audio').jitterMs ?? null,
    videoJitterBufferMs: inbound('video').jitterBufferMs ?? null,
    audioJitterBufferMs: inbound('audio').jitterBufferMs ?? null,
    framesDropped: inbound('video').framesDropped ?? null,
    decodeMs: inbound('video').decodeMs ?? null,
    sentFps: sender.framesPerSecond ?? null,
    qualityLimitation: sender.qualityLimitation ?? null,
    frames: samples.length,
    rejected,
    fps: samples.length / seconds,
    sizes,
    latency: summarize(samples.map((s) => s.latency)),
    toReceive: summarize(samples.map((s) => s.toReceive)),
    afterReceive: summarize(samples.map((s) => (s.toReceive === null ? null : s.latency - s.toReceive))),
  };
}

function markdown(result) {
  const label = { relay: 'OnAir relay (sfu)', p2p: 'OnAir peer-to-peer', baseline: 'baseline: two PeerConnections in one page' };
  const rows = [];
  for (const mode of ['relay', 'p2p', 'baseline']) {
    const entry = result.modes[mode];
    if (!entry) continue;
    if (entry.unavailable) {
      rows.push([label[mode], entry.unavailable, '', '', '', '', '']);
      continue;
    }
    const s = entry.summary;
    rows.push([label[mode], `${s.frames} (${fmt(s.fps, 1)}/s)`, `**${fmt(s.latency.p50, 1)}**`, fmt(s.latency.p95, 1),
      fmt(s.toReceive.p50, 1), fmt(s.afterReceive.p50, 1), s.sizes.join(', ')]);
  }
  const lines = [
    '## Glass-to-glass latency',
    '',
    'The broadcaster\'s camera is replaced (an init script overriding `getUserMedia`) by a 640×480 canvas redrawn ' +
      '30 times a second with the current time as 40 black or white blocks (32 bits of epoch milliseconds and a ' +
      'checksum). The viewer reads the blocks of every frame it renders (`requestVideoFrameCallback`, then ' +
      '`drawImage` and `getImageData`) and takes *expected display time − encoded time*. Both pages share the ' +
      `machine's clock. ${result.warmup_ms / 1000} s of warm-up, then ${result.seconds} s of frames per mode; ` +
      'frames whose checksum fails are dropped (counted in the JSON). *To last packet* is encoded time → the ' +
      'frame\'s last RTP packet received (`receiveTime`: capture, encode, network, relay); *after* is what the ' +
      'receiver adds (jitter buffer, decode, render).',
    '',
    table(['mode', 'frames', 'p50 ms', 'p95 ms', 'to last packet p50', 'after p50', 'size'], rows),
    '',
    'What WebRTC reports at the end (`getStats`): the packet arrival jitter the viewer measures (RFC 3550) and its ' +
      'average jitter-buffer delay, for video and audio; video frames it dropped and its decode time per frame; the ' +
      'sender\'s frame rate and quality limitation at that moment.',
    '',
    table(['mode', 'arrival jitter ms video / audio', 'jitter buffer ms video / audio', 'frames dropped', 'decode ms/frame', 'sent fps', 'sender limited by'],
      ['relay', 'p2p', 'baseline'].filter((m) => result.modes[m]?.summary).map((m) => {
        const s = result.modes[m].summary;
        return [label[m], `${fmt(s.videoJitterMs)} / ${fmt(s.audioJitterMs)}`, `${fmt(s.videoJitterBufferMs)} / ${fmt(s.audioJitterBufferMs)}`,
          s.framesDropped ?? '–', fmt(s.decodeMs, 1), fmt(s.sentFps), s.qualityLimitation ?? '–'];
      })),
  ];
  const relay = result.modes.relay?.summary;
  const base = result.modes.baseline?.summary;
  if (relay && base) {
    const extra = relay.latency.p50 - base.latency.p50;
    const network = relay.toReceive.p50 - base.toReceive.p50;
    const senders = (s) => (s.webrtc.broadcaster.find((x) => x.direction === 'out') ?? {});
    lines.push('', `The relay adds ${fmt(extra, 1)} ms at p50 over the in-page baseline: ${fmt(network, 1)} ms of it before ` +
      `the last packet of a frame arrives (the hop through Janus), ${fmt(extra - network, 1)} ms after it, in the viewer. ` +
      `That part is the viewer's jitter buffer answering irregular arrivals: through Janus, packets arrive with ` +
      `${fmt(relay.videoJitterMs)} ms of jitter (video; audio ${fmt(relay.audioJitterMs)} ms) against ${fmt(base.videoJitterMs)} ms in the page, ` +
      `so the viewer holds video ${fmt(relay.videoJitterBufferMs)} ms on average (baseline ${fmt(base.videoJitterBufferMs)} ms) and audio ` +
      `${fmt(relay.audioJitterBufferMs)} ms (baseline ${fmt(base.audioJitterBufferMs)} ms), and lip sync may hold video back further, to the audio. ` +
      'Janus forwards each packet through the publisher\'s and then the viewer\'s event loop threads; on a machine whose ' +
      'cores are oversubscribed (see the load) those threads run late, which is where this jitter comes from as far as ' +
      'this run can tell. ' +
      `The broadcaster encoded ${senders(relay).keyFrames ?? '–'} keyframes and received ${senders(relay).plis ?? '–'} PLIs ` +
      `(baseline: ${senders(base).keyFrames ?? '–'} and ${senders(base).plis ?? '–'}).`);
  }
  lines.push('', `${result.smoke ? 'Smoke run. ' : ''}${machineLine()}`);
  return lines.join('\n');
}

async function main(args) {
  const seconds = args.seconds ?? (args.smoke ? 3 : 15);
  const modes = args.modes ?? ['relay', 'p2p'];
  const stack = await startBrowserStack();
  const warmup = args.smoke ? SMOKE_WARMUP_MS : WARMUP_MS;
  const result = { name: NAME, ...context(args), seconds, warmup_ms: warmup, chromium: stack.browser.version(), modes: {} };
  try {
    for (const mode of modes) {
      let site = BENCH_SITE;
      if (mode === 'p2p') {
        const unavailable = await addP2pSite(stack.janus);
        if (unavailable) {
          console.log(`p2p: ${unavailable}`);
          result.modes.p2p = { unavailable };
          continue;
        }
        site = BENCH_P2P_SITE;
      } else if (mode !== 'relay') {
        throw new Error(`unknown mode ${mode} (relay, p2p)`);
      }
      const decoded = await onairLatency(stack, { site, mode, seconds, warmup });
      result.modes[mode] = { summary: summaryOf(decoded, seconds), samples: decoded.samples.map((s) => s.latency) };
      console.log(`${mode} WebRTC stats: ${JSON.stringify(decoded.webrtc)}`);
      console.log(`${mode}: ${JSON.stringify(result.modes[mode].summary.latency)}`);
    }
    const decoded = await baselineLatency(stack, { seconds, warmup });
    result.modes.baseline = { summary: summaryOf(decoded, seconds), samples: decoded.samples.map((s) => s.latency) };
    console.log(`baseline: ${JSON.stringify(result.modes.baseline.summary.latency)}`);
  } finally {
    await stack.stop();
  }
  // Too few decoded frames means the stripe cannot be read, not that the machine is slow.
  const minimum = args.smoke ? 3 : 10;
  for (const [mode, entry] of Object.entries(result.modes)) {
    if (entry.summary && entry.summary.frames < minimum) {
      throw new Error(`${mode}: only ${entry.summary.frames} frames decoded (${entry.summary.rejected} rejected): the clock stripe cannot be read`);
    }
  }
  writeResults(NAME, result, markdown(result));
}

runMain(main);
