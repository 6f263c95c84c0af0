// SPDX-License-Identifier: GPL-3.0-or-later
// A Janus crash on a relayed (sfu) broadcast, in Chromium: Boris broadcasts, Vera watches through
// the relay, Janus is killed with SIGKILL and started again on the same ports and store. Both show
// "reconnecting" meanwhile (and fire onair:reconnecting), then Boris is live again and Vera's video
// resumes with no click and no new prompt; the time to resume is reported.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, story, videoState, waitForAttribute, waitForFrames, widget } from '../lib/browser.mjs';
import { goLive, watchWithConsent } from '../lib/p2p_probe.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };

const unavailable = browserSuiteUnavailable();

describe('a Janus crash is survived by a relayed broadcast, in Chromium', { skip: unavailable ?? false }, () => {
  let stack;
  let boris;
  let vera;
  const people = () => [boris, vera];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    stack = await startStack({ site: DEMO_SITES.sfu, general: { request_timeout: 20, publish_timeout: 15, resume_grace: 10, restart_grace: 60 } });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await stack?.stop();
  });

  step('Boris goes live and Vera watches through the relay', async () => {
    boris = await goLive(stack, BORIS);
    vera = await Person.create(stack.browser, 'Vera');
    await watchWithConsent(stack, vera.page, VERA, BORIS, boris.page);
    for (const person of [boris, vera]) {
      await person.page.evaluate(() => {
        window.__reconnectingEvents = 0;
        document.addEventListener('onair:reconnecting', () => window.__reconnectingEvents++);
      });
    }
  });

  step('Janus is killed and restarted: both resume with no click and no new prompt', async (t) => {
    const killed = Date.now();
    await stack.janus.kill9();
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'reconnecting', { what: "Boris's preview", timeout: 15_000 });
    await waitForAttribute(widget.player(vera.page, BORIS.id), 'data-state', 'reconnecting', { what: "Vera's player", timeout: 15_000 });
    assert.equal(await widget.broadcastButton(boris.page).getAttribute('data-onair-state'), 'live', 'the button stays live');
    assert.equal(await widget.watchButton(vera.page, BORIS.id).getAttribute('data-onair-state'), 'watching', 'the button stays watching');
    const since = { ...(await videoState(vera.page, widget.playerSelector(BORIS.id))), element: null };
    await stack.janus.start({ samePorts: true });
    const restarted = Date.now();
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'live', { what: "Boris's preview after the restart", timeout: 60_000 });
    const broadcasterBack = Date.now();
    await waitForFrames(vera.page, widget.playerSelector(BORIS.id), { since, minFrames: 15, timeout: 60_000 });
    await waitForAttribute(widget.player(vera.page, BORIS.id), 'data-state', 'playing', { what: "Vera's player after the restart", timeout: 10_000 });
    t.diagnostic(`Janus SIGKILL → restarted after ${restarted - killed} ms → broadcaster live ${broadcasterBack - restarted} ms later, viewer video ${Date.now() - restarted} ms after the restart`);
    assert.equal(await widget.prompts(boris.page).count(), 0, 'no new prompt for Vera');
    for (const person of [boris, vera]) {
      assert.ok(await person.page.evaluate(() => window.__reconnectingEvents) >= 1, `${person.name}'s page got onair:reconnecting`);
    }
  }, { timeout: 150_000 });

  step('no PeerConnection to the dead server is left behind', async () => {
    // One PeerConnection each (Boris publishing, Vera receiving), to the restarted server; the
    // ones to the killed server are closed, not left `failed` until the page closes.
    for (const person of [boris, vera]) {
      const open = await person.page.evaluate(() => (window.__onairTestPeers || [])
        .filter((pc) => pc.connectionState !== 'closed').map((pc) => pc.connectionState));
      assert.deepEqual(open, ['connected'], `${person.name}'s open PeerConnections`);
    }
  });

  test('no page threw an uncaught error', async () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
