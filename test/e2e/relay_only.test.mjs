// SPDX-License-Identifier: GPL-3.0-or-later
// TURN for direct (peer-to-peer) connections, in Chromium: a p2p site with p2p_relay_only, our
// coturn (test/lib/turn.mjs) and the plugin configured with its shared secret. Boris broadcasts
// from the suite network, Vera watches from her own network (a NetPeer). Her video plays through
// a relay on our coturn with credentials the plugin minted for her (the username names the site
// and her user id), and neither side sees the other's address. With a wrong turn_secret in the
// plugin the relay refuses them (401) and Vera sees no video.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Person, story, videoState, waitForVisible, widget } from '../lib/browser.mjs';
import { NetPeer, netPeerUnavailable } from '../lib/netpeer.mjs';
import { goLive, watchWithConsent } from '../lib/p2p_probe.mjs';
import { selectedPairs, startTurn, turnUnavailable } from '../lib/turn.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };
const RELAY_ONLY_SITE = { ...DEMO_SITES.p2p, p2p_relay_only: true };


const unavailable = browserSuiteUnavailable() ?? netPeerUnavailable() ?? turnUnavailable();

function turnSettings(turn, secret = turn.secret) {
  return { turn_uris: turn.uris.join(','), turn_secret: secret, turn_ttl: 600 };
}

describe('a p2p_relay_only site: direct video through our TURN relay, in Chromium', { skip: unavailable ?? false }, () => {
  let turn;
  let stack;
  let net;
  let boris;
  let vera;
  const people = () => [boris, vera];
  const step = story(test, people, async () => `${await stack?.diagnose()}\n[coturn log]\n${turn?.logTail(15)}`);

  before(async () => {
    turn = await startTurn();
    stack = await startStack({ site: RELAY_ONLY_SITE, general: { request_timeout: 20, publish_timeout: 20, ...turnSettings(turn) } });
    net = await NetPeer.create({ label: 'vera' });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await net?.close();
    await stack?.stop();
    await turn?.stop();
  });

  step('Boris goes live; Vera, on her own network, watches and her video plays', async (t) => {
    boris = await goLive(stack, BORIS, { relayed: false });
    vera = await Person.create(await net.launchBrowser(), 'Vera');
    const started = await watchWithConsent(stack, vera.page, VERA, BORIS, boris.page);
    t.diagnostic(`relayed direct video: ${started.state.element.width}x${started.state.element.height}`);
  });

  step("both ends of the media connection are relays on our coturn: neither sees the other's address", async () => {
    for (const [person, who] of [[vera, 'Vera'], [boris, 'Boris']]) {
      const media = (await selectedPairs(person.page)).filter((pair) => pair.state === 'connected');
      assert.equal(media.length, 1, `${who} has one connected PeerConnection: ${JSON.stringify(media)}`);
      assert.deepEqual(media[0].local, { type: 'relay', address: turn.ip }, `${who}'s side is a relay`);
      assert.equal(media[0].remote.type, 'relay', `${who} sees only a relay address: ${JSON.stringify(media[0])}`);
      assert.notEqual(media[0].remote.address, net.address, 'Vera\'s own address never reaches Boris');
    }
  });

  step('the relay allocations used credentials the plugin minted for this site and these people', async () => {
    const allocated = turn.allocations().join('\n');
    assert.match(allocated, /user <\d+:demo-p2p:23>/, `Vera's minted username:\n${turn.logTail()}`);
    assert.match(allocated, /user <\d+:demo-p2p:17>/, `Boris's minted username:\n${turn.logTail()}`);
    assert.equal(turn.unauthorized().length, 0, 'coturn refused none of them');
  });

  test('no page threw an uncaught error', () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});

describe('a wrong turn_secret in the plugin: the relay refuses, the viewer gets no video', { skip: unavailable ?? false }, () => {
  let turn;
  let stack;
  let net;
  let boris;
  let vera;
  const people = () => [boris, vera];
  const step = story(test, people, async () => `${await stack?.diagnose()}\n[coturn log]\n${turn?.logTail(15)}`);

  before(async () => {
    turn = await startTurn();
    stack = await startStack({ site: RELAY_ONLY_SITE, general: { request_timeout: 20, publish_timeout: 20, ...turnSettings(turn, 'not-the-coturn-secret') } });
    net = await NetPeer.create({ label: 'vera' });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await net?.close();
    await stack?.stop();
    await turn?.stop();
  });

  step('Vera is allowed but no video ever plays, and coturn logs 401 for the minted usernames', async (t) => {
    boris = await goLive(stack, BORIS, { relayed: false });
    vera = await Person.create(await net.launchBrowser(), 'Vera');
    await vera.page.goto(stack.demo.url(`/u/${BORIS.slug}`, VERA.slug));
    const button = widget.watchButton(vera.page, BORIS.id);
    await waitForVisible(button, { what: "Vera's Watch button", timeout: 15_000 });
    await button.click();
    const prompt = widget.prompt(boris.page, VERA.id);
    await waitForVisible(prompt, { what: "Boris's prompt for Vera" });
    await prompt.locator('[data-part="allow"]').click();
    await sleep(15_000);
    const seen = await videoState(vera.page, widget.playerSelector(BORIS.id));
    assert.ok(seen.peers.every((peer) => peer.framesDecoded === 0), `no frames without a relay: ${JSON.stringify(seen.peers)}`);
    assert.notEqual(await widget.player(vera.page, BORIS.id).getAttribute('data-state'), 'playing');
    const pairs = await selectedPairs(vera.page);
    assert.ok(pairs.every((pair) => pair.local === null), `no candidate pair was selected: ${JSON.stringify(pairs)}`);
    assert.ok(turn.unauthorized('demo-p2p:23').length > 0, `coturn refused Vera's credentials:\n${turn.logTail()}`);
    t.diagnostic(`Vera's player says: ${await widget.player(vera.page, BORIS.id).getAttribute('data-state')} — ${await widget.playerMessage(vera.page, BORIS.id).innerText().catch(() => '')}`);
  }, { timeout: 90_000 });
});
