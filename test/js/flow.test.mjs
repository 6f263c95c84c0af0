// SPDX-License-Identifier: GPL-3.0-or-later
// The shared flow (js/src/flow.ts): reconnection pacing (docs/widget.md: 1 s, 2 s, 4 s … 15 s),
// and answers paired with their requests by Janus transaction, whatever order they come in.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { SessionFlow, backoffDelay } from '../../js/src/flow.ts';
import { parsePluginMessage } from '../../js/src/protocol.ts';
import { setPageLanguage, useNodeWindow } from './page.mjs';

setPageLanguage('en');
useNodeWindow();

test('reconnection waits double each attempt, from 1 s up to 15 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map(backoffDelay), [1000, 2000, 4000, 8000, 15000, 15000, 15000, 15000]);
});

/** A role with no media: it sends what a test asks and records what the shared flow hands it. */
class Role extends SessionFlow {
  role = 'broadcast';
  /** Requests the role was told were refused, as "request code" (a broadcaster shows these). */
  refused = [];
  /** Result events handed to the role. */
  events = [];
  failure = null;

  constructor(host) {
    super(host, 'anna', 'test');
  }

  begin() {
    return Promise.resolve();
  }

  send(request, fields = {}) {
    return this.request({ request, ...fields });
  }

  onEvent(event) {
    this.events.push(event.event);
  }

  onRefused(request, code) {
    this.refused.push(`${request} ${code}`);
  }

  canResume() {
    return false;
  }

  showReconnecting() {}

  startRelayIceRestart() {}

  fail(error) {
    this.failure = error;
  }
}

/** A plugin handle whose requests go out on transactions t1, t2, … and whose answers the test
 * delivers, as Janus would, on the transaction of the request they answer. */
async function started() {
  const sent = [];
  let listener = null;
  const channel = {
    isClosed: false,
    send(message) {
      const transaction = `t${sent.length + 1}`;
      sent.push(message.request);
      return { transaction, delivered: Promise.resolve() };
    },
    hangup() {},
    close() {},
  };
  const host = {
    config: { site: 'demo' },
    connection: { pageLeaving: false, attach: async (l) => ((listener = l), channel) },
    changed() {},
    emit() {},
    finished() {},
  };
  const flow = new Role(host);
  await flow.start();
  const reply = (transaction, data) => listener.onEvent(parsePluginMessage({ onair: 'event', ...data }), undefined, transaction);
  return { flow, sent, reply };
}

let warn;
beforeEach(() => {
  warn = mock.method(console, 'warn', () => undefined);
});
afterEach(() => mock.restoreAll());

test('a refused kick is reported though the heartbeat sent before it is answered after it', async () => {
  const { flow, sent, reply } = await started();
  await flow.send('heartbeat', { peers: [] });
  await flow.send('kick', { viewer: 'bob' });
  assert.deepEqual(sent, ['heartbeat', 'kick']);
  reply('t2', { error_code: 549, error: 'no such viewer' });
  reply('t1', { result: { event: 'heartbeat' } });
  assert.deepEqual(flow.refused, ['kick 549']);
  assert.equal(flow.failure, null);
});

test('a refused signal answered first is only logged, not taken for the prompt answer sent before it', async () => {
  const { flow, reply } = await started();
  await flow.send('answer', { request_id: 'r1', accept: true });
  await flow.send('signal', { peer: 'p1', candidate: null });
  reply('t2', { error_code: 543, error: 'unknown peer' });
  reply('t1', { result: { event: 'answered', request_id: 'r1' } });
  assert.deepEqual(flow.refused, []);
  assert.deepEqual(flow.events, ['answered']);
  assert.equal(warn.mock.callCount(), 1);
  assert.match(String(warn.mock.calls[0].arguments[0]), /signal refused \(543 unknown peer\)/);
});

test('a notification named like an answer is not taken for the answer of a waiting request', async () => {
  const { flow, reply } = await started();
  await flow.send('stop');
  reply(undefined, { result: { event: 'ended', reason: 'admin' } });
  reply('t1', { error_code: 548, error: 'not live' });
  assert.deepEqual(flow.events, ['ended']);
  assert.deepEqual(flow.refused, ['stop 548']);
});
