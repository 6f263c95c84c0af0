// SPDX-License-Identifier: GPL-3.0-or-later
// A relayed viewer whose first connection attempt fails, in Chromium: Vera, on her own network
// (a NetPeer), asks to watch while her network drops every UDP packet, so signaling works but no
// ICE path ever comes up. She must not be shown a live, black picture: her player says it is
// connecting or reconnecting. Once UDP gets through again her video plays with no click, and the
// ICE restarts went out in order (no "Cannot set remote answer" or other page error).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Person, story, waitForAttribute, waitForFrames, waitForVisible, widget } from '../lib/browser.mjs';
import { NetPeer, netPeerUnavailable } from '../lib/netpeer.mjs';
import { goLive } from '../lib/p2p_probe.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };
// Long enough for Chromium to give the first ICE attempt up (failed) and restart it.
const BLOCKED_MS = 25_000;

const unavailable = browserSuiteUnavailable() ?? netPeerUnavailable();

describe("a relayed viewer's first ICE attempt fails, in Chromium", { skip: unavailable ?? false }, () => {
  let stack;
  let net;
  let boris;
  let vera;
  const people = () => [boris, vera];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ site: DEMO_SITES.sfu, general: { request_timeout: 30, publish_timeout: 20, resume_grace: 30 } });
    net = await NetPeer.create({ label: 'vera' });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await net?.close();
    await stack?.stop();
  });

  const blockUdp = async () => {
    await net.exec('nft', ['add', 'table', 'inet', 'onair_udp']);
    for (const [chain, hook] of [['in', 'input'], ['out', 'output']]) {
      await net.exec('nft', ['add', 'chain', 'inet', 'onair_udp', chain, `{ type filter hook ${hook} priority 0 ; }`]);
      await net.exec('nft', ['add', 'rule', 'inet', 'onair_udp', chain, 'meta', 'l4proto', 'udp', 'drop']);
    }
  };
  const unblockUdp = () => net.exec('nft', ['delete', 'table', 'inet', 'onair_udp']);

  step('Boris goes live; Vera asks while her network drops UDP, and is let in', async () => {
    boris = await goLive(stack, BORIS);
    vera = await Person.create(await net.launchBrowser(), 'Vera');
    vera.page.on('console', (message) => {
      if (/InvalidStateError|Cannot set remote/.test(message.text())) vera.pageErrors.push(`console: ${message.text()}`);
    });
    await blockUdp();
    await vera.page.goto(stack.demo.url(`/u/${BORIS.slug}`, VERA.slug));
    await vera.page.evaluate(() => {
      window.__reconnecting = [];
      document.addEventListener('onair:reconnecting', (event) => window.__reconnecting.push(event.detail));
    });
    const button = widget.watchButton(vera.page, BORIS.id);
    await waitForVisible(button, { what: "Vera's Watch button", timeout: 15_000 });
    await button.click();
    const prompt = widget.prompt(boris.page, VERA.id);
    await waitForVisible(prompt, { what: "Boris's prompt for Vera" });
    await prompt.locator('[data-part="allow"]').click();
  });

  step('no path: her player never shows a live picture, it says it is (re)connecting', async (t) => {
    const player = widget.player(vera.page, BORIS.id);
    const states = new Set();
    const until = Date.now() + BLOCKED_MS;
    while (Date.now() < until) {
      const state = await player.getAttribute('data-state');
      const badge = await player.locator('[data-part="status"]').innerText().catch(() => '');
      states.add(`${state}/${badge}`);
      assert.notEqual(state, 'playing', `a player without media is not "playing" (badge ${badge})`);
      assert.ok(!/LIVE/.test(badge), `no LIVE badge over a black picture (state ${state})`);
      await sleep(500);
    }
    t.diagnostic(`player states while UDP was blocked: ${[...states].join(', ')}`);
    assert.ok([...states].some((s) => /^(reconnecting|connecting)\//.test(s)), `it said so: ${[...states].join(', ')}`);
    if (states.has('reconnecting/Reconnecting…')) {
      // The page hears it too, as for a lost server connection, with the state still `watching`.
      const heard = await vera.page.evaluate(() => window.__reconnecting);
      assert.ok(heard.some((detail) => detail.target === BORIS.id && detail.state === 'watching' && detail.reconnecting === true),
        `onair:reconnecting for Boris: ${JSON.stringify(heard)}`);
    }
  }, { timeout: BLOCKED_MS + 20_000 });

  step('UDP gets through again: her video plays with no click', async () => {
    await unblockUdp();
    await waitForFrames(vera.page, widget.playerSelector(BORIS.id), { minFrames: 15, timeout: 45_000 });
    await waitForAttribute(widget.player(vera.page, BORIS.id), 'data-state', 'playing', { what: "Vera's player", timeout: 15_000 });
    assert.equal(await widget.prompts(boris.page).count(), 0, 'Boris was not asked again');
  }, { timeout: 90_000 });

  test('no page threw an uncaught error or refused an answer', () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
