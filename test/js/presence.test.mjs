// SPDX-License-Identifier: GPL-3.0-or-later
// Presence (js/src/presence.ts) moving from onair.js' own Janus session to the janus.js one when
// the page loads the media half: what the buttons show stays, the new session is subscribed with
// the same targets, and the old session's events no longer count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Presence } from '../../js/src/presence.ts';
import { useNodeWindow } from './page.mjs';

useNodeWindow();

const settled = () => new Promise((resolve) => setTimeout(resolve, 60));

/** A Janus session presence can attach to: records what it sends, lets a test push events. */
function source(name) {
  const sent = [];
  const listeners = [];
  return {
    name,
    sent,
    attach: async (listener) => {
      listeners.push(listener);
      return { send: (message) => (sent.push(message), { delivered: Promise.resolve() }), close: () => undefined };
    },
    push: (users) => listeners.at(-1).onEvent({ kind: 'result', event: 'presence', data: { event: 'presence', users } }),
  };
}

test('presence moves to another session: states stay, the targets are subscribed there, the old one is ignored', async () => {
  const lite = source('lite');
  const changes = [];
  const presence = new Presence('demo', lite, (changed) => changes.push(Object.fromEntries(changed)));
  presence.setTargets(['43', '42']);
  await settled();
  assert.deepEqual(lite.sent, [{ request: 'presence', site: 'demo', users: ['42', '43'] }]);
  lite.push({ 42: true, 43: false });
  assert.equal(presence.isLive('42'), true);

  const janus = source('janus.js');
  presence.moveTo(janus);
  assert.equal(presence.isLive('42'), true, 'the Watch button does not blink while presence moves');
  await settled();
  assert.deepEqual(janus.sent, [{ request: 'presence', site: 'demo', users: ['42', '43'] }]);

  lite.push({ 42: false }); // the old session, closing
  assert.equal(presence.isLive('42'), true);
  janus.push({ 42: false, 43: true });
  assert.equal(presence.isLive('42'), false);
  assert.equal(presence.isLive('43'), true);
  assert.deepEqual(changes, [{ 42: true, 43: false }, { 42: false, 43: true }]);
});

test('a move while a subscription is being attached on the old session subscribes on the new one', async () => {
  let attached;
  const slow = { attach: () => new Promise((resolve) => { attached = resolve; }) };
  const presence = new Presence('demo', slow, () => undefined);
  presence.setTargets(['42']);
  await settled();
  const janus = source('janus.js');
  presence.moveTo(janus);
  let closed = false;
  attached({ send: () => assert.fail('nothing is sent on the old session'), close: () => { closed = true; } });
  await settled();
  assert.equal(closed, true, 'the handle opened on the old session is closed');
  assert.deepEqual(janus.sent, [{ request: 'presence', site: 'demo', users: ['42'] }]);
});
