// SPDX-License-Identifier: GPL-3.0-or-later
// ICE helpers shared by the relay and direct flows: the plugin's ice_servers/ice_policy as
// RTCPeerConnection settings, and the watchdog that decides when ICE is restarted.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { IceWatchdog, iceServerList, iceSettings } from '../../js/src/ice.ts';
import { useNodeWindow } from './page.mjs';

test('ice_servers entries become RTCIceServer objects; bad entries are skipped', () => {
  assert.deepEqual(iceServerList([
    { urls: 'stun:stun.example:3478' },
    { urls: ['turn:t.example:3478?transport=udp', 7, 'turns:t.example:5349'], username: 'u', credential: 'p' },
    { urls: [] },
    { urls: '' },
    { username: 'no urls' },
    null,
    'stun:bare.string',
    { urls: 'stun:x', username: 1, credential: null },
  ]), [
    { urls: 'stun:stun.example:3478' },
    { urls: ['turn:t.example:3478?transport=udp', 'turns:t.example:5349'], username: 'u', credential: 'p' },
    { urls: 'stun:x' },
  ]);
  assert.deepEqual(iceServerList(undefined), []);
  assert.deepEqual(iceServerList({ urls: 'stun:x' }), []);
});

test('ice_policy "relay" forces TURN; anything else allows all candidates', () => {
  assert.deepEqual(iceSettings({ ice_servers: [{ urls: 'turn:t' }], ice_policy: 'relay' }), { servers: [{ urls: 'turn:t' }], policy: 'relay' });
  assert.equal(iceSettings({ ice_policy: 'all' }).policy, 'all');
  assert.equal(iceSettings({ ice_policy: 'RELAY' }).policy, 'all');
  assert.deepEqual(iceSettings({}), { servers: [], policy: 'all' });
});

let restarts;
let watchdog;
beforeEach(() => {
  useNodeWindow();
  mock.timers.enable({ apis: ['setTimeout'] });
  restarts = 0;
  watchdog = new IceWatchdog(() => restarts++);
});
afterEach(() => {
  watchdog.stop();
  mock.timers.reset();
});

test('a brief disconnection that heals within 3 s restarts nothing', () => {
  watchdog.update('disconnected');
  mock.timers.tick(2900);
  watchdog.update('connected');
  mock.timers.tick(60_000);
  assert.equal(restarts, 0);
});

test('a disconnection that lasts 3 s restarts ICE, then every 5 s until it is back', () => {
  watchdog.update('disconnected');
  mock.timers.tick(2999);
  assert.equal(restarts, 0);
  mock.timers.tick(1);
  assert.equal(restarts, 1);
  // Repeated "disconnected" reports do not start a second timer.
  watchdog.update('disconnected');
  mock.timers.tick(5000);
  assert.equal(restarts, 2);
  mock.timers.tick(5000);
  mock.timers.tick(5000);
  assert.equal(restarts, 4);
  watchdog.update('completed');
  mock.timers.tick(60_000);
  assert.equal(restarts, 4);
});

test('failed restarts at once', () => {
  watchdog.update('failed');
  assert.equal(restarts, 1);
  mock.timers.tick(5000);
  assert.equal(restarts, 2);
});

test('closed, new and stop() end the retries', () => {
  for (const end of ['closed', 'new', null]) {
    watchdog.update('failed');
    const before = restarts;
    if (end) watchdog.update(end);
    else watchdog.stop();
    mock.timers.tick(60_000);
    assert.equal(restarts, before, String(end));
  }
});
