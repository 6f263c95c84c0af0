// SPDX-License-Identifier: GPL-3.0-or-later
// Plugin messages as js/src/protocol.ts narrows them (docs/protocol.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bool, identityMembers, num, parsePluginMessage, people, person, presenceMap, str } from '../../js/src/protocol.ts';

test('an OnAir result becomes a result event carrying the whole result', () => {
  const result = { event: 'watching', media: 'sfu', viewers: 2 };
  assert.deepEqual(parsePluginMessage({ onair: 'event', result }), { kind: 'result', event: 'watching', data: result });
});

test('an OnAir error keeps its numeric code and text', () => {
  assert.deepEqual(parsePluginMessage({ onair: 'event', error_code: 548, error: 'not live' }),
    { kind: 'error', code: 548, message: 'not live' });
  // A missing text is an empty message, not "undefined".
  assert.deepEqual(parsePluginMessage({ onair: 'event', error_code: 554 }), { kind: 'error', code: 554, message: '' });
});

test('an error code wins over a result in the same message', () => {
  const parsed = parsePluginMessage({ onair: 'event', error_code: 547, error: 'no', result: { event: 'live' } });
  assert.equal(parsed?.kind, 'error');
});

test('messages that are not OnAir events are ignored, not crashed on', () => {
  for (const message of [
    null, undefined, 42, 'event', [], {},
    { result: { event: 'live' } }, // no onair marker
    { onair: 'other', result: { event: 'live' } },
    { onair: 'event' },
    { onair: 'event', result: 'live' },
    { onair: 'event', result: [] },
    { onair: 'event', result: { event: 7 } },
    { onair: 'event', error_code: '548', error: 'a string code is not an error code' },
  ]) {
    assert.equal(parsePluginMessage(message), null, JSON.stringify(message));
  }
});

test('a request carries the token and name the page gave, and leaves out the ones it did not', () => {
  assert.deepEqual(identityMembers({ user: '42', token: 'jwt', name: 'Anna' }), { token: 'jwt', name: 'Anna' });
  assert.deepEqual(identityMembers({ user: '42', token: '', name: 'Anna' }), { name: 'Anna' });
  assert.deepEqual(identityMembers({ target: '42', token: 'jwt' }), { token: 'jwt' });
  assert.deepEqual(identityMembers({ user: '17' }), {});
});

test('str takes strings and numbers, anything else is the fallback', () => {
  assert.equal(str('a'), 'a');
  assert.equal(str(42), '42');
  assert.equal(str(null), '');
  assert.equal(str(undefined, 'stopped'), 'stopped');
  assert.equal(str({ toString: () => 'x' }, '-'), '-');
  assert.equal(str(true, '-'), '-');
});

test('num takes finite numbers only', () => {
  assert.equal(num(3.5), 3.5);
  assert.equal(num(0, 9), 0);
  assert.equal(num('3'), 0);
  assert.equal(num(Number.NaN, 7), 7);
  assert.equal(num(Number.POSITIVE_INFINITY, 7), 7);
  assert.equal(num(undefined, 15), 15);
});

test('bool is true only for true', () => {
  assert.equal(bool(true), true);
  for (const value of [false, 'true', 1, {}, null, undefined]) assert.equal(bool(value), false);
});

test('person maps name_verified to nameVerified; anything else is an empty person', () => {
  assert.deepEqual(person({ user: '17', name: 'Boris', name_verified: true }), { user: '17', name: 'Boris', nameVerified: true });
  assert.deepEqual(person({ user: 17, name: 'Boris', name_verified: 'yes' }), { user: '17', name: 'Boris', nameVerified: false });
  assert.deepEqual(person(['17']), { user: '', name: '', nameVerified: false });
  assert.deepEqual(person(null), { user: '', name: '', nameVerified: false });
});

test('people drops entries without a user', () => {
  assert.deepEqual(people([{ user: '1', name: 'A' }, { name: 'no id' }, 'junk', { user: '2', name: 'B', name_verified: true }]), [
    { user: '1', name: 'A', nameVerified: false },
    { user: '2', name: 'B', nameVerified: true },
  ]);
  assert.deepEqual(people({ user: '1' }), []);
});

test('presenceMap keeps boolean entries only', () => {
  const map = presenceMap({ 42: true, 43: false, 44: 'true', 45: null });
  assert.deepEqual([...map], [['42', true], ['43', false]]);
  assert.equal(presenceMap([true]).size, 0);
  assert.equal(presenceMap(null).size, 0);
});
