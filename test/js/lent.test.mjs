// SPDX-License-Identifier: GPL-3.0-or-later
// The media half's stand-ins for i18n.ts and errors.ts (js/src/lent/): what it says and throws is
// onair.js' own, lent through MEDIA_HOOK, so a text travels once and an error of either half is
// one OnAirError; without onair.js (a media half of another build) they are empty, not a crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useNodeWindow } from './page.mjs';

useNodeWindow();
const HOOK = Symbol.for('onair.media');

class PageError extends Error {}
const page = {
  i18n: { t: (key) => `page text ${key}`, viewersLabel: (n) => `${n} on the page`, widgetLanguage: () => 'eo' },
  errors: {
    OnAirError: PageError,
    asOnAirError: () => 'asOnAirError',
    clientError: () => 'clientError',
    errorText: () => 'errorText',
    pluginError: () => 'pluginError',
    synchronousRefusal: () => 'synchronousRefusal',
  },
};

test("with onair.js' hook, the stand-ins are onair.js' own modules", async () => {
  globalThis[HOOK] = { lent: page, register: () => assert.fail('not registering here') };
  const i18n = await import('../../js/src/lent/i18n.ts');
  const errors = await import('../../js/src/lent/errors.ts');
  assert.equal(i18n.t('live'), 'page text live');
  assert.equal(i18n.viewersLabel(3), '3 on the page');
  assert.equal(i18n.widgetLanguage(), 'eo');
  assert.equal(errors.OnAirError, PageError);
  for (const name of ['asOnAirError', 'clientError', 'errorText', 'pluginError', 'synchronousRefusal']) {
    assert.equal(errors[name](), name);
  }
});

test('without it, a stand-in is empty instead of failing as the script runs', async () => {
  delete globalThis[HOOK];
  const { borrow } = await import('../../js/src/lent/hook.ts');
  assert.deepEqual(borrow('i18n'), {});
  globalThis[HOOK] = () => undefined; // an onair.js whose hook lends nothing
  assert.deepEqual(borrow('errors'), {});
});
