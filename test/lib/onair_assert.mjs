// SPDX-License-Identifier: GPL-3.0-or-later
// Assertions on OnAir plugin answers (docs/protocol.md): results and errors with codes.
import assert from 'node:assert/strict';

// Asserts a successful answer with result.event === `event` and returns the result.
export function assertResult(data, event) {
  assert.equal(data?.onair, 'event', `not an OnAir event: ${JSON.stringify(data)}`);
  assert.ok(data.result, `expected result "${event}", got error ${data.error_code}: ${data.error}`);
  assert.equal(data.result.event, event, `expected "${event}": ${JSON.stringify(data)}`);
  return data.result;
}

// Asserts an error answer with `code` whose text matches `pattern` (so it names the problem).
export function assertError(data, code, pattern) {
  assert.equal(data?.onair, 'event', `not an OnAir event: ${JSON.stringify(data)}`);
  assert.equal(data.result, undefined, `expected error ${code}, got result ${JSON.stringify(data.result)}`);
  assert.equal(data.error_code, code, `expected error ${code}: ${JSON.stringify(data)}`);
  assert.equal(typeof data.error, 'string');
  assert.ok(data.error.length > 3, `error text too short: ${JSON.stringify(data)}`);
  if (pattern) assert.match(data.error, pattern, `error text does not explain: ${JSON.stringify(data)}`);
  return data;
}

// Same, for Admin API answers ({onair: "success"|"error"}).
export function assertAdminOk(response) {
  assert.equal(response?.onair, 'success', `admin request failed: ${JSON.stringify(response)}`);
  return response;
}
export function assertAdminError(response, code, pattern) {
  assert.equal(response?.onair, 'error', `expected admin error ${code}: ${JSON.stringify(response)}`);
  assert.equal(response.error_code, code, `expected admin error ${code}: ${JSON.stringify(response)}`);
  assert.equal(typeof response.error, 'string');
  if (pattern) assert.match(response.error, pattern, `admin error text does not explain: ${JSON.stringify(response)}`);
  return response;
}
