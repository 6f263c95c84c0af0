// SPDX-License-Identifier: GPL-3.0-or-later
// The Janus transactions read off janus.js' transports (js/src/transactions.ts): the one a plugin
// message goes out on, and the one a plugin event comes back on, over WebSocket and HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tapTransports, transactionOf, transactionOfSend } from '../../js/src/transactions.ts';

/** What janus.js' default dependencies would be, recording instead of connecting. */
function transports() {
  const calls = [];
  const deps = {
    isArray: Array.isArray,
    newWebSocket: () => Object.assign(new EventTarget(), { frames: [], send(frame) { this.frames.push(frame); } }),
    httpAPICall: (url, call) => void calls.push(call),
  };
  return { calls, tapped: tapTransports(deps) };
}

const answer = (transaction, event) => ({ janus: 'event', sender: 1, transaction, plugindata: { plugin: 'janus.plugin.onair', data: { onair: 'event', result: { event } } } });
const notification = (event) => ({ janus: 'event', sender: 1, plugindata: { plugin: 'janus.plugin.onair', data: { onair: 'event', result: { event } } } });

test('WebSocket: a plugin message goes out on the transaction read from its frame', () => {
  const socket = transports().tapped.newWebSocket('wss://example/janus-ws', 'janus-protocol');
  assert.equal(transactionOfSend(() => socket.send(JSON.stringify({ janus: 'message', transaction: 'abc', body: { request: 'watch' } }))), 'abc');
  // Keepalives and trickles are no plugin messages; janus.js refusing before sending sends none.
  assert.equal(transactionOfSend(() => socket.send(JSON.stringify({ janus: 'trickle', transaction: 'xyz' }))), '');
  assert.equal(transactionOfSend(() => undefined), '');
  assert.equal(socket.frames.length, 2);
});

test('WebSocket: onmessage learns the transaction of the event it is handed, none for a notification', () => {
  const socket = transports().tapped.newWebSocket('wss://example/janus-ws', 'janus-protocol');
  const seen = [];
  // janus.js' own listener, added after the socket is made: it parses the frame itself.
  socket.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data);
    if (frame.janus === 'event') seen.push([frame.plugindata.data.result.event, transactionOf(frame.plugindata.data)]);
  });
  for (const frame of [answer('t2', 'kicked'), notification('viewer_left'), { janus: 'ack', transaction: 't3' }, answer('t1', 'heartbeat')]) {
    socket.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(frame) }));
  }
  assert.deepEqual(seen, [['kicked', 't2'], ['viewer_left', undefined], ['heartbeat', 't1']]);
});

test('HTTP: a POSTed plugin message goes out on its transaction; a long poll batch keeps each event\'s', () => {
  const { calls, tapped } = transports();
  assert.equal(transactionOfSend(() => tapped.httpAPICall('https://example/janus/1/2', { verb: 'POST', body: { janus: 'message', transaction: 'p1', body: {} } })), 'p1');
  // A WebSocket frame handled earlier on the page says nothing about what the long poll brings.
  const socket = tapped.newWebSocket('wss://example/janus-ws', 'janus-protocol');
  socket.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(answer('old', 'left')) }));

  const seen = [];
  tapped.httpAPICall('https://example/janus/1?maxev=10', {
    verb: 'GET',
    success: (json) => {
      for (const frame of json) seen.push([frame.plugindata.data.result.event, transactionOf(frame.plugindata.data)]);
    },
  });
  calls.at(-1).success([answer('t2', 'signalled'), notification('watch_request'), answer('t1', 'registered')]);
  assert.deepEqual(seen, [['signalled', 't2'], ['watch_request', undefined], ['registered', 't1']]);
});
