// SPDX-License-Identifier: GPL-3.0-or-later
// Airtime in real browsers: Anna broadcasts from the demo site, Boris watches for a while and
// closes his player, Anna ends. The billing receiver (test/lib/receiver.mjs, which checks every
// signature itself) must report broadcast and watch seconds matching what the two of them saw,
// with the wrapper's heartbeats running on both sides all along.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Person, story, waitForAttribute, waitForFrames, waitForVisible, widget } from '../lib/browser.mjs';
import { admin } from '../lib/janus_client.mjs';
import { assertAdminOk } from '../lib/onair_assert.mjs';
import { startReceiver } from '../lib/receiver.mjs';
import { DEMO_SITES, browserSuiteUnavailable, startStack } from '../lib/web.mjs';

const ANNA = { slug: 'anna', id: '42' };
const BORIS = { slug: 'boris', id: '17' };
const REPORT_INTERVAL = 2;
// What the browsers measure and what the plugin measures differ by page and ICE latencies, and
// the figures move in report_interval steps.
const TOLERANCE = REPORT_INTERVAL + 2;
const WATCH_FOR_MS = 8000;

const unavailable = browserSuiteUnavailable();

describe('airtime of a browser broadcast', { skip: unavailable ?? false }, () => {
  let stack;
  let receiver;
  let anna;
  let boris;
  let broadcastId;
  const times = {};
  const step = story(test, () => [anna, boris], () => stack?.diagnose());

  before(async () => {
    receiver = await startReceiver({ secrets: { [DEMO_SITES.signed.key]: DEMO_SITES.signed.secret } });
    stack = await startStack({
      general: {
        request_timeout: 30, publish_timeout: 15, resume_grace: 20,
        report_interval: REPORT_INTERVAL, heartbeat_interval: 1, evidence_timeout: 5,
        delivery_backoff_base: 1, delivery_backoff_max: 2, delivery_timeout: 2,
      },
    });
    // The demo site's callbacks go to the test receiver (add_site updates an existing site).
    const { key, secret, identity, audio, max_broadcasts, max_viewers } = DEMO_SITES.signed;
    assertAdminOk(await admin(stack.janus, { request: 'add_site', key, secret, identity, audio, max_broadcasts, max_viewers, callback_url: receiver.url }));
  });

  after(async () => {
    for (const person of [anna, boris]) await person?.close();
    await stack?.stop();
    await receiver?.close();
  });

  step('Anna goes live and the receiver hears broadcast.started', async () => {
    anna = await Person.create(stack.browser, 'Anna', { camera: true, grantOrigins: [stack.demo.origin] });
    await anna.page.goto(stack.demo.url('/me', ANNA.slug));
    const goLive = widget.broadcastButton(anna.page);
    await waitForAttribute(goLive, 'data-onair-state', 'offline', { what: 'the Go live button', timeout: 15_000 });
    await goLive.click();
    await waitForAttribute(widget.preview(anna.page), 'data-state', 'live', { what: "Anna's preview", timeout: 15_000 });
    times.live = Date.now();
    const started = await receiver.waitForEvent((event) => event.type === 'broadcast.started' && event.data.user === ANNA.id);
    broadcastId = started.broadcast_id;
  });

  step('Boris watches for a while, then closes his player', async () => {
    boris = await Person.create(stack.browser, 'Boris');
    await boris.page.goto(stack.demo.url(`/u/${ANNA.slug}`, BORIS.slug));
    const watchButton = widget.watchButton(boris.page, ANNA.id);
    await waitForVisible(watchButton, { what: "Boris's Watch button", timeout: 15_000 });
    await watchButton.click();
    const prompt = widget.prompt(anna.page, BORIS.id);
    await waitForVisible(prompt, { what: "Anna's prompt for Boris" });
    await prompt.locator('[data-part="allow"]').click();
    await waitForFrames(boris.page, widget.playerSelector(ANNA.id), { minFrames: 5, timeout: 20_000 });
    times.watching = Date.now();
    await sleep(WATCH_FOR_MS);
    await widget.player(boris.page, ANNA.id).locator('[data-part="close"]').click();
    times.left = Date.now();
    await receiver.waitForEvent((event) => event.broadcast_id === broadcastId && event.type === 'viewer.left');
  });

  step('Anna ends; the reported airtime matches the elapsed broadcast and watch time', async (t) => {
    await sleep(2000);
    await widget.stopButton(anna.page).click();
    times.stopped = Date.now();
    const ended = await receiver.waitForEvent((event) => event.broadcast_id === broadcastId && event.type === 'broadcast.ended', 20_000);
    const broadcastElapsed = (times.stopped - times.live) / 1000;
    const watchElapsed = (times.left - times.watching) / 1000;
    const totals = receiver.totals(DEMO_SITES.signed.key);
    t.diagnostic(`broadcast ${broadcastElapsed.toFixed(1)} s → reported ${totals[ANNA.id]?.broadcast_seconds} s; ` +
      `watch ${watchElapsed.toFixed(1)} s → reported ${totals[BORIS.id]?.watch_seconds} s`);
    assert.ok(Math.abs(ended.data.broadcast_seconds - broadcastElapsed) <= TOLERANCE, `broadcast.ended ${ended.data.broadcast_seconds} s vs ${broadcastElapsed} s`);
    assert.ok(Math.abs(totals[ANNA.id].broadcast_seconds - broadcastElapsed) <= TOLERANCE, `Anna: ${JSON.stringify(totals[ANNA.id])}`);
    // Boris's session starts when Anna allows, a little before his first frames.
    assert.ok(Math.abs(totals[BORIS.id].watch_seconds - watchElapsed) <= TOLERANCE, `Boris: ${JSON.stringify(totals[BORIS.id])}`);
    const events = receiver.eventsOf(broadcastId);
    assert.deepEqual(events.map((event) => event.seq), events.map((_, index) => index + 1), receiver.summary());
    assert.ok(events.filter((event) => event.type === 'airtime.report').length >= 2, receiver.summary());
    assert.deepEqual(receiver.rejected.map((rejected) => rejected.reason), []);
  });

  test('no page threw an uncaught error', async () => {
    const errors = [anna, boris].filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
