// SPDX-License-Identifier: GPL-3.0-or-later
// onair.js' own small Janus client (js/src/janus_lite.ts), which presence uses until the page
// loads janus.js: against a fake Janus behind a WebSocket and behind the HTTP long poll, the
// frames it sends, the events it hands on, a refusal, the fallback and a lost session.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { JanusLite } from '../../js/src/janus_lite.ts';
import { setPageLanguage, useNodeWindow } from './page.mjs';

setPageLanguage('en');
useNodeWindow();
globalThis.addEventListener = () => undefined; // pagehide / pageshow

const SESSION = 7;
const HANDLE = 9;
const settled = () => new Promise((resolve) => setTimeout(resolve, 5));

/** What Janus answers a request: a session, a handle, an ack, or what `answer` says. */
function janusAnswer(request, answer) {
  const { janus, transaction } = request;
  if (janus === 'create') return { janus: 'success', transaction, data: { id: SESSION } };
  if (janus === 'attach') return { janus: 'success', session_id: SESSION, transaction, data: { id: HANDLE } };
  if (janus === 'message') return answer?.(request) ?? { janus: 'ack', session_id: SESSION, transaction };
  return { janus: 'ack', session_id: SESSION, transaction };
}

const presenceEvent = (users, transaction) => ({
  janus: 'event', session_id: SESSION, sender: HANDLE, ...(transaction ? { transaction } : {}),
  plugindata: { plugin: 'janus.plugin.onair', data: { onair: 'event', result: { event: 'presence', users } } },
});

/** Janus behind a WebSocket; `refuse`: the socket never opens. */
class FakeSocket extends EventTarget {
  static OPEN = 1;
  static all = [];
  static refuse = false;
  static answer = null;
  readyState = 0;
  sent = [];
  onopen = null;
  onclose = null;
  onmessage = null;

  constructor(url, protocol) {
    super();
    this.url = url;
    this.protocol = protocol;
    FakeSocket.all.push(this);
    setTimeout(() => {
      if (FakeSocket.refuse) {
        this.readyState = 3;
        this.onclose?.();
        return;
      }
      this.readyState = 1;
      this.onopen?.();
    });
  }

  send(text) {
    const request = JSON.parse(text);
    this.sent.push(request);
    this.push(janusAnswer(request, FakeSocket.answer));
  }

  push(frame) {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(frame) }));
  }

  close() {
    this.readyState = 3;
    setTimeout(() => this.onclose?.());
  }
}
globalThis.WebSocket = FakeSocket;

afterEach(() => {
  FakeSocket.all = [];
  FakeSocket.refuse = false;
  FakeSocket.answer = null;
});

test('WebSocket: session, handle, a message on its transaction, and the events of that handle', async () => {
  const lite = new JanusLite(['wss://onair.example/janus-ws', 'https://onair.example/janus']);
  const events = [];
  const channel = await lite.attach({ onEvent: (event) => events.push(event) });
  const socket = FakeSocket.all[0];
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(socket.protocol, 'janus-protocol');
  assert.deepEqual(socket.sent.map((f) => f.janus), ['create', 'attach']);
  assert.equal(socket.sent[1].plugin, 'janus.plugin.onair');
  assert.equal(socket.sent[1].session_id, SESSION);

  await channel.send({ request: 'presence', site: 'demo', users: ['42'] }).delivered;
  const message = socket.sent[2];
  assert.deepEqual(message.body, { request: 'presence', site: 'demo', users: ['42'] });
  assert.equal(message.session_id, SESSION);
  assert.equal(message.handle_id, HANDLE);

  // The answer comes on the request's transaction, as an event: not taken for the ack.
  socket.push(presenceEvent({ 42: true }, message.transaction));
  socket.push(presenceEvent({ 42: false }));
  socket.push({ ...presenceEvent({ 43: true }), sender: HANDLE + 1 }); // another handle's
  await settled();
  assert.deepEqual(events.map((e) => e.data.users), [{ 42: true }, { 42: false }]);
  lite.retire();
});

test('a refusal Janus answers at once (551) rejects the delivery with the plugin error', async () => {
  FakeSocket.answer = ({ transaction }) => ({
    janus: 'success', session_id: SESSION, transaction,
    plugindata: { plugin: 'janus.plugin.onair', data: { onair: 'event', error_code: 551, error: 'too many requests' } },
  });
  const lite = new JanusLite(['wss://onair.example/janus-ws']);
  const channel = await lite.attach({ onEvent: () => undefined });
  await assert.rejects(channel.send({ request: 'presence', site: 'demo', users: [] }).delivered, { code: 551 });
  lite.retire();
});

test('a lost WebSocket is reported once; retiring ends the session without a report', async () => {
  const lite = new JanusLite(['wss://onair.example/janus-ws']);
  let lost = 0;
  lite.onLost(() => lost++);
  await lite.attach({ onEvent: () => undefined });
  FakeSocket.all[0].close();
  await settled();
  assert.equal(lost, 1);

  // The next attach opens a new session.
  await lite.attach({ onEvent: () => undefined });
  assert.equal(FakeSocket.all.length, 2);
  const socket = FakeSocket.all[1];
  lite.retire();
  await settled();
  assert.equal(lost, 1);
  assert.equal(socket.readyState, 3, 'closed, which ends the session');
  await assert.rejects(lite.attach({ onEvent: () => undefined }));
});

test('no WebSocket: the HTTP API, with events from the long poll', async () => {
  FakeSocket.refuse = true;
  const posts = [];
  const polls = [];
  let deliver;
  globalThis.fetch = async (url, init = {}) => {
    const respond = (body) => ({ ok: true, status: 200, json: async () => body });
    if (init.method === 'POST') {
      const request = JSON.parse(init.body);
      posts.push([url, request]);
      return respond(janusAnswer(request));
    }
    polls.push(url);
    // Held until there is something, as Janus holds a long poll.
    return new Promise((resolve) => {
      deliver = (frames) => resolve(respond(frames));
    });
  };
  const lite = new JanusLite(['wss://onair.example/janus-ws', 'https://onair.example/janus']);
  const events = [];
  const channel = await lite.attach({ onEvent: (event) => events.push(event) });
  await channel.send({ request: 'presence', site: 'demo', users: ['42'] }).delivered;
  assert.deepEqual(posts.map(([url, request]) => [url, request.janus]), [
    ['https://onair.example/janus', 'create'],
    [`https://onair.example/janus/${SESSION}`, 'attach'],
    [`https://onair.example/janus/${SESSION}/${HANDLE}`, 'message'],
  ]);
  assert.match(polls[0], new RegExp(`^https://onair.example/janus/${SESSION}\\?rid=\\d+&maxev=10$`));
  deliver([presenceEvent({ 42: true }, posts[2][1].transaction), { janus: 'keepalive' }]);
  await settled();
  assert.deepEqual(events.map((e) => e.data.users), [{ 42: true }]);
  assert.equal(polls.length, 2, 'the next long poll is out');

  lite.retire();
  assert.equal(posts.at(-1)[1].janus, 'destroy');
  deliver([presenceEvent({ 42: false })]);
  await settled();
  assert.equal(events.length, 1, 'nothing after the session ended');
});
