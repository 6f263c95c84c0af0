// SPDX-License-Identifier: GPL-3.0-or-later
// Peer-to-peer media on a `p2p` demo site, in Chromium: Boris broadcasts, Vera watches directly
// (Janus relays only the signaling: its Admin API shows no media PeerConnection on her handle),
// Gleb is refused (one viewer per peer-to-peer broadcast), and a Janus killed with SIGKILL and
// restarted on the same ports is survived: the direct video never stops and both sides get their
// signaling back without a click or a new prompt.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, eventually, story, videoState, waitForAttribute, waitForVisible, widget } from '../lib/browser.mjs';
import { goLive, handlesOf, hasMediaPeerConnection, readGapMeter, startGapMeter, watchWithConsent } from '../lib/p2p_probe.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };
const GLEB = { slug: 'gleb', id: '31', name: 'Gleb' };

const unavailable = browserSuiteUnavailable();

describe('peer-to-peer media on a p2p site, in Chromium', { skip: unavailable ?? false }, () => {
  let stack;
  let boris;
  let vera;
  let gleb;
  const people = () => [boris, vera, gleb];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ site: DEMO_SITES.p2p, general: { request_timeout: 20, publish_timeout: 15, resume_grace: 10, restart_grace: 60 } });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await stack?.stop();
  });

  step('Boris goes live on the peer-to-peer site', async () => {
    boris = await goLive(stack, BORIS, { relayed: false });
    const [handle] = await handlesOf(stack.janus, BORIS.id);
    assert.ok(handle, "Janus knows Boris's handle");
    assert.equal(hasMediaPeerConnection(handle.info), false, `no media to Janus in p2p: ${JSON.stringify(handle.info)}`);
  });

  step('Vera watches: video plays while Janus holds no media PeerConnection for her', async (t) => {
    vera = await Person.create(stack.browser, 'Vera');
    const started = await watchWithConsent(stack, vera.page, VERA, BORIS, boris.page);
    t.diagnostic(`direct video after ${started.elapsed} ms of waiting for frames`);
    const handles = await handlesOf(stack.janus, VERA.id);
    assert.ok(handles.length >= 1, "Janus knows Vera's handle (signaling)");
    for (const { info } of handles) {
      assert.equal(hasMediaPeerConnection(info), false, `Vera's handle has no media PeerConnection: ${JSON.stringify(info)}`);
    }
    const seen = await videoState(vera.page, widget.playerSelector(BORIS.id));
    assert.equal(seen.peers.filter((p) => p.state !== 'closed').length, 1, `one PeerConnection on Vera's page: ${JSON.stringify(seen.peers)}`);
    await waitForAttribute(widget.watchButton(vera.page, BORIS.id), 'data-onair-state', 'watching', { what: "Vera's button" });
    await waitForAttribute(widget.viewerCount(boris.page), 'data-count', '1', { what: "Boris's viewer count" });
  });

  step('Gleb is refused: a peer-to-peer broadcast has room for one viewer', async () => {
    gleb = await Person.create(stack.browser, 'Gleb');
    await gleb.page.goto(stack.demo.url(`/u/${BORIS.slug}`, GLEB.slug));
    const button = widget.watchButton(gleb.page, BORIS.id);
    await waitForVisible(button, { what: "Gleb's Watch button", timeout: 15_000 });
    await button.click();
    const player = widget.player(gleb.page, BORIS.id);
    await waitForAttribute(player, 'data-state', 'error', { what: "Gleb's player" });
    assert.match(await widget.playerMessage(gleb.page, BORIS.id).innerText(), /full/i);
    assert.equal(await widget.prompt(boris.page, GLEB.id).count(), 0, 'Boris is not asked about Gleb');
  });

  step('Janus is killed and restarted: the direct video never stops, signaling comes back without a click', async (t) => {
    await startGapMeter(vera.page);
    const killed = Date.now();
    await stack.janus.kill9();
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'reconnecting', { what: "Boris's preview", timeout: 15_000 });
    await stack.janus.start({ samePorts: true });
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'live', { what: "Boris's preview after the restart", timeout: 60_000 });
    const resumed = Date.now() - killed;
    await eventually(async () => (await widget.player(vera.page, BORIS.id).getAttribute('data-reconnecting')) === null, {
      timeout: 30_000, what: "Vera's player to stop saying reconnecting",
    });
    const gap = await readGapMeter(vera.page);
    t.diagnostic(`Janus SIGKILL → broadcaster live again in ${resumed} ms; viewer signaling back after ${Date.now() - killed} ms; longest video stall ${gap.longest} ms (${gap.total} frames)`);
    assert.ok(gap.longest < 3000, `the direct video kept playing through the restart (longest stall ${gap.longest} ms)`);
    assert.equal(await widget.prompts(boris.page).count(), 0, 'no new prompt for Vera');
    assert.equal(await widget.watchButton(vera.page, BORIS.id).getAttribute('data-onair-state'), 'watching');
  }, { timeout: 120_000 });

  test('no page threw an uncaught error', async () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
