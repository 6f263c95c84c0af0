// SPDX-License-Identifier: GPL-3.0-or-later
// The transactions of js/src/transactions.ts read off janus.js itself (npm janus-gateway, the
// copy the widget bundles), talking to a fake Janus over a fake WebSocket: a janus.js that hands
// its frames on differently fails here rather than by silently pairing nothing in a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tapTransports, transactionOf, transactionOfSend } from '../../js/src/transactions.ts';

// What janus.js reads of a browser: its prologue builds Janus only where `window` exists.
globalThis.window = globalThis;
globalThis.addEventListener = () => undefined;
globalThis.navigator = { platform: 'Linux', userAgent: 'node' };
globalThis.RTCPeerConnection = class {};
const { default: Janus } = await import('janus-gateway');

const SESSION = 1;
const HANDLE = 2;

/** Janus behind a WebSocket: creates the session and the handle, acks plugin messages and keeps
 * their transactions, and sends whatever event a test gives it. */
class FakeJanus extends EventTarget {
  static last = null;
  readyState = 1;
  messages = [];

  constructor() {
    super();
    FakeJanus.last = this;
    setTimeout(() => this.dispatchEvent(new Event('open')));
  }

  send(text) {
    const request = JSON.parse(text);
    const { transaction } = request;
    if (request.janus === 'create') this.reply({ janus: 'success', transaction, data: { id: SESSION } });
    else if (request.janus === 'attach') this.reply({ janus: 'success', session_id: SESSION, transaction, data: { id: HANDLE } });
    else if (request.janus === 'destroy') this.reply({ janus: 'success', session_id: SESSION, transaction });
    else if (request.janus === 'message') {
      this.messages.push(transaction);
      this.reply({ janus: 'ack', session_id: SESSION, transaction });
    }
  }

  event(transaction, event) {
    this.reply({
      janus: 'event', session_id: SESSION, sender: HANDLE, ...(transaction ? { transaction } : {}),
      plugindata: { plugin: 'janus.plugin.onair', data: { onair: 'event', result: { event } } },
    });
  }

  reply(frame) {
    setTimeout(() => this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(frame) })));
  }

  close() {}
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 10));

test('janus.js: requests go out on the transactions read, answers come back on theirs, notifications on none', async () => {
  await new Promise((resolve) => Janus.init({
    debug: false,
    dependencies: tapTransports(Janus.useDefaultDependencies({ adapter: { browserDetails: { browser: 'chrome' } }, WebSocket: FakeJanus })),
    callback: resolve,
  }));
  const janus = await new Promise((resolve, reject) => {
    const session = new Janus({ server: 'ws://janus.invalid/janus-ws', success: () => resolve(session), error: reject });
  });
  const seen = [];
  const handle = await new Promise((resolve, reject) => janus.attach({
    plugin: 'janus.plugin.onair',
    success: resolve,
    error: reject,
    onmessage: (data) => seen.push([data.result.event, transactionOf(data)]),
  }));

  try {
    const heartbeat = transactionOfSend(() => handle.send({ message: { request: 'heartbeat' } }));
    const kick = transactionOfSend(() => handle.send({ message: { request: 'kick', viewer: 'bob' } }));
    const server = FakeJanus.last;
    assert.deepEqual(server.messages, [heartbeat, kick]);
    assert.notEqual(heartbeat, kick);

    server.event(kick, 'kicked');
    server.event(undefined, 'viewer_left');
    server.event(heartbeat, 'heartbeat');
    await settled();
    assert.deepEqual(seen, [['kicked', kick], ['viewer_left', undefined], ['heartbeat', heartbeat]]);
  } finally {
    // Also stops janus.js' keepalive timer, which would keep node running.
    await new Promise((resolve) => janus.destroy({ notifyDestroyed: false, success: resolve }));
  }
});
