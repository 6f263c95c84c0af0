// SPDX-License-Identifier: GPL-3.0-or-later
// Channel.send (js/src/connection.ts): a request the plugin refuses synchronously gets no event
// afterwards, so the promise itself must carry the refusal (docs/protocol.md, 551 answered
// synchronously). The handle below replays what janus.js hands to `success` in each case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Channel } from '../../js/src/connection.ts';

function channelAnswering(data) {
  return new Channel({ send: (options) => options.success(data) });
}

test('an acknowledged request resolves', async () => {
  await channelAnswering(undefined).send({ request: 'watch', target: 'anna' });
});

test('a synchronous plugin result that is not an error resolves', async () => {
  await channelAnswering({ onair: 'event', result: { event: 'ok' } }).send({ request: 'list' });
});

test('a synchronous refusal rejects with the plugin error, readable for a person', async () => {
  const refusal = { onair: 'event', error_code: 551, error: 'Rate limited: 64 messages of this handle are still waiting' };
  await assert.rejects(channelAnswering(refusal).send({ request: 'watch', target: 'anna' }), (error) => {
    assert.equal(error.code, 551);
    assert.equal(error.detail, refusal.error);
    assert.notEqual(error.message, '');
    assert.notEqual(error.message, refusal.error);
    return true;
  });
});

test('a transport failure rejects as a lost connection', async () => {
  const channel = new Channel({ send: (options) => options.error('WebSocket closed') });
  await assert.rejects(channel.send({ request: 'watch' }), (error) => error.code === 'connection_lost');
});
