// SPDX-License-Identifier: GPL-3.0-or-later
// The media half, onair-media.js, as a site owner and a visitor notice it, on the demo site in
// Chromium: a page that only shows buttons never downloads it (presence comes over onair.js' own
// small Janus client); the first Go live or Watch of a page downloads it once, and later ones do
// not again; a page holds one Janus session once it has it; and when it cannot be had (blocked,
// 404) the card says so (media_unavailable) and the button works again afterwards. Without
// WebSockets, all of it runs over the HTTP long poll. While it is still on its way (held back, as
// by a slow network), a second click cancels without a camera or a request reaching anyone, a
// reload starts afresh, and a button removed and added back shows the broadcast that goes live.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, eventually, staysHidden, story, waitForAttribute, waitForFrames, waitForVisible, widget } from '../lib/browser.mjs';
import { browserSuiteUnavailable, startStack } from '../lib/web.mjs';

const ANNA = { slug: 'anna', id: '42' };
const MEDIA = /\/onair-media\.js(\?|$)/;
const UNAVAILABLE = 'The video part of OnAir could not be loaded. Check your connection and try again.';

const unavailable = browserSuiteUnavailable();

// In every page before its scripts: the WebSockets it opens, and the `onair:error` details.
function watchPage() {
  const sockets = [];
  Object.defineProperty(window, '__sockets', { value: sockets });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  };
  window.__errors = [];
  document.addEventListener('onair:error', (event) => window.__errors.push(event.detail));
}

/** A person whose page's requests for onair-media.js are counted (`person.mediaFetches`). */
async function visitor(browser, name, options = {}) {
  const person = await Person.create(browser, name, options);
  await person.context.addInitScript(watchPage);
  person.mediaFetches = 0;
  person.page.on('request', (request) => {
    if (MEDIA.test(request.url())) person.mediaFetches += 1;
  });
  return person;
}

/**
 * Holds `page`'s requests for onair-media.js (as a slow network would) until `release()`, which
 * lets them through; one of a page that has since reloaded is gone and stays so.
 */
async function holdMedia(page) {
  const held = [];
  await page.route(MEDIA, (route) => void held.push(route));
  return {
    requested: (count = 1) => eventually(() => held.length >= count, { what: `request ${count} for onair-media.js` }),
    async release() {
      await page.unroute(MEDIA);
      for (const route of held.splice(0)) await route.continue().catch(() => undefined);
    },
  };
}

/** The RTCPeerConnections a page created, and its previews. */
const peerConnections = (page) => page.evaluate(() => window.__onairTestPeers.length);
const previews = (page) => page.locator(widget.previewSelector).count();

/** The Janus WebSockets a page holds open. */
const openSockets = (page) => page.evaluate(() => window.__sockets.filter((s) => s.readyState === WebSocket.OPEN).length);

describe('onair-media.js is loaded when a page first broadcasts or watches', { skip: unavailable ?? false }, () => {
  let stack;
  const people = new Map();
  const step = story(test, () => [...people.values()], () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ general: { request_timeout: 30, publish_timeout: 15 } });
  });

  after(async () => {
    for (const person of people.values()) await person.close();
    await stack?.stop();
  });

  async function broadcaster(name) {
    const person = await visitor(stack.browser, name, { camera: true, grantOrigins: [stack.demo.origin] });
    people.set(name, person);
    return person;
  }

  async function goLive(person) {
    const button = widget.broadcastButton(person.page);
    await button.click();
    await waitForAttribute(widget.preview(person.page), 'data-state', 'live', { what: `${person.name}'s preview`, timeout: 20_000 });
    await waitForAttribute(button, 'data-onair-state', 'live', { what: `${person.name}'s Go live button` });
  }

  step('a profile with a Watch button does not download onair-media.js', async () => {
    const boris = await visitor(stack.browser, 'Boris');
    people.set('boris', boris);
    await boris.page.goto(stack.demo.url(`/u/${ANNA.slug}`, 'boris'));
    await waitForAttribute(widget.watchButton(boris.page, ANNA.id), 'data-onair-state', 'offline', { what: "Boris's Watch button", timeout: 15_000 });
    // Presence is subscribed over onair.js' own Janus session.
    await eventually(async () => (await openSockets(boris.page)) === 1, { what: "the Janus session of Boris's page" });
    assert.equal(boris.mediaFetches, 0);
  });

  step('Anna clicks Go live: her page downloads onair-media.js once and goes live', async () => {
    const anna = await visitor(stack.browser, 'Anna', { camera: true, grantOrigins: [stack.demo.origin] });
    people.set('anna', anna);
    await anna.page.goto(stack.demo.url('/me', ANNA.slug));
    await waitForAttribute(widget.broadcastButton(anna.page), 'data-onair-state', 'offline', { what: 'the Go live button', timeout: 15_000 });
    assert.equal(anna.mediaFetches, 0, 'not before the click');
    await goLive(anna);
    await waitForFrames(anna.page, widget.previewSelector, { direction: 'outbound', minFrames: 10 });
    assert.equal(anna.mediaFetches, 1);
  });

  step("Boris's Watch button appears, still without onair-media.js", async () => {
    const boris = people.get('boris');
    await waitForVisible(widget.watchButton(boris.page, ANNA.id), { what: "Boris's Watch button", timeout: 10_000 });
    assert.equal(boris.mediaFetches, 0);
  });

  step('Anna stops and goes live again: no second download', async () => {
    const anna = people.get('anna');
    const button = widget.broadcastButton(anna.page);
    await button.click();
    await waitForAttribute(button, 'data-onair-state', 'ended', { what: 'the Go live button after Stop' });
    await goLive(anna);
    assert.equal(anna.mediaFetches, 1);
  });

  step('Boris watches: one download, one Janus session on his page, and none more for a second watch', async () => {
    const boris = people.get('boris');
    const anna = people.get('anna');
    const button = widget.watchButton(boris.page, ANNA.id);
    await waitForVisible(button, { what: "Boris's Watch button", timeout: 10_000 });
    await button.click();
    const prompt = widget.prompt(anna.page, '17');
    await waitForVisible(prompt, { what: "Anna's prompt for Boris", timeout: 15_000 });
    await prompt.locator('[data-part="allow"]').click();
    await waitForFrames(boris.page, widget.playerSelector(ANNA.id), { minFrames: 10 });
    assert.equal(boris.mediaFetches, 1);
    // Presence left onair.js' own session for the janus.js one the watch opened.
    assert.equal(await openSockets(boris.page), 1, 'one Janus session per page');

    await widget.player(boris.page, ANNA.id).locator('[data-part="close"]').click();
    await waitForVisible(widget.player(boris.page, ANNA.id), { visible: false, what: "Boris's player" });
    await button.click();
    // Granted before: no new prompt.
    await waitForFrames(boris.page, widget.playerSelector(ANNA.id), { minFrames: 10 });
    assert.equal(boris.mediaFetches, 1);
    // The Watch button still follows presence, now over the janus.js session.
    await anna.page.locator('onair-widget [data-part="stop"]').click();
    await waitForAttribute(button, 'data-onair-state', ['ended', 'offline'], { what: "Boris's Watch button after Anna stopped" });
    await waitForVisible(button, { visible: false, what: "Boris's Watch button after Anna stopped" });
  });

  step('onair-media.js blocked: the preview says so (media_unavailable), and the next click goes live', async () => {
    const vera = await visitor(stack.browser, 'Vera', { camera: true, grantOrigins: [stack.demo.origin] });
    people.set('vera', vera);
    await vera.page.route(MEDIA, (route) => route.abort('blockedbyclient'));
    await vera.page.goto(stack.demo.url('/me', 'vera'));
    const button = widget.broadcastButton(vera.page);
    await waitForAttribute(button, 'data-onair-state', 'offline', { what: "Vera's Go live button", timeout: 15_000 });
    await button.click();
    await waitForAttribute(widget.preview(vera.page), 'data-state', 'error', { what: "Vera's preview" });
    assert.equal((await widget.previewMessage(vera.page).innerText()).trim(), UNAVAILABLE);
    await waitForAttribute(button, 'data-onair-state', 'error', { what: "Vera's Go live button" });
    const [error] = await vera.page.evaluate(() => window.__errors);
    assert.equal(error?.code, 'media_unavailable');

    await vera.page.unroute(MEDIA);
    await goLive(vera);
    assert.equal(vera.mediaFetches, 2, 'the blocked attempt and the one that worked');
    await button.click();
    await waitForAttribute(button, 'data-onair-state', 'ended', { what: "Vera's Go live button after Stop" });
  });

  step('onair-media.js answering 404 on a Watch: the player says so, and the next click watches', async () => {
    const anna = people.get('anna');
    await goLive(anna);
    const gleb = await visitor(stack.browser, 'Gleb');
    people.set('gleb', gleb);
    await gleb.page.route(MEDIA, (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }));
    await gleb.page.goto(stack.demo.url(`/u/${ANNA.slug}`, 'gleb'));
    const button = widget.watchButton(gleb.page, ANNA.id);
    await waitForVisible(button, { what: "Gleb's Watch button", timeout: 15_000 });
    await button.click();
    const player = widget.player(gleb.page, ANNA.id);
    await waitForAttribute(player, 'data-state', 'error', { what: "Gleb's player" });
    assert.equal((await widget.playerMessage(gleb.page, ANNA.id).innerText()).trim(), UNAVAILABLE);
    await waitForAttribute(button, 'data-onair-state', 'error', { what: "Gleb's Watch button" });

    await gleb.page.unroute(MEDIA);
    await button.click();
    const prompt = widget.prompt(anna.page, '31');
    await waitForVisible(prompt, { what: "Anna's prompt for Gleb", timeout: 15_000 });
    await prompt.locator('[data-part="allow"]').click();
    await waitForFrames(gleb.page, widget.playerSelector(ANNA.id), { minFrames: 10 });
    assert.equal(gleb.mediaFetches, 2);
  });

  step('no WebSocket (a proxy refuses it): presence, then the watch, run over the HTTP long poll', async () => {
    const anna = people.get('anna');
    const vera = await visitor(stack.browser, 'Vera, behind a proxy');
    people.set('vera-proxied', vera);
    // Every WebSocket fails to connect, as through a proxy that refuses them (error, then close).
    await vera.context.addInitScript(() => {
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(_url, protocols) {
          super('ws://127.0.0.1:1/refused', protocols);
        }
      };
    });
    const longPolls = [];
    vera.page.on('request', (request) => {
      if (/\/janus\/\d+\?rid=/.test(request.url())) longPolls.push(request.url());
    });
    await vera.page.goto(stack.demo.url(`/u/${ANNA.slug}`, 'vera'));
    const button = widget.watchButton(vera.page, ANNA.id);
    await waitForVisible(button, { what: "Vera's Watch button", timeout: 15_000 });
    assert.equal(vera.mediaFetches, 0);
    assert.ok(longPolls.length > 0, 'presence long-polls Janus');

    await button.click();
    const prompt = widget.prompt(anna.page, '23');
    await waitForVisible(prompt, { what: "Anna's prompt for Vera", timeout: 15_000 });
    await prompt.locator('[data-part="allow"]').click();
    await waitForFrames(vera.page, widget.playerSelector(ANNA.id), { minFrames: 10 });
    await anna.page.locator('onair-widget [data-part="stop"]').click();
    await waitForVisible(button, { visible: false, what: "Vera's Watch button after Anna stopped", timeout: 15_000 });
  });

  step('Go live clicked again while onair-media.js loads: nothing starts; a third click goes live once, on the one download', async () => {
    const gleb = await broadcaster('Gleb');
    const media = await holdMedia(gleb.page);
    await gleb.page.goto(stack.demo.url('/me', 'gleb'));
    const button = widget.broadcastButton(gleb.page);
    await waitForAttribute(button, 'data-onair-state', 'offline', { what: "Gleb's Go live button", timeout: 15_000 });
    await button.click();
    await media.requested();
    await waitForAttribute(widget.preview(gleb.page), 'data-state', 'starting', { what: "Gleb's preview while onair-media.js loads" });
    await button.click();
    await waitForAttribute(button, 'data-onair-state', 'ended', { what: "Gleb's Go live button after the second click" });
    await waitForVisible(widget.preview(gleb.page), { visible: false, what: "Gleb's preview after the second click" });
    await button.click();
    await waitForAttribute(widget.preview(gleb.page), 'data-state', 'starting', { what: "Gleb's preview after the third click" });

    await media.release();
    await waitForAttribute(widget.preview(gleb.page), 'data-state', 'live', { what: "Gleb's preview", timeout: 20_000 });
    await waitForAttribute(button, 'data-onair-state', 'live', { what: "Gleb's Go live button" });
    await waitForFrames(gleb.page, widget.previewSelector, { direction: 'outbound', minFrames: 10 });
    assert.equal(gleb.mediaFetches, 1);
    assert.equal(await previews(gleb.page), 1, 'one preview');
    assert.equal(await peerConnections(gleb.page), 1, 'the cancelled broadcast never asked for the camera nor connected');
  });

  step('Watch clicked again while onair-media.js loads: the player closes and Gleb is asked nothing; the next click watches', async () => {
    const gleb = people.get('Gleb');
    const boris = await visitor(stack.browser, 'Boris, on a slow network');
    people.set('boris-slow', boris);
    const media = await holdMedia(boris.page);
    await boris.page.goto(stack.demo.url('/u/gleb', 'boris'));
    const button = widget.watchButton(boris.page, '31');
    await waitForVisible(button, { what: "Boris's Watch button for Gleb", timeout: 15_000 });
    await button.click();
    await media.requested();
    const player = widget.player(boris.page, '31');
    await waitForAttribute(player, 'data-state', 'connecting', { what: "Boris's player while onair-media.js loads" });
    await button.click();
    await waitForVisible(player, { visible: false, what: "Boris's player after the second click" });
    await waitForAttribute(button, 'data-onair-state', 'live', { what: "Boris's Watch button after the second click" });

    await media.release();
    await staysHidden(widget.prompt(gleb.page, '17'), { what: "Gleb's prompt for a watch Boris cancelled" });
    assert.equal(await peerConnections(boris.page), 0);
    await button.click();
    const prompt = widget.prompt(gleb.page, '17');
    await waitForVisible(prompt, { what: "Gleb's prompt for Boris", timeout: 15_000 });
    await prompt.locator('[data-part="allow"]').click();
    await waitForFrames(boris.page, widget.playerSelector('31'), { minFrames: 10 });
    assert.equal(boris.mediaFetches, 1);
    await player.locator('[data-part="close"]').click();
    await waitForVisible(player, { visible: false, what: "Boris's player" });
  });

  step('reloaded twice while onair-media.js loads for the resumed broadcast: the last page goes live, once', async () => {
    const gleb = people.get('Gleb');
    const media = await holdMedia(gleb.page);
    gleb.mediaFetches = 0;
    // Consent is remembered: each reload goes live again by itself, fetching onair-media.js (which
    // holds back the page's load event, hence no waiting for it).
    await gleb.page.reload({ waitUntil: 'domcontentloaded' });
    await media.requested(1);
    await waitForAttribute(widget.preview(gleb.page), 'data-state', 'starting', { what: "Gleb's preview after the reload", timeout: 15_000 });
    await gleb.page.reload({ waitUntil: 'domcontentloaded' });
    await media.requested(2);
    await media.release();
    await waitForAttribute(widget.preview(gleb.page), 'data-state', 'live', { what: "Gleb's preview", timeout: 20_000 });
    await waitForFrames(gleb.page, widget.previewSelector, { direction: 'outbound', minFrames: 10 });
    assert.equal(gleb.mediaFetches, 2, 'one per page');
    assert.equal(await previews(gleb.page), 1, 'one preview');
    assert.equal(await peerConnections(gleb.page), 1);
  });

  step('the Go live button removed and added back while onair-media.js loads: the broadcast goes live once, and the button shows it', async () => {
    const gleb = people.get('Gleb');
    const button = widget.broadcastButton(gleb.page);
    await button.click();
    await waitForAttribute(button, 'data-onair-state', 'ended', { what: "Gleb's Go live button after Stop" });
    const media = await holdMedia(gleb.page);
    gleb.mediaFetches = 0;
    await gleb.page.reload();
    await waitForAttribute(button, 'data-onair-state', 'offline', { what: "Gleb's Go live button", timeout: 15_000 });
    await button.click();
    await media.requested();
    // As a single-page app re-rendering it: out of the document (onair.js lets it go), then back.
    await gleb.page.evaluate(async () => {
      const el = document.querySelector('button[data-onair="broadcast"]');
      const [parent, next] = [el.parentNode, el.nextSibling];
      el.remove();
      for (let waited = 0; el.hasAttribute('data-onair-state'); waited += 20) {
        if (waited > 5_000) throw new Error('onair.js kept the removed button bound');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      parent.insertBefore(el, next);
    });
    await waitForAttribute(button, 'data-onair-state', 'requesting', { what: "Gleb's Go live button, added back" });
    await media.release();
    await waitForAttribute(widget.preview(gleb.page), 'data-state', 'live', { what: "Gleb's preview", timeout: 20_000 });
    await waitForAttribute(button, 'data-onair-state', 'live', { what: "Gleb's Go live button" });
    assert.equal(gleb.mediaFetches, 1);
    assert.equal(await previews(gleb.page), 1, 'one preview');
    assert.equal(await peerConnections(gleb.page), 1);
    await button.click();
    await waitForAttribute(button, 'data-onair-state', 'ended', { what: "Gleb's Go live button after Stop" });
  });
});
