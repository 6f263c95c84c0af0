// SPDX-License-Identifier: GPL-3.0-or-later
// A viewer's network drops for a few seconds, in Chromium: Vera watches Boris from her own
// network (a NetPeer), her interface goes down for 5 s (as when Wi-Fi drops: her browser sees the
// network vanish, signaling and media alike) and comes back. Her video resumes with no click and
// no new prompt, and the time from the link's return to new frames is reported. Once for a viewer
// through the relay (sfu site), once for a direct viewer (p2p site).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Person, story, videoState, waitForAttribute, waitForFrames, widget } from '../lib/browser.mjs';
import { NetPeer, netPeerUnavailable } from '../lib/netpeer.mjs';
import { goLive, readGapMeter, startGapMeter, watchWithConsent } from '../lib/p2p_probe.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };
const DOWN_MS = 5_000;
// From the link's return to new frames: an ICE restart (or a new session) and a keyframe.
const RESUME_LIMIT_MS = 30_000;


const unavailable = browserSuiteUnavailable() ?? netPeerUnavailable();

for (const { mode, site } of [
  { mode: 'relay', site: DEMO_SITES.signed },
  { mode: 'direct', site: DEMO_SITES.p2p },
]) {
  describe(`a ${mode} viewer's link drops for ${DOWN_MS / 1000} s, in Chromium`, { skip: unavailable ?? false }, () => {
    let stack;
    let net;
    let boris;
    let vera;
    const people = () => [boris, vera];
    const step = story(test, people, () => stack?.diagnose());

    before(async () => {
      stack = await startStack({ site, general: { request_timeout: 20, publish_timeout: 20, resume_grace: 30 } });
      net = await NetPeer.create({ label: 'vera' });
    });

    after(async () => {
      for (const person of people()) await person?.close();
      await net?.close();
      await stack?.stop();
    });

    step(`Boris goes live and Vera, on her own network, watches (${mode})`, async () => {
      boris = await goLive(stack, BORIS, { relayed: mode === 'relay' });
      vera = await Person.create(await net.launchBrowser(), 'Vera');
      await watchWithConsent(stack, vera.page, VERA, BORIS, boris.page);
    });

    step('her interface goes down for 5 s and up again: the video resumes with no click', async (t) => {
      await startGapMeter(vera.page);
      await net.linkDown();
      await sleep(DOWN_MS);
      const frozen = await videoState(vera.page, widget.playerSelector(BORIS.id));
      await net.linkUp();
      const upAt = Date.now();
      const { elapsed } = await waitForFrames(vera.page, widget.playerSelector(BORIS.id), {
        since: frozen, minFrames: 20, timeout: RESUME_LIMIT_MS,
      });
      const gap = await readGapMeter(vera.page);
      t.diagnostic(`${mode}: link up → 20 new frames in ${elapsed} ms; longest stall ${gap.longest} ms (link down ${DOWN_MS} ms)`);
      assert.ok(gap.longest >= DOWN_MS - 1_000, `the drop really stopped the video (longest stall ${gap.longest} ms)`);
      await waitForAttribute(widget.player(vera.page, BORIS.id), 'data-state', 'playing', {
        what: "Vera's player after the drop", timeout: RESUME_LIMIT_MS - (Date.now() - upAt),
      });
      assert.equal(await widget.watchButton(vera.page, BORIS.id).getAttribute('data-onair-state'), 'watching');
      assert.equal(await widget.prompts(boris.page).count(), 0, 'Boris was not asked again');
      await waitForAttribute(widget.viewerCount(boris.page), 'data-count', '1', { what: "Boris's viewer count" });
    }, { timeout: 90_000 });

    step('the video keeps playing afterwards', async () => {
      const since = await videoState(vera.page, widget.playerSelector(BORIS.id));
      await waitForFrames(vera.page, widget.playerSelector(BORIS.id), { since, minFrames: 30 });
    });

    test('no page threw an uncaught error', () => {
      const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
      assert.deepEqual(errors, []);
    });
  });
}
