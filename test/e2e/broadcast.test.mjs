// SPDX-License-Identifier: GPL-3.0-or-later
// The whole story in real browsers, on the demo site: Anna goes live, Boris's Watch button
// appears, he asks, Anna allows, his video plays; Vera and Gleb join; Anna reloads her page and
// everything resumes with no click; Anna stops and every viewer sees the end.
//
// Four people, four browser contexts: Anna (broadcaster, camera allowed), Boris, Vera and Gleb
// (viewers, who never grant their camera). Media flows Chromium → Janus (our plugin, ASan build
// when there is one) → Chromium inside the private test network.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Person, story, videoState, waitForAttribute, waitForFrames, waitForVisible, widget,
} from '../lib/browser.mjs';
import { browserSuiteUnavailable, startStack } from '../lib/web.mjs';

const ROOT = process.env.ONAIR_ROOT || '/work/main';
const SCREENSHOT = join(ROOT, 'docs/img/widget.png');

// The demo's members (demo/users.js): slug → site user id.
const ANNA = { slug: 'anna', id: '42', name: 'Anna' };
const VIEWERS = [
  { slug: 'boris', id: '17', name: 'Boris' },
  { slug: 'vera', id: '23', name: 'Vera' },
  { slug: 'gleb', id: '31', name: 'Gleb' },
];

const unavailable = browserSuiteUnavailable();

describe('a broadcast on the demo site, in Chromium', { skip: unavailable ?? false }, () => {
  let stack;
  let anna;
  const viewers = new Map(); // slug → Person
  const people = () => [anna, ...viewers.values()];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ general: { request_timeout: 30, publish_timeout: 15, resume_grace: 20 } });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await stack?.stop();
  });

  async function openProfileAs(viewer) {
    const person = await Person.create(stack.browser, viewer.name);
    viewers.set(viewer.slug, person);
    await person.page.goto(stack.demo.url(`/u/${ANNA.slug}`, viewer.slug));
    // The wrapper has taken the button over once it carries a state.
    await waitForAttribute(widget.watchButton(person.page, ANNA.id), 'data-onair-state', ['offline', 'live'], {
      what: `${viewer.name}'s watch button`, timeout: 15_000,
    });
    return person;
  }

  // Viewer asks to watch; Anna sees the prompt and answers. Returns the Allow click time.
  async function askAndAllow(viewer) {
    const person = viewers.get(viewer.slug);
    await widget.watchButton(person.page, ANNA.id).click();
    await waitForAttribute(widget.player(person.page, ANNA.id), 'data-state', 'waiting', { what: `${viewer.name}'s player` });
    const prompt = widget.prompt(anna.page, viewer.id);
    await waitForVisible(prompt, { what: `Anna's prompt for ${viewer.name}` });
    assert.match(await prompt.innerText(), new RegExp(viewer.name), 'the prompt names the viewer');
    return prompt;
  }

  step('the watch button stays hidden while Anna is not live', async () => {
    const boris = await openProfileAs(VIEWERS[0]);
    const button = widget.watchButton(boris.page, ANNA.id);
    assert.equal(await button.getAttribute('data-onair-state'), 'offline');
    assert.equal(await button.isVisible(), false, 'no Watch button before Anna is live');
  });

  step('Anna goes live: her floating preview shows her camera', async (t) => {
    anna = await Person.create(stack.browser, 'Anna', { camera: true, grantOrigins: [stack.demo.origin] });
    await anna.page.goto(stack.demo.url('/me', ANNA.slug));
    const goLive = widget.broadcastButton(anna.page);
    await waitForAttribute(goLive, 'data-onair-state', 'offline', { what: 'the Go live button', timeout: 15_000 });
    const clicked = Date.now();
    await goLive.click();
    await waitForAttribute(widget.preview(anna.page), 'data-state', 'live', { what: "Anna's preview", timeout: 15_000 });
    t.diagnostic(`Go live → live in ${Date.now() - clicked} ms`);
    await waitForAttribute(goLive, 'data-onair-state', 'live', { what: 'the Go live button' });
    // The site styles its button by that state: while live it offers to end the broadcast.
    assert.equal((await goLive.innerText()).trim(), 'End broadcast');
    // The preview shows her own camera, and the PeerConnection is sending it.
    await waitForFrames(anna.page, widget.previewSelector, { direction: 'outbound', minFrames: 10 });
  });

  step("Boris's watch button appears by itself", async () => {
    const boris = viewers.get('boris');
    const button = widget.watchButton(boris.page, ANNA.id);
    await waitForVisible(button, { what: "Boris's Watch button", timeout: 10_000 });
    assert.equal(await button.getAttribute('data-onair-state'), 'live');
  });

  step('Boris asks to watch: Anna sees an Allow/Deny prompt with his name', async () => {
    const boris = viewers.get('boris');
    const prompt = await askAndAllow(VIEWERS[0]);
    await waitForVisible(prompt.locator('[data-part="allow"]'), { what: 'the Allow button' });
    await waitForVisible(prompt.locator('[data-part="deny"]'), { what: 'the Deny button' });
    // Nothing media-related reaches a viewer before the broadcaster accepts.
    const before = await videoState(boris.page, widget.playerSelector(ANNA.id));
    assert.ok(before.peers.every((peer) => peer.framesDecoded === 0), `no video before consent: ${JSON.stringify(before.peers)}`);
    if (process.env.ONAIR_UPDATE_SCREENSHOT === '1') {
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await anna.page.screenshot({ path: SCREENSHOT });
    }
  });

  step("Anna allows: Boris's video plays real frames", async (t) => {
    const boris = viewers.get('boris');
    const clicked = Date.now();
    await widget.prompt(anna.page, '17').locator('[data-part="allow"]').click();
    const { state } = await waitForFrames(boris.page, widget.playerSelector(ANNA.id), { minFrames: 10, timeout: 20_000 });
    t.diagnostic(`Allow → Boris's first frames (10 decoded) in ${Date.now() - clicked} ms; ${state.element.width}x${state.element.height}`);
    await waitForAttribute(widget.player(boris.page, ANNA.id), 'data-state', 'playing', { what: "Boris's player" });
    await waitForAttribute(widget.watchButton(boris.page, ANNA.id), 'data-onair-state', 'watching', { what: "Boris's button" });
    await waitForVisible(widget.prompt(anna.page, '17'), { visible: false, what: 'the answered prompt' });
    await waitForAttribute(widget.viewerCount(anna.page), 'data-count', '1', { what: "Anna's viewer count" });
    // The site wants sound too: audio arrives alongside.
    const audio = await videoState(boris.page, widget.playerSelector(ANNA.id));
    assert.ok(audio.peers.some((peer) => peer.audioBytes > 0), `audio flows: ${JSON.stringify(audio.peers)}`);
  });

  step('Anna stays when the site asks "Leave site?": she is still live and Boris keeps playing', async () => {
    // A site guarding unsaved work asks before its page goes, and Anna chooses to stay. The
    // widget must not have said goodbye to Janus at that question (janus.js does by default).
    await anna.page.evaluate(() => window.addEventListener('beforeunload', (event) => event.preventDefault(), { once: true }));
    const asked = new Promise((resolve) => {
      anna.page.once('dialog', (dialog) => void dialog.dismiss().then(() => resolve(dialog.type())));
    });
    await anna.page.close({ runBeforeUnload: true });
    assert.equal(await asked, 'beforeunload', 'the browser asked Anna whether to leave');
    assert.equal(anna.page.isClosed(), false, 'Anna stayed');
    // Beyond a ping interval of Janus' (session and handles gone would show within it).
    const boris = viewers.get('boris');
    const since = await videoState(boris.page, widget.playerSelector(ANNA.id));
    await waitForFrames(boris.page, widget.playerSelector(ANNA.id), { since, minFrames: 150, timeout: 20_000 });
    assert.equal(await widget.preview(anna.page).getAttribute('data-state'), 'live');
    assert.equal(await widget.player(boris.page, ANNA.id).getAttribute('data-state'), 'playing');
  });

  step('Vera and Gleb join and play too', async (t) => {
    for (const viewer of VIEWERS.slice(1)) await openProfileAs(viewer);
    for (const viewer of VIEWERS.slice(1)) {
      await waitForVisible(widget.watchButton(viewers.get(viewer.slug).page, ANNA.id), { what: `${viewer.name}'s Watch button` });
      const prompt = await askAndAllow(viewer);
      const clicked = Date.now();
      await prompt.locator('[data-part="allow"]').click();
      await waitForFrames(viewers.get(viewer.slug).page, widget.playerSelector(ANNA.id), { minFrames: 10, timeout: 20_000 });
      t.diagnostic(`Allow → ${viewer.name}'s first frames in ${Date.now() - clicked} ms`);
    }
    await waitForAttribute(widget.viewerCount(anna.page), 'data-count', '3', { what: "Anna's viewer count" });
    // Boris kept playing meanwhile.
    const boris = viewers.get('boris');
    const since = await videoState(boris.page, widget.playerSelector(ANNA.id));
    await waitForFrames(boris.page, widget.playerSelector(ANNA.id), { since, minFrames: 10 });
  });

  step('Anna reloads her page: capture and every viewer resume with no click', async (t) => {
    const reloaded = Date.now();
    await anna.page.reload();
    await waitForAttribute(widget.preview(anna.page), 'data-state', 'live', { what: "Anna's preview after the reload", timeout: 20_000 });
    t.diagnostic(`reload → live again in ${Date.now() - reloaded} ms`);
    await waitForFrames(anna.page, widget.previewSelector, { direction: 'outbound', minFrames: 10 });
    await waitForAttribute(widget.broadcastButton(anna.page), 'data-onair-state', 'live', { what: 'the Go live button after the reload' });
    // The old PeerConnection died with the old page, so frames counted from now on come from the
    // new one: each viewer must see them without touching anything.
    const since = new Map();
    for (const [slug, person] of viewers) since.set(slug, await videoState(person.page, widget.playerSelector(ANNA.id)));
    for (const [slug, person] of viewers) {
      await waitForFrames(person.page, widget.playerSelector(ANNA.id), { since: since.get(slug), minFrames: 20, timeout: 20_000 });
      await waitForAttribute(widget.player(person.page, ANNA.id), 'data-state', 'playing', { what: `${person.name}'s player after the reload` });
    }
    t.diagnostic(`reload → all three viewers playing new frames in ${Date.now() - reloaded} ms`);
    await waitForAttribute(widget.viewerCount(anna.page), 'data-count', '3', { what: "Anna's viewer count after the reload" });
  });

  step('Boris reloads his page: he is watching again with no click and no new prompt', async (t) => {
    const boris = viewers.get('boris');
    const reloaded = Date.now();
    await boris.page.reload();
    const { state } = await waitForFrames(boris.page, widget.playerSelector(ANNA.id), { minFrames: 10, timeout: 20_000 });
    t.diagnostic(`viewer reload → frames again in ${Date.now() - reloaded} ms (${state.element.width}x${state.element.height})`);
    await waitForAttribute(widget.player(boris.page, ANNA.id), 'data-state', 'playing', { what: "Boris's player after his reload" });
    assert.equal(await widget.prompts(anna.page).count(), 0, 'Anna was not asked again');
    await waitForAttribute(widget.viewerCount(anna.page), 'data-count', '3', { what: "Anna's viewer count" });
  });

  step('Anna stops: every viewer is told the broadcast ended', async () => {
    await widget.stopButton(anna.page).click();
    // Her own Stop closes the preview (an end by the service would leave it, saying why).
    await waitForVisible(widget.preview(anna.page), { visible: false, what: "Anna's preview after Stop" });
    for (const person of viewers.values()) {
      await waitForAttribute(widget.player(person.page, ANNA.id), 'data-state', 'ended', { what: `${person.name}'s player` });
      const message = await widget.playerMessage(person.page, ANNA.id).innerText();
      assert.match(message, /ended/i, `${person.name} is told the broadcast ended`);
    }
    await waitForAttribute(widget.broadcastButton(anna.page), 'data-onair-state', ['offline', 'ended'], { what: 'the Go live button' });
  });

  step('...and the Watch buttons hide, since Anna is no longer live', async () => {
    for (const person of viewers.values()) {
      const button = widget.watchButton(person.page, ANNA.id);
      await waitForVisible(button, {
        visible: false, what: `${person.name}'s Watch button (data-onair-state ${await button.getAttribute('data-onair-state')})`,
      });
    }
  });

  test('no page threw an uncaught error', async () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
