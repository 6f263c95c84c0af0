// SPDX-License-Identifier: GPL-3.0-or-later
// The shared flow's reconnection pacing (js/src/flow.ts, docs/widget.md: 1 s, 2 s, 4 s … 15 s).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from '../../js/src/flow.ts';

test('reconnection waits double each attempt, from 1 s up to 15 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map(backoffDelay), [1000, 2000, 4000, 8000, 15000, 15000, 15000, 15000]);
});
