// SPDX-License-Identifier: GPL-3.0-or-later
// Error mapping (js/src/errors.ts, camera_errors.ts): plugin error codes and getUserMedia failures
// become an OnAirError with a stable code and the person-readable text of the page language.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaError } from '../../js/src/camera_errors.ts';
import { OnAirError, asOnAirError, clientError, errorText, pluginError, synchronousRefusal } from '../../js/src/errors.ts';
import { setPageLanguage } from './page.mjs';

setPageLanguage('en');

test('a known plugin code keeps its number and the server text as detail', () => {
  const err = pluginError(548, 'target is not live', 'Anna');
  assert.ok(err instanceof OnAirError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'OnAirError');
  assert.equal(err.code, 548);
  assert.equal(err.message, 'Anna is not live right now.');
  assert.equal(err.detail, 'target is not live');
});

test('every documented plugin code 545-554 has its own text', () => {
  const texts = new Set();
  for (let code = 545; code <= 554; code++) {
    const message = pluginError(code, 'server words', 'Anna').message;
    assert.doesNotMatch(message, /^Error: /, String(code));
    texts.add(message);
  }
  assert.equal(texts.size, 10);
});

test('a missing name reads "?", not an empty gap', () => {
  assert.equal(pluginError(548, '').message, '? is not live right now.');
});

test('an unknown plugin code shows the server text, or the code when there is none', () => {
  assert.equal(pluginError(499, 'odd failure').message, 'Error: odd failure');
  assert.equal(pluginError(499, '').message, 'Error: 499');
  assert.equal(pluginError(499, '').code, 499);
});

test('texts follow the page language', () => {
  setPageLanguage('ru');
  try {
    assert.equal(pluginError(550, '').message, 'Трансляция переполнена. Попробуйте позже.');
    assert.equal(mediaError({ name: 'NotAllowedError' }).code, 'camera_denied');
  } finally {
    setPageLanguage('en');
  }
});

test('getUserMedia failures map to camera codes, old Chrome names included', () => {
  const cases = {
    NotAllowedError: 'camera_denied',
    PermissionDeniedError: 'camera_denied',
    NotFoundError: 'camera_not_found',
    DevicesNotFoundError: 'camera_not_found',
    NotReadableError: 'camera_busy',
    TrackStartError: 'camera_busy',
    AbortError: 'camera_busy',
    OverconstrainedError: 'camera_constraints',
    ConstraintNotSatisfiedError: 'camera_constraints',
    SecurityError: 'camera_insecure',
    TypeError: 'camera_failed',
  };
  for (const [name, code] of Object.entries(cases)) {
    const err = Object.assign(new Error(`browser says ${name}`), { name });
    const mapped = mediaError(err);
    assert.equal(mapped.code, code, name);
    assert.equal(mapped.detail, `browser says ${name}`, name);
  }
  // A DOMException-like object that is not an Error is recognised by its name too.
  assert.equal(mediaError({ name: 'NotFoundError' }).code, 'camera_not_found');
});

test('an unrecognised camera failure says what the browser said', () => {
  const mapped = mediaError(Object.assign(new Error('device exploded'), { name: 'WeirdError' }));
  assert.equal(mapped.code, 'camera_failed');
  assert.equal(mapped.message, 'Could not start the camera: device exploded');
  assert.equal(mediaError('just a string').message, 'Could not start the camera: just a string');
});

test('clientError uses its code and the text of its key', () => {
  const err = clientError('connection_lost', 'connectionGone', 'not restored within 120 s');
  assert.equal(err.code, 'connection_lost');
  assert.equal(err.message, 'The connection to the broadcasting server was lost. Try again later.');
  assert.equal(err.detail, 'not restored within 120 s');
});

test('asOnAirError passes an OnAirError through and wraps anything else as media_failed', () => {
  const own = clientError('bad_options', 'configMissingSite');
  assert.equal(asOnAirError(own), own);
  const wrapped = asOnAirError(new Error('setRemoteDescription failed'));
  assert.equal(wrapped.code, 'media_failed');
  assert.equal(wrapped.detail, 'setRemoteDescription failed');
  assert.equal(asOnAirError(42).detail, '42');
});

test('a synchronous refusal from janus.js success data becomes the plugin error; an ack or a result does not', () => {
  const refusal = synchronousRefusal({ onair: 'event', error_code: 551, error: 'Rate limited: 64 messages of this handle are still waiting' });
  assert.ok(refusal instanceof OnAirError);
  assert.equal(refusal.code, 551);
  assert.equal(refusal.detail, 'Rate limited: 64 messages of this handle are still waiting');
  assert.notEqual(refusal.message, refusal.detail);
  assert.equal(synchronousRefusal(undefined), null);
  assert.equal(synchronousRefusal({ onair: 'event', result: { event: 'ok' } }), null);
});

test("errorText: an Error's message, anything else thrown as text", () => {
  assert.equal(errorText(new TypeError('Failed to fetch')), 'Failed to fetch');
  assert.equal(errorText('closed'), 'closed');
  assert.equal(errorText(undefined), 'undefined');
});
