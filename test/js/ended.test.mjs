// SPDX-License-Identifier: GPL-3.0-or-later
// The text of the plugin's `ended` reasons (js/src/ended.ts, docs/protocol.md), per side.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endedMessage } from '../../js/src/ended.ts';
import { setPageLanguage } from './page.mjs';

setPageLanguage('en');

test('a broadcaster reads why their broadcast ended', () => {
  assert.equal(endedMessage('broadcast', 'stopped'), 'The broadcast has ended.');
  assert.equal(endedMessage('broadcast', 'taken_over'), 'Your broadcast continues in another tab or window.');
  assert.equal(endedMessage('broadcast', 'publish_timeout'), 'The broadcast did not start.');
  assert.equal(endedMessage('broadcast', 'admin'), 'The broadcast was stopped by the service.');
  assert.equal(endedMessage('broadcast', 'hangup_timeout'), 'The broadcaster’s connection was lost.');
});

test('a viewer reads why their watch ended', () => {
  assert.equal(endedMessage('watch', 'stopped'), 'The broadcast has ended.');
  assert.equal(endedMessage('watch', 'removed'), 'The broadcaster removed you from the broadcast.');
  assert.equal(endedMessage('watch', 'admin'), 'The broadcast was stopped by the service.');
  assert.equal(endedMessage('watch', 'hangup_timeout'), 'The broadcaster’s connection was lost.');
  assert.equal(endedMessage('watch', 'restart'), 'The broadcaster’s connection was lost.');
  assert.equal(endedMessage('watch', 'publish_timeout'), 'The broadcast did not start.');
  assert.equal(endedMessage('watch', 'taken_over'), 'You are watching this broadcast in another tab or window.');
  assert.equal(endedMessage('watch', 'start_timeout'), 'The video did not start in time. Try again.');
});

test('an unknown reason reads as a plain end', () => {
  assert.equal(endedMessage('watch', 'solar_flare'), 'The broadcast has ended.');
  assert.equal(endedMessage('broadcast', ''), 'The broadcast has ended.');
  assert.equal(endedMessage('watch', 'constructor'), 'The broadcast has ended.');
  assert.equal(endedMessage('watch', '__proto__'), 'The broadcast has ended.');
});

test('the text follows the page language', () => {
  setPageLanguage('ru');
  try {
    assert.equal(endedMessage('watch', 'removed'), 'Автор трансляции отключил вас.');
  } finally {
    setPageLanguage('en');
  }
});
