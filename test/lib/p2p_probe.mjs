// SPDX-License-Identifier: GPL-3.0-or-later
// Probes for the peer-to-peer, auto and recovery browser suites: what Janus holds per handle
// (core Admin API), how long a viewer's video stood still, how many PeerConnections a broadcaster
// sends video on, and the demo-site steps those suites share.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Person, waitForAttribute, waitForFrames, waitForVisible, widget } from './browser.mjs';
import { ADMIN_SECRET, PLUGIN } from './janus.mjs';

/** One core Admin API request (list_sessions, list_handles, handle_info, …). */
export async function janusAdmin(janus, body) {
  const response = await fetch(janus.adminUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, admin_secret: ADMIN_SECRET, transaction: randomBytes(6).toString('hex') }),
    signal: AbortSignal.timeout(8000),
  });
  const answer = await response.json();
  if (answer.janus !== 'success') throw new Error(`Admin API ${body.janus}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Every OnAir handle of `user` (by the plugin's query_session), with Janus' handle_info. */
export async function handlesOf(janus, user) {
  const out = [];
  const { sessions = [] } = await janusAdmin(janus, { janus: 'list_sessions' });
  for (const session of sessions) {
    const { handles = [] } = await janusAdmin(janus, { janus: 'list_handles', session_id: session });
    for (const handle of handles) {
      const { info } = await janusAdmin(janus, { janus: 'handle_info', session_id: session, handle_id: handle }).catch(() => ({}));
      if (info?.plugin === PLUGIN && info.plugin_specific?.user === user) out.push({ session, handle, info });
    }
  }
  return out;
}

/** Whether Janus holds a media PeerConnection on a handle (an ICE agent, SDPs, a `webrtc` summary). */
export function hasMediaPeerConnection(info) {
  return Boolean(info.webrtc || info['agent-created'] || info.sdps?.remote || info.sdps?.local);
}

/** Starts counting, inside `page`, the longest time no PeerConnection decoded a new video frame. */
export async function startGapMeter(page) {
  await page.evaluate(() => {
    const meter = { last: performance.now(), longest: 0, frames: new WeakMap(), total: 0, busy: false };
    window.__onairGapMeter = meter;
    meter.timer = setInterval(async () => {
      if (meter.busy) return;
      meter.busy = true;
      let grew = false;
      for (const pc of window.__onairTestPeers || []) {
        if (pc.connectionState === 'closed') continue;
        const report = await pc.getStats().catch(() => null);
        report?.forEach((stat) => {
          if (stat.type !== 'inbound-rtp' || stat.kind !== 'video') return;
          const before = meter.frames.get(pc) ?? 0;
          if ((stat.framesDecoded || 0) > before) {
            meter.total += stat.framesDecoded - before;
            meter.frames.set(pc, stat.framesDecoded);
            grew = true;
          }
        });
      }
      const now = performance.now();
      if (grew) {
        meter.longest = Math.max(meter.longest, now - meter.last);
        meter.last = now;
      }
      meter.busy = false;
    }, 50);
  });
}

/** { longest, current, total }: the longest stall so far (ms), the one going on now, frames seen. */
export async function readGapMeter(page) {
  return page.evaluate(() => {
    const meter = window.__onairGapMeter;
    const current = performance.now() - meter.last;
    return { longest: Math.round(Math.max(meter.longest, current)), current: Math.round(current), total: meter.total };
  });
}

/** The page's open PeerConnections that sent video frames within `windowMs`. */
export async function videoSendingPeers(page, windowMs = 1500) {
  const encoded = () => page.evaluate(async () => {
    const out = [];
    for (const [index, pc] of (window.__onairTestPeers || []).entries()) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      let frames = 0;
      report.forEach((stat) => {
        if (stat.type === 'outbound-rtp' && stat.kind === 'video') frames += stat.framesEncoded || 0;
      });
      out.push({ index, frames });
    }
    return out;
  });
  const before = new Map((await encoded()).map((p) => [p.index, p.frames]));
  await sleep(windowMs);
  return (await encoded()).filter((p) => p.frames > (before.get(p.index) ?? 0)).map((p) => p.index);
}

/** A demo-site broadcaster (`who` = { slug, id, name }) who clicks Go live. With `relayed`
 * (sfu) the camera is sent to Janus at once; on p2p/auto sites nothing is sent before a viewer. */
export async function goLive(stack, who, { relayed = true } = {}) {
  const person = await Person.create(stack.browser, who.name, { camera: true, grantOrigins: [stack.demo.origin] });
  await person.page.goto(stack.demo.url('/me', who.slug));
  const button = widget.broadcastButton(person.page);
  await waitForAttribute(button, 'data-onair-state', 'offline', { what: `${who.name}'s Go live button`, timeout: 15_000 });
  await button.click();
  await waitForAttribute(widget.preview(person.page), 'data-state', 'live', { what: `${who.name}'s preview`, timeout: 20_000 });
  if (relayed) await waitForFrames(person.page, widget.previewSelector, { direction: 'outbound', minFrames: 5 });
  return person;
}

/** `viewer` opens `target`'s profile in `page` and asks to watch; `broadcasterPage` allows. */
export async function askAndAllow(stack, page, viewer, target, broadcasterPage) {
  await page.goto(stack.demo.url(`/u/${target.slug}`, viewer.slug));
  const button = widget.watchButton(page, target.id);
  await waitForVisible(button, { what: `${viewer.name}'s Watch button`, timeout: 15_000 });
  await button.click();
  const prompt = widget.prompt(broadcasterPage, viewer.id);
  await waitForVisible(prompt, { what: `${target.name}'s prompt for ${viewer.name}` });
  await prompt.locator('[data-part="allow"]').click();
}

/** Another tab of `person`, whose console lines join the person's transcript. */
export async function newTab(person) {
  const page = await person.context.newPage();
  page.on('console', (message) => person.console.push(`(tab) ${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => person.pageErrors.push(String(error && error.stack ? error.stack : error)));
  return page;
}

/** `viewer` (a Person, or a new page of one) opens `target`'s profile, asks, and
 * `broadcaster` allows; resolves once the viewer's player plays growing video. */
export async function watchWithConsent(stack, page, viewer, target, broadcasterPage) {
  await askAndAllow(stack, page, viewer, target, broadcasterPage);
  await waitForAttribute(widget.player(page, target.id), 'data-state', 'playing', { what: `${viewer.name}'s player`, timeout: 20_000 });
  const started = await waitForFrames(page, widget.playerSelector(target.id), { minFrames: 10, timeout: 20_000 });
  assert.ok(started.state.element.width > 0);
  return started;
}
