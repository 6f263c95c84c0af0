// SPDX-License-Identifier: GPL-3.0-or-later
// Headless Debian Chromium driven by playwright-core, for the end-to-end tests.
//
// Each Playwright browser context is one person. People who broadcast are granted camera and
// microphone explicitly; viewers are not, as on the real web (a viewer never grants its camera,
// so its host candidates stay mDNS-obfuscated, and the relay must still reach it). We do not pass
// --use-fake-ui-for-media-stream: it would grant the camera to every context, which would make the
// refused-camera path impossible to test and would hide the mDNS case.
//
// Media is measured the way a person would notice it: a <video> inside the widget's shadow root
// whose width is known and whose decoded frame count keeps growing. Every RTCPeerConnection a page
// creates is recorded by an init script (window.__onairTestPeers), so getStats() is reachable
// without any hook in the wrapper itself.

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.ONAIR_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--use-fake-device-for-media-stream',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Background tabs must not throttle timers or media: several people share one browser.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--autoplay-policy=no-user-gesture-required',
];

/** Launches Chromium; never downloads one. `secureOrigins` are plain-http origins to treat as secure. */
export async function launchBrowser({ secureOrigins = [] } = {}) {
  const args = [...CHROMIUM_ARGS];
  if (secureOrigins.length > 0) args.push(`--unsafely-treat-insecure-origin-as-secure=${secureOrigins.join(',')}`);
  return chromium.launch({ executablePath: CHROMIUM, args, timeout: 30_000 });
}

// Runs in every page before its own scripts: remembers each RTCPeerConnection.
function trackPeerConnections() {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__onairTestPeers) return;
  const peers = [];
  Object.defineProperty(window, '__onairTestPeers', { value: peers });
  class TrackedPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      peers.push(this);
    }
  }
  window.RTCPeerConnection = TrackedPeerConnection;
  window.webkitRTCPeerConnection = TrackedPeerConnection;
}

/**
 * One person: a browser context with its own cookies, and one page.
 * `camera: true` grants camera and microphone for `grantOrigins` (the page's origin).
 */
export class Person {
  static async create(browser, name, { camera = false, grantOrigins = [], lang = 'en-US' } = {}) {
    const context = await browser.newContext({ locale: lang, viewport: { width: 1100, height: 720 } });
    if (camera) {
      for (const origin of grantOrigins) await context.grantPermissions(['camera', 'microphone'], { origin });
    }
    await context.addInitScript(trackPeerConnections);
    const page = await context.newPage();
    const person = new Person(name, context, page);
    page.on('console', (message) => person.console.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => person.pageErrors.push(String(error && error.stack ? error.stack : error)));
    // A page's "Failed to fetch" names no cause; the network error code (net::ERR_...) does.
    page.on('requestfailed', (request) => person.console.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`));
    return person;
  }

  constructor(name, context, page) {
    this.name = name;
    this.context = context;
    this.page = page;
    this.console = [];
    this.pageErrors = [];
  }

  /** The last lines of this person's console, for failure messages. */
  transcript(lines = 25) {
    const tail = this.console.slice(-lines).map((line) => `  [${this.name}] ${line}`);
    const errors = this.pageErrors.map((line) => `  [${this.name}] PAGE ERROR ${line}`);
    return [...errors, ...tail].join('\n');
  }

  async close() {
    await this.context.close().catch(() => {});
  }
}

/**
 * What the person sees of the video in `rootSelector` (a player or preview root inside the
 * widget; Playwright's CSS engine pierces open shadow roots): width, frames presented by the
 * element, and frames decoded per PeerConnection (inbound video, from getStats).
 */
export async function videoState(page, rootSelector) {
  const handle = await page.locator(`${rootSelector} video`).first().elementHandle({ timeout: 1_000 }).catch(() => null);
  const element = handle
    ? await handle.evaluate((video) => ({
        width: video.videoWidth,
        height: video.videoHeight,
        paused: video.paused,
        presented: video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality().totalVideoFrames : 0,
        hidden: !video.checkVisibility(),
      }))
    : null;
  const decoded = await page.evaluate(async () => {
    const out = [];
    for (const [index, pc] of (window.__onairTestPeers || []).entries()) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      let frames = 0;
      let sent = 0;
      let audioBytes = 0;
      report.forEach((stat) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded || 0;
        if (stat.type === 'outbound-rtp' && stat.kind === 'video') sent += stat.framesEncoded || 0;
        if (stat.type === 'inbound-rtp' && stat.kind === 'audio') audioBytes += stat.bytesReceived || 0;
      });
      out.push({ pc: index, state: pc.connectionState, framesDecoded: frames, framesEncoded: sent, audioBytes });
    }
    return out;
  });
  return { element, peers: decoded };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the video in `rootSelector` plays real frames: a known width, and at least
 * `minFrames` more frames decoded on one PeerConnection (inbound) — or, for a local preview,
 * encoded (outbound) — than at `since` (a videoState snapshot; null means from zero).
 * Returns the final state and how long it took.
 */
export async function waitForFrames(page, rootSelector, { since = null, minFrames = 10, direction = 'inbound', timeout = 20_000 } = {}) {
  const started = Date.now();
  const counter = direction === 'inbound' ? 'framesDecoded' : 'framesEncoded';
  const baseline = new Map((since ? since.peers : []).map((p) => [p.pc, p[counter]]));
  let last = null;
  while (Date.now() - started < timeout) {
    last = await videoState(page, rootSelector);
    const grown = last.peers.some((p) => p[counter] - (baseline.get(p.pc) ?? 0) >= minFrames);
    const presentedBase = since && since.element ? since.element.presented : 0;
    const visible = last.element && last.element.width > 0 && !last.element.hidden;
    const presentedGrown = last.element && last.element.presented - presentedBase >= Math.min(minFrames, 5);
    if (visible && grown && presentedGrown) return { state: last, elapsed: Date.now() - started };
    await pause(100);
  }
  throw new Error(`no growing ${direction} video in ${rootSelector} within ${timeout} ms; last seen ${JSON.stringify(last)}, since ${JSON.stringify(since)}`);
}

/** Polls `probe` (async, returns truthy when done) until it succeeds or `timeout` passes. */
export async function eventually(probe, { timeout = 10_000, interval = 100, what = 'condition' } = {}) {
  const started = Date.now();
  let last;
  while (Date.now() - started < timeout) {
    last = await probe();
    if (last) return last;
    await pause(interval);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// ---------------------------------------------------------------------------------------------
// The widget as a person sees it (docs/widget.md): everything lives in the open shadow root of
// <onair-widget>, which Playwright's CSS engine pierces. Buttons are the site's own, carrying
// data-onair-state.

export const widget = {
  broadcastButton: (page) => page.locator('button[data-onair="broadcast"]').first(),
  watchButton: (page, target) => page.locator(`button[data-onair="watch"][data-onair-target="${target}"]`).first(),
  preview: (page) => page.locator('onair-widget [data-part="preview"]').first(),
  previewMessage: (page) => page.locator('onair-widget [data-part="preview"] [data-part="message"]').first(),
  prompt: (page, viewer) => page.locator(`onair-widget [data-part="prompt"][data-viewer="${viewer}"]`).first(),
  prompts: (page) => page.locator('onair-widget [data-part="prompt"]'),
  viewerCount: (page) => page.locator('onair-widget [data-part="viewer-count"]').first(),
  stopButton: (page) => page.locator('onair-widget [data-part="preview"] [data-part="stop"]').first(),
  player: (page, target) => page.locator(`onair-widget [data-part="player"][data-target="${target}"]`).first(),
  playerMessage: (page, target) => page.locator(`onair-widget [data-part="player"][data-target="${target}"] [data-part="message"]`).first(),
  previewSelector: 'onair-widget [data-part="preview"]',
  playerSelector: (target) => `onair-widget [data-part="player"][data-target="${target}"]`,
};

/**
 * Waits until `locator`'s attribute `name` takes one of `values` (a string or an array).
 * Fails with the last value seen, which usually says what went wrong ("error", "declined"...).
 */
export async function waitForAttribute(locator, name, values, { timeout = 10_000, what = `${name}` } = {}) {
  const wanted = Array.isArray(values) ? values : [values];
  const started = Date.now();
  let last;
  while (Date.now() - started < timeout) {
    last = await locator.getAttribute(name, { timeout: 500 }).catch(() => undefined);
    if (wanted.includes(last)) return last;
    await pause(100);
  }
  throw new Error(`${what}: expected ${name} in ${JSON.stringify(wanted)} within ${timeout} ms, last seen ${JSON.stringify(last ?? null)}`);
}

/** Waits until `locator` is visible (or hidden, with `visible: false`), polling. */
export async function waitForVisible(locator, { visible = true, timeout = 10_000, what = 'element' } = {}) {
  const started = Date.now();
  while (Date.now() - started < timeout) {
    const now = await locator.isVisible().catch(() => false);
    if (now === visible) return;
    await pause(100);
  }
  throw new Error(`${what} did not become ${visible ? 'visible' : 'hidden'} within ${timeout} ms`);
}

/** Stays true for `duration` ms that `locator` is not visible (a bounded negative check). */
export async function staysHidden(locator, { duration = 3_000, what = 'element' } = {}) {
  const started = Date.now();
  while (Date.now() - started < duration) {
    if (await locator.isVisible().catch(() => false)) throw new Error(`${what} became visible`);
    await pause(100);
  }
}

/**
 * Sequential steps of one story that share state: once a step fails, the later ones are skipped
 * (they would only fail for the same reason). On failure the people's consoles are appended to
 * the error, since what the page said is usually the explanation.
 */
export function story(test, people = () => [], diagnose = () => '') {
  let broken = null;
  return function step(name, fn, options = {}) {
    test(name, { timeout: 60_000, ...options }, async (t) => {
      if (broken) {
        t.skip(`skipped: the earlier step "${broken}" failed`);
        return;
      }
      try {
        await fn(t);
      } catch (error) {
        broken = name;
        const transcripts = people().filter(Boolean).map((person) => person.transcript()).filter(Boolean).join('\n');
        if (transcripts && error instanceof Error) error.message += `\n--- browser consoles ---\n${transcripts}`;
        const server = await Promise.resolve().then(diagnose).catch((e) => `(diagnose failed: ${e.message})`);
        if (server && error instanceof Error) error.message += `\n--- server side ---\n${server}`;
        throw error;
      }
    });
  };
}
