// SPDX-License-Identifier: GPL-3.0-or-later
// The `auto` media mode in Chromium: the first viewer watches directly; when the broadcaster lets
// a second one in, the broadcast moves to the relay make-before-break. Vera's video keeps
// decoding across her switch (the longest stall is reported), and Boris ends with exactly one
// PeerConnection sending video. Then Anna's page is reloaded in the middle of such a switch: both
// her viewers get video again with no click and no new prompt (time reported).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, eventually, story, videoState, waitForAttribute, waitForFrames, widget } from '../lib/browser.mjs';
import {
  askAndAllow, goLive, handlesOf, newTab, hasMediaPeerConnection, readGapMeter, startGapMeter, videoSendingPeers, watchWithConsent,
} from '../lib/p2p_probe.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const ANNA = { slug: 'anna', id: '42', name: 'Anna' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };
const GLEB = { slug: 'gleb', id: '31', name: 'Gleb' };

/** The longest stall of the first viewer's video during the switch that still counts as a brief
 * freeze. A quiet machine shows about half a second; a loaded one (the broadcaster then encodes
 * two streams on a starved CPU) several times that. */
const MAX_SWITCH_STALL_MS = 3000;

const unavailable = browserSuiteUnavailable();

/** Each PeerConnection of `page` as two letters: connection state and ICE state initials. */
async function peerStates(page) {
  return page.evaluate(() => (window.__onairTestPeers || []).map((pc) => pc.connectionState[0] + pc.iceConnectionState[0]).join(','))
    .catch(() => '?');
}

/** Whether the page holds a broadcaster's camera consent: a reload resumes only from it. */
async function consentMark(page) {
  return page.evaluate(() => (document.cookie.includes('onair_live_') ? 'consent' : 'no-consent')).catch(() => '?');
}

async function viewerMedia(stack, user) {
  const handles = await handlesOf(stack.janus, user);
  return handles.some(({ info }) => hasMediaPeerConnection(info));
}

describe('auto media: direct for one viewer, the relay for two, in Chromium', { skip: unavailable ?? false }, () => {
  let stack;
  let boris;
  let anna;
  let vera;
  let gleb;
  const people = () => [boris, anna, vera, gleb];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ site: DEMO_SITES.auto, general: { request_timeout: 20, publish_timeout: 15, resume_grace: 15 } });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await stack?.stop();
  });

  step('Boris goes live and Vera watches him directly', async () => {
    boris = await goLive(stack, BORIS, { relayed: false });
    vera = await Person.create(stack.browser, 'Vera');
    await watchWithConsent(stack, vera.page, VERA, BORIS, boris.page);
    assert.equal(await viewerMedia(stack, VERA.id), false, 'Vera receives directly, not from Janus');
    assert.deepEqual((await videoSendingPeers(boris.page)).length, 1, 'Boris sends one video stream (to Vera)');
  });

  step('Gleb joins: Vera moves to the relay without a stall, Boris ends with one video upload', async (t) => {
    await startGapMeter(vera.page);
    gleb = await Person.create(stack.browser, 'Gleb');
    const asked = Date.now();
    await watchWithConsent(stack, gleb.page, GLEB, BORIS, boris.page);
    t.diagnostic(`second viewer playing ${Date.now() - asked} ms after the click`);
    assert.equal(await viewerMedia(stack, GLEB.id), true, 'Gleb receives from the relay');
    await eventually(() => viewerMedia(stack, VERA.id), { timeout: 20_000, what: "Vera's relay PeerConnection in Janus" });
    // Her direct connection closes once the relayed picture renders.
    await eventually(async () => {
      const open = await vera.page.evaluate(() => window.__onairTestPeers.filter((pc) => pc.connectionState !== 'closed').length);
      return open === 1;
    }, { timeout: 20_000, what: "Vera's direct PeerConnection to close" });
    await waitForFrames(vera.page, widget.playerSelector(BORIS.id), { minFrames: 20 });
    const gap = await readGapMeter(vera.page);
    t.diagnostic(`switch to the relay: Vera's longest video stall ${gap.longest} ms (${gap.total} frames decoded meanwhile)`);
    assert.ok(gap.longest <= MAX_SWITCH_STALL_MS, `at most a brief freeze: ${gap.longest} ms`);
    assert.equal(await widget.player(vera.page, BORIS.id).getAttribute('data-state'), 'playing');
    assert.equal(await widget.prompts(boris.page).count(), 0, 'no new prompt for Vera');
    const sending = await eventually(async () => {
      const peers = await videoSendingPeers(boris.page);
      return peers.length === 1 ? peers : null;
    }, { timeout: 15_000, what: 'Boris to send video on exactly one PeerConnection' });
    assert.equal(sending.length, 1);
    await waitForAttribute(widget.viewerCount(boris.page), 'data-count', '2', { what: "Boris's viewer count" });
  });

  step("Anna's page is reloaded mid-switch: both viewers get video again without a click", async (t) => {
    anna = await goLive(stack, ANNA, { relayed: false });
    const veraTab = await newTab(vera);
    await watchWithConsent(stack, veraTab, VERA, ANNA, anna.page);
    const glebTab = await newTab(gleb);
    await askAndAllow(stack, glebTab, GLEB, ANNA, anna.page);
    // Gleb is accepted (relay_needed is on its way to Anna): reload before the move can finish.
    await waitForAttribute(widget.player(glebTab, ANNA.id), 'data-state', ['connecting', 'playing'], { what: "Gleb's player after Allow" });
    const reloaded = Date.now();
    // What each page shows and its PeerConnections' states, every second: a failure of this step
    // has so far only been seen elsewhere, and the Janus log alone does not say who got stuck.
    const timeline = [];
    let recording = false;
    const recorder = setInterval(async () => {
      if (recording) return; // a starved page answers slowly: one sample at a time
      recording = true;
      const parts = await Promise.all([['Anna', anna.page, widget.preview(anna.page)], ['Vera', veraTab, widget.player(veraTab, ANNA.id)], ['Gleb', glebTab, widget.player(glebTab, ANNA.id)]]
        .map(async ([name, page, card]) => `${name} ${await peerStates(page)} ${await card.getAttribute('data-state', { timeout: 300 }).catch(() => '?')}`));
      parts[0] += ` ${await consentMark(anna.page)}`;
      timeline.push(`+${Date.now() - reloaded} ms: ${parts.join(' | ')}`);
      recording = false;
    }, 1000);
    let veraMs;
    let glebMs;
    try {
      await anna.page.reload();
      // Frames counted from here: the old connections stop with the page that owned them.
      // (element: null: a move to the relay swaps the <video>, whose own frame count starts again.)
      const baseline = await Promise.all([veraTab, glebTab].map(async (tab) => ({ ...(await videoState(tab, widget.playerSelector(ANNA.id))), element: null })));
      const backAfter = async (tab, since) => {
        await waitForFrames(tab, widget.playerSelector(ANNA.id), { since, minFrames: 20, timeout: 45_000 });
        return Date.now() - reloaded;
      };
      [veraMs, glebMs] = await Promise.all([backAfter(veraTab, baseline[0]), backAfter(glebTab, baseline[1])]);
    } catch (error) {
      error.message += `\n--- since the reload (PeerConnection states: connection/ICE initials; card state) ---\n${timeline.join('\n')}`;
      throw error;
    } finally {
      clearInterval(recorder);
    }
    await waitForAttribute(widget.preview(anna.page), 'data-state', 'live', { what: "Anna's preview after the reload", timeout: 30_000 });
    t.diagnostic(`broadcaster reloaded mid-switch → video resumed for Vera after ${veraMs} ms, for Gleb after ${glebMs} ms, no click`);
    for (const tab of [veraTab, glebTab]) {
      await waitForAttribute(widget.player(tab, ANNA.id), 'data-state', 'playing', { what: 'a viewer player', timeout: 20_000 });
    }
    assert.equal(await widget.prompts(anna.page).count(), 0, 'nobody was asked again');
    const sending = await eventually(async () => {
      const peers = await videoSendingPeers(anna.page);
      return peers.length === 1 ? peers : null;
    }, { timeout: 20_000, what: 'Anna to send video on exactly one PeerConnection' });
    assert.equal(sending.length, 1);
  }, { timeout: 120_000 });

  test('no page threw an uncaught error', async () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
