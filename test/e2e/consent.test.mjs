// SPDX-License-Identifier: GPL-3.0-or-later
// The paths where nobody gets to watch, in real browsers on the demo site: the broadcaster
// denies, the broadcaster does not answer in time, and a broadcaster refuses the camera.
//
// Boris broadcasts; Vera is denied; Gleb's request times out (request_timeout is 3 s here);
// Anna refuses her camera (her context is never granted it) and must neither look live to Gleb
// nor leave a half-started broadcast behind (publish_timeout is 4 s here).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Person, eventually, staysHidden, story, videoState, waitForAttribute, waitForFrames, waitForVisible, widget,
} from '../lib/browser.mjs';
import { admin } from '../lib/janus_client.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const REQUEST_TIMEOUT = 3;
const PUBLISH_TIMEOUT = 4;

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const ANNA = { slug: 'anna', id: '42', name: 'Anna' };

const unavailable = browserSuiteUnavailable();

describe('consent and refusals on the demo site, in Chromium', { skip: unavailable ?? false }, () => {
  let stack;
  let boris;
  let vera;
  let gleb;
  let anna;
  const people = () => [boris, vera, gleb, anna];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ general: { request_timeout: REQUEST_TIMEOUT, publish_timeout: PUBLISH_TIMEOUT, resume_grace: 5 } });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await stack?.stop();
  });

  async function viewerOf(name, slug, target) {
    const person = await Person.create(stack.browser, name);
    await person.page.goto(stack.demo.url(`/u/${target.slug}`, slug));
    await waitForAttribute(widget.watchButton(person.page, target.id), 'data-onair-state', ['offline', 'live'], {
      what: `${name}'s watch button`, timeout: 15_000,
    });
    return person;
  }

  async function activeBroadcasts(user) {
    const answer = await admin(stack.janus, { request: 'list_broadcasts', site: DEMO_SITES.signed.key });
    assert.equal(answer.onair, 'success', JSON.stringify(answer));
    return answer.broadcasts.filter((b) => b.user === user && b.state !== 'ended');
  }

  step('Boris goes live', async () => {
    boris = await Person.create(stack.browser, 'Boris', { camera: true, grantOrigins: [stack.demo.origin] });
    await boris.page.goto(stack.demo.url('/me', BORIS.slug));
    const goLive = widget.broadcastButton(boris.page);
    await waitForAttribute(goLive, 'data-onair-state', 'offline', { what: 'the Go live button', timeout: 15_000 });
    await goLive.click();
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'live', { what: "Boris's preview", timeout: 15_000 });
    await waitForFrames(boris.page, widget.previewSelector, { direction: 'outbound', minFrames: 5 });
  });

  step('Boris denies Vera: she is told, and never gets video', async () => {
    vera = await viewerOf('Vera', 'vera', BORIS);
    const button = widget.watchButton(vera.page, BORIS.id);
    await waitForVisible(button, { what: "Vera's Watch button" });
    await button.click();
    const prompt = widget.prompt(boris.page, '23');
    await waitForVisible(prompt, { what: "Boris's prompt for Vera" });
    assert.match(await prompt.innerText(), /Vera/);
    await prompt.locator('[data-part="deny"]').click();
    await waitForAttribute(widget.player(vera.page, BORIS.id), 'data-state', 'declined', { what: "Vera's player" });
    const message = widget.playerMessage(vera.page, BORIS.id);
    await waitForVisible(message, { what: "Vera's message" });
    assert.match(await message.innerText(), /declined/i);
    await waitForAttribute(button, 'data-onair-state', 'declined', { what: "Vera's button" });
    await waitForVisible(prompt, { visible: false, what: 'the answered prompt' });
    const seen = await videoState(vera.page, widget.playerSelector(BORIS.id));
    assert.ok(seen.peers.every((peer) => peer.framesDecoded === 0), `no video for a denied viewer: ${JSON.stringify(seen.peers)}`);
    assert.equal(await widget.viewerCount(boris.page).getAttribute('data-count'), '0');
  });

  step('Boris does not answer Gleb: the request times out on both sides', async (t) => {
    gleb = await viewerOf('Gleb', 'gleb', BORIS);
    const button = widget.watchButton(gleb.page, BORIS.id);
    await waitForVisible(button, { what: "Gleb's Watch button" });
    const asked = Date.now();
    await button.click();
    const prompt = widget.prompt(boris.page, '31');
    await waitForVisible(prompt, { what: "Boris's prompt for Gleb" });
    assert.match(await prompt.locator('[data-part="countdown"]').innerText(), /\d/, 'the prompt counts down');
    const timeout = (REQUEST_TIMEOUT + 5) * 1000;
    await waitForAttribute(widget.player(gleb.page, BORIS.id), 'data-state', 'declined', { what: "Gleb's player", timeout });
    t.diagnostic(`Watch → declined (no answer) in ${Date.now() - asked} ms with request_timeout = ${REQUEST_TIMEOUT} s`);
    assert.match(await widget.playerMessage(gleb.page, BORIS.id).innerText(), /in time/i);
    await waitForVisible(prompt, { visible: false, what: 'the expired prompt', timeout: 3_000 });
  });

  step('Anna refuses her camera: a clear message, and no half-started broadcast', async (t) => {
    // Gleb looks at Anna's profile (a second tab of his).
    const glebTab = await gleb.context.newPage();
    await glebTab.goto(stack.demo.url(`/u/${ANNA.slug}`, 'gleb'));
    const watchAnna = widget.watchButton(glebTab, ANNA.id);
    await waitForAttribute(watchAnna, 'data-onair-state', 'offline', { what: "Gleb's Watch button for Anna", timeout: 15_000 });

    anna = await Person.create(stack.browser, 'Anna'); // camera never granted: the browser denies it
    await anna.page.goto(stack.demo.url('/me', ANNA.slug));
    const goLive = widget.broadcastButton(anna.page);
    await waitForAttribute(goLive, 'data-onair-state', 'offline', { what: 'the Go live button', timeout: 15_000 });
    const clicked = Date.now();
    await goLive.click();
    await waitForAttribute(widget.preview(anna.page), 'data-state', 'error', { what: "Anna's preview", timeout: 15_000 });
    await waitForVisible(widget.previewMessage(anna.page), { what: "Anna's error message" });
    const text = await widget.previewMessage(anna.page).innerText();
    assert.match(text, /camera/i, `the message says what went wrong: ${text}`);
    await waitForAttribute(goLive, 'data-onair-state', 'error', { what: 'the Go live button' });
    // Nobody sees her live, neither now nor once the plugin gave up waiting for media...
    await staysHidden(watchAnna, { duration: (PUBLISH_TIMEOUT + 1) * 1000 - (Date.now() - clicked), what: "Gleb's Watch button for Anna" });
    // ...and nothing is left registered.
    const left = await eventually(async () => ((await activeBroadcasts(ANNA.id)).length === 0 ? true : null), {
      timeout: (PUBLISH_TIMEOUT + 5) * 1000, what: "Anna's registration to go away",
    });
    assert.ok(left);
    t.diagnostic(`refused camera: error shown, no broadcast left ${Date.now() - clicked} ms after the click`);
  });

  test('no page threw an uncaught error', async () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
