// SPDX-License-Identifier: GPL-3.0-or-later
// A removed direct viewer is really removed (docs/protocol.md, "Direct viewers"), in Chromium on
// the peer-to-peer demo site: the broadcaster's page closes the direct connection itself, even
// when the plugin's `bye` never reaches it, and even when the removed viewer's page ignores its
// own `ended` and keeps its connection open.
//
// Each page's WebSocket to Janus runs through a tap (Playwright routeWebSocket) that can drop
// messages from the server and cut the connection. Vera is kicked by Boris while his `bye` is
// lost; Gleb is removed through the Admin API while Boris's `bye` is lost, then Boris's signaling
// drops and comes back: his page reconciles its direct connections with what the plugin says.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, eventually, story, waitForAttribute, widget } from '../lib/browser.mjs';
import { admin } from '../lib/janus_client.mjs';
import { readGapMeter, startGapMeter, watchWithConsent } from '../lib/p2p_probe.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };
const GLEB = { slug: 'gleb', id: '31', name: 'Gleb' };

/** Routes `page`'s Janus WebSockets through a tap: `drop(text)` decides which server messages
 * the page never sees; cut() closes the page's current sockets (the server keeps its session). */
async function tapSignaling(page) {
  const tap = { drop: () => false, sockets: new Set() };
  await page.routeWebSocket(/\/janus-ws$/, (ws) => {
    const server = ws.connectToServer();
    tap.sockets.add(ws);
    ws.onClose(() => tap.sockets.delete(ws));
    server.onMessage((message) => {
      if (!tap.drop(String(message))) ws.send(message);
    });
    ws.onMessage((message) => server.send(message));
  });
  tap.cut = async () => {
    for (const ws of [...tap.sockets]) await ws.close();
  };
  return tap;
}

/** A plugin event (janus `event` message) carrying a direct-connection `bye`. */
const isBye = (text) => /"bye"\s*:\s*true/.test(text) && /"event"\s*:\s*"signal"/.test(text);

/** The page's PeerConnections that are not closed. */
const openPeers = (page) => page.evaluate(() => (window.__onairTestPeers || [])
  .filter((pc) => pc.connectionState !== 'closed').map((pc) => pc.connectionState));

const unavailable = browserSuiteUnavailable();

describe('a removed direct viewer is really removed, in Chromium', { skip: unavailable ?? false }, () => {
  let stack;
  let boris;
  let borisTap;
  let vera;
  let gleb;
  const people = () => [boris, vera, gleb];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ site: DEMO_SITES.p2p, general: { request_timeout: 20, publish_timeout: 15, resume_grace: 10 } });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await stack?.stop();
  });

  /** `who` watches Boris directly through a tap that, once `deaf` is set, passes nothing on. */
  async function directViewer(who) {
    const person = await Person.create(stack.browser, who.name);
    const tap = await tapSignaling(person.page);
    await watchWithConsent(stack, person.page, who, BORIS, boris.page);
    await startGapMeter(person.page);
    return { person, deafen: () => { tap.drop = () => true; } };
  }

  /** The viewer's video stops (no frame for 3 s) and Boris has no open connection left. */
  async function cutOff(viewer, timeout = 10_000) {
    await eventually(async () => (await openPeers(boris.page)).length === 0, {
      timeout, what: `Boris's page to close its direct connection to ${viewer.name}`,
    });
    await eventually(async () => (await readGapMeter(viewer.page)).current > 3000, {
      timeout: 15_000, what: `${viewer.name}'s video to stop`,
    });
  }

  step('Boris goes live on the peer-to-peer site, his signaling through a tap', async () => {
    boris = await Person.create(stack.browser, BORIS.name, { camera: true, grantOrigins: [stack.demo.origin] });
    borisTap = await tapSignaling(boris.page);
    await boris.page.goto(stack.demo.url('/me', BORIS.slug));
    const button = widget.broadcastButton(boris.page);
    await waitForAttribute(button, 'data-onair-state', 'offline', { what: "Boris's Go live button", timeout: 15_000 });
    await button.click();
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'live', { what: "Boris's preview", timeout: 20_000 });
  });

  step("Boris kicks Vera and her bye is lost: his page closes the connection anyway", async () => {
    const viewer = await directViewer(VERA);
    vera = viewer.person;
    assert.equal((await openPeers(boris.page)).length, 1, 'one direct connection, to Vera');
    viewer.deafen(); // Vera's page never learns it was removed
    borisTap.drop = isBye;
    await boris.page.evaluate((id) => window.OnAir.kick(id), VERA.id);
    await cutOff(vera);
  });

  step('Gleb is removed by the Admin API while Boris misses the bye: the reconnect closes it', async () => {
    borisTap.drop = () => false;
    const viewer = await directViewer(GLEB);
    gleb = viewer.person;
    assert.equal((await openPeers(boris.page)).length, 1, 'one direct connection, to Gleb');
    viewer.deafen();
    borisTap.drop = isBye;
    const answer = await admin(stack.janus, { request: 'remove_viewer', site: DEMO_SITES.p2p.key, user: BORIS.id, viewer: GLEB.id });
    assert.equal(answer.onair, 'success', JSON.stringify(answer));
    // Without the bye Boris's page knows nothing yet; his signaling now drops and comes back.
    await borisTap.cut();
    await cutOff(gleb, 30_000);
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'live', { what: "Boris's preview after the reconnect", timeout: 30_000 });
  });

  test('no page threw an uncaught error', async () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
