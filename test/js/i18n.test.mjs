// SPDX-License-Identifier: GPL-3.0-or-later
// Text lookup (js/src/i18n.ts): the page language picks the table, placeholders are filled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { t, viewersLabel, widgetLanguage } from '../../js/src/i18n.ts';
import { setPageLanguage } from './page.mjs';

test('the primary subtag of <html lang> picks the language', () => {
  for (const lang of ['ru', 'ru-RU', 'RU_ru', ' ru ']) {
    setPageLanguage(lang);
    assert.equal(widgetLanguage(), 'ru', lang);
    assert.equal(t('live'), 'В ЭФИРЕ', lang);
  }
});

test('English is the fallback for other, empty or missing languages', () => {
  for (const lang of ['de', 'en-GB', '', null, 'russian']) {
    setPageLanguage(lang);
    assert.equal(widgetLanguage(), 'en', String(lang));
    assert.equal(t('live'), 'LIVE', String(lang));
  }
});

test('each call re-reads the language (a single-page app may switch it)', () => {
  setPageLanguage('en');
  assert.equal(t('stop'), 'Stop');
  setPageLanguage('ru');
  assert.equal(t('stop'), 'Завершить');
});

test('placeholders are filled; unknown ones stay as written', () => {
  setPageLanguage('en');
  assert.equal(t('wantsToWatch', { name: 'Boris' }), 'Boris wants to watch you');
  assert.equal(t('secondsLeft', { s: 9 }), '9 s');
  assert.equal(t('wantsToWatch'), '{name} wants to watch you');
  // A value is inserted as it is: no second round of substitution, no `$&` specials.
  assert.equal(t('wantsToWatch', { name: '{name} $& x' }), '{name} $& x wants to watch you');
});

test('viewer counts follow the language plural rules', () => {
  setPageLanguage('en');
  assert.deepEqual([0, 1, 2, 21].map(viewersLabel), ['0 viewers', '1 viewer', '2 viewers', '21 viewers']);
  setPageLanguage('ru');
  assert.deepEqual([1, 2, 5, 11, 21, 22, 25].map(viewersLabel),
    ['1 зритель', '2 зрителя', '5 зрителей', '11 зрителей', '21 зритель', '22 зрителя', '25 зрителей']);
});
