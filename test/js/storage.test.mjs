// SPDX-License-Identifier: GPL-3.0-or-later
// What survives a reload (js/src/storage.ts): the consent cookie's name, and the per-tab list of
// watched targets.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { consentCookieName, forgetWatching, rememberWatching, wasWatching } from '../../js/src/storage.ts';
import { freshSessionStorage } from './page.mjs';

test('a plain site and user make a readable cookie name', () => {
  assert.equal(consentCookieName('site-1.example', 'User42'), 'onair_live_site-1.example_User42');
});

test('characters a cookie name may not hold are hex-escaped as _xx_', () => {
  assert.equal(consentCookieName('a b', 'x=y;z'), 'onair_live_a_20_b_x_3d_y_3b_z');
  assert.equal(consentCookieName('s', 'ä'), 'onair_live_s__e4_');
  // Outside the BMP each UTF-16 half is escaped on its own.
  assert.equal(consentCookieName('s', '😀'), 'onair_live_s__d83d__de00_');
  // "_" itself is escaped, so site "a_b" + user "c" and site "a" + user "b_c" stay apart.
  assert.equal(consentCookieName('a_b', 'c'), 'onair_live_a_5f_b_c');
  assert.notEqual(consentCookieName('a_b', 'c'), consentCookieName('a', 'b_c'));
});

let items;
beforeEach(() => {
  items = freshSessionStorage();
});

test('watched targets are remembered per site, target and user', () => {
  rememberWatching('s1', '42', '17');
  assert.equal(wasWatching('s1', '42', '17'), true);
  assert.equal(wasWatching('s1', '42', '18'), false, 'another viewer');
  assert.equal(wasWatching('s2', '42', '17'), false, 'another site');
  assert.equal(wasWatching('s1', '43', '17'), false, 'another target');
});

test('watching a target again replaces its entry; forgetting the last one clears the key', () => {
  rememberWatching('s1', '42', '17');
  rememberWatching('s1', '43', '17');
  rememberWatching('s1', '42', '18');
  assert.deepEqual(JSON.parse(items.get('onair_watching_s1')), [{ target: '43', user: '17' }, { target: '42', user: '18' }]);
  forgetWatching('s1', '42');
  forgetWatching('s1', '43');
  assert.equal(items.has('onair_watching_s1'), false);
});

test('malformed stored entries are skipped, not trusted', () => {
  items.set('onair_watching_s1', JSON.stringify([{ target: '42', user: '17' }, { target: 43, user: '17' }, null, 'x']));
  assert.equal(wasWatching('s1', '42', '17'), true);
  assert.equal(wasWatching('s1', 43, '17'), false);
  items.set('onair_watching_s1', '{not json');
  assert.equal(wasWatching('s1', '42', '17'), false);
  items.set('onair_watching_s1', '{"target":"42","user":"17"}');
  assert.equal(wasWatching('s1', '42', '17'), false);
});

test('blocked storage means nothing is remembered, and nothing throws', () => {
  const blocked = () => {
    throw new Error('SecurityError: storage is blocked');
  };
  globalThis.sessionStorage = { getItem: blocked, setItem: blocked, removeItem: blocked };
  rememberWatching('s1', '42', '17');
  assert.equal(wasWatching('s1', '42', '17'), false);
  forgetWatching('s1', '42');
});
