// SPDX-License-Identifier: GPL-3.0-or-later
// Tenants on one host (docs/billing.md, "Callback addresses" and "A site removed and added
// again"): no site's callback_url reaches the host's own network unless the operator allows it,
// checked when the site is added and again, after DNS, when delivery connects; and a site removed
// and added again under the same key starts afresh, with none of the earlier tenant's usage,
// pending or parked events.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { mediaAvailable } from '../lib/aiortc_peer.mjs';
import { startJanus } from '../lib/janus.mjs';
import { admin } from '../lib/janus_client.mjs';
import { LiveWorld } from '../lib/live.mjs';
import { assertAdminError, assertAdminOk, assertResult } from '../lib/onair_assert.mjs';
import { startReceiver } from '../lib/receiver.mjs';

const mediaSkip = mediaAvailable() ?? false;
const GENERAL = Object.freeze({
  report_interval: 1,
  heartbeat_interval: 1,
  evidence_timeout: 4,
  delivery_backoff_base: 1,
  delivery_backoff_max: 1,
  delivery_timeout: 2,
});
const today = () => new Date().toISOString().slice(0, 10);

async function callbackOf(janus, key) {
  const sites = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites;
  const site = sites.find((entry) => entry.key === key);
  assert.ok(site, `list_sites has no ${key}`);
  return site.callback;
}

async function eventually(probe, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('callback addresses with allow_private_callbacks off (the default)', { skip: mediaSkip }, () => {
  let janus;
  let receiver;
  let world;
  const site = { key: 'guarded', secret: 'guarded-site-secret-0123', identity: 'open' };

  before(async () => {
    receiver = await startReceiver({ secrets: { [site.key]: site.secret } });
    janus = await startJanus({ general: { ...GENERAL, allow_private_callbacks: false }, sites: [] });
    world = new LiveWorld(janus);
  });
  after(async () => {
    await world?.closeAll();
    await janus?.close();
    await receiver?.close();
  });

  test('add_site refuses loopback, private, link-local and metadata hosts (544)', async () => {
    const base = { request: 'add_site', key: 'probe', secret: site.secret };
    for (const url of [receiver.url, `http://localhost:${receiver.port}/hooks`, 'http://10.0.0.1/hooks', 'http://192.168.1.10/',
      'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/', 'http://[fd00:ec2::254]/', 'http://2130706433/']) {
      assertAdminError(await admin(janus, { ...base, callback_url: url }), 544, /allow_private_callbacks/);
    }
    const keys = assertAdminOk(await admin(janus, { request: 'list_sites' })).sites.map((entry) => entry.key);
    assert.ok(!keys.includes('probe'));
  });

  test('a name that resolves to loopback is refused at connect time; the receiver gets nothing', async () => {
    // This machine's own name resolves (/etc/hosts) to a loopback address: accepted as a name,
    // refused once resolved.
    const url = `http://${hostname()}:${receiver.port}/hooks`;
    assertAdminOk(await admin(janus, { request: 'add_site', ...site, callback_url: url }));
    const broadcaster = await world.goLive(site, { name: 'Anna' });
    const callback = await eventually(async () => {
      const status = await callbackOf(janus, site.key);
      return status.last_error ? status : null;
    }, 'a failed delivery in list_sites');
    assert.match(callback.last_error, /^refused to connect to \S+: a loopback, private, link-local or reserved address/);
    assert.ok(callback.pending >= 1);
    assert.equal(receiver.deliveries.length, 0, 'nothing reached the receiver');
    assertResult(await broadcaster.handle.request({ request: 'stop' }), 'ended');
  });
});

describe('a site removed and added again under the same key', { skip: mediaSkip }, () => {
  let janus;
  let first;
  let second;
  let world;
  const key = 'tenant';
  const earlier = { key, secret: 'earlier-tenant-secret-0123', identity: 'open', audio: false };
  const later = { key, secret: 'later-tenant-secret-456789', identity: 'open', audio: false };

  before(async () => {
    first = await startReceiver({ secrets: { [key]: earlier.secret } });
    second = await startReceiver({ secrets: { [key]: later.secret } });
    janus = await startJanus({ general: GENERAL, sites: [] });
    world = new LiveWorld(janus);
  });
  after(async () => {
    await world?.closeAll();
    await janus?.close();
    await first?.close();
    await second?.close();
  });

  test('inherits no usage, no pending or parked events, and the new receiver gets only its own', async () => {
    assertAdminOk(await admin(janus, { request: 'add_site', ...earlier, callback_url: first.url }));
    const old = await world.goLive(earlier, { user: 'anna', name: 'Anna' });
    await first.waitForEvent((event) => event.broadcast_id === old.broadcastId && event.type === 'broadcast.started');
    await first.down(); // what follows stays pending for the earlier tenant
    await sleep(2500); // airtime (and reports) accrue
    const usageBefore = assertAdminOk(await admin(janus, { request: 'usage', site: key, from: today(), to: today() })).usage;
    assert.ok(usageBefore.some((row) => row.broadcast_seconds > 0), `the earlier tenant has usage: ${JSON.stringify(usageBefore)}`);
    assert.ok((await callbackOf(janus, key)).pending > 0, 'the earlier tenant has pending events');

    assert.equal(assertAdminOk(await admin(janus, { request: 'remove_site', key })).ended, 1);
    assertAdminOk(await admin(janus, { request: 'add_site', ...later, callback_url: second.url }));

    const callback = await callbackOf(janus, key);
    assert.equal(callback.pending, 0);
    assert.equal(callback.parked, 0);
    assert.equal(callback.last_error, '');
    assert.deepEqual(assertAdminOk(await admin(janus, { request: 'list_outbox', site: key })).outbox, []);
    assert.deepEqual(assertAdminOk(await admin(janus, { request: 'usage', site: key, from: today(), to: today() })).usage
      .filter((row) => row.broadcast_seconds > 0 || row.watch_seconds > 0), []);
    assert.equal(assertAdminOk(await admin(janus, { request: 'retry_outbox', site: key })).requeued, 0);

    // The new tenant's own broadcast is delivered to its receiver, signed with its secret, from seq 1.
    const fresh = await world.goLive(later, { user: 'anna', name: 'Anna' });
    const started = await second.waitForEvent((event) => event.broadcast_id === fresh.broadcastId && event.type === 'broadcast.started');
    assert.equal(started.seq, 1);
    await sleep(2000); // time for any stale event to (wrongly) arrive
    assert.deepEqual(second.order.filter((event) => event.broadcast_id !== fresh.broadcastId).map((event) => event.type), []);
    assert.deepEqual(second.rejected, []);
    assertResult(await fresh.handle.request({ request: 'stop' }), 'ended');
  });
});
