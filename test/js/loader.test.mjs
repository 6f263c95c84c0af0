// SPDX-License-Identifier: GPL-3.0-or-later
// Loading the media half (js/src/loader.ts): where onair-media.js is looked for, that a page
// fetches it once however many flows ask, and what a person is told when it cannot be had.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import * as errors from '../../js/src/errors.ts';
import * as i18n from '../../js/src/i18n.ts';
import { MEDIA_TIMEOUT_MS, MediaLoader, mediaUrl } from '../../js/src/loader.ts';
import { setPageLanguage, useNodeWindow } from './page.mjs';

setPageLanguage('en');
useNodeWindow();
globalThis.location = { href: 'https://site.example/profile/42' };

const HOOK = Symbol.for('onair.media');

/** A media half of `version`, and what the page started from it. */
function mediaHalf(version = '1.2.3') {
  const started = [];
  const module = { version, start: (config) => (started.push(config), { connection: `session ${started.length}` }) };
  return { module, started };
}

/** A script tag that runs `body` (the media half registering itself, or not) and then loads. */
function injector(body) {
  const fetched = [];
  const inject = async (url) => {
    fetched.push(url);
    await Promise.resolve(); // the fetch
    body(fetched.length);
  };
  return { fetched, inject };
}

const registers = (module) => () => globalThis[HOOK].register(module);

test('onair-media.js is looked for beside onair.js, by version', () => {
  assert.equal(mediaUrl('https://onair.example.com/onair.js', '1.2.3'), 'https://onair.example.com/onair-media.js?v=1.2.3');
  assert.equal(mediaUrl('https://cdn.example/widgets/onair.js?site=x', '1.2.3'), 'https://cdn.example/widgets/onair-media.js?v=1.2.3');
  // No src (an inline copy): beside the page.
  assert.equal(mediaUrl('', '1.2.3'), 'https://site.example/profile/onair-media.js?v=1.2.3');
});

test("onair-media.js finds onair.js' own texts and error type lent, before it registers", () => {
  new MediaLoader('/onair-media.js', '1.2.3', () => assert.fail('nothing to start'), injector(() => undefined).inject);
  const { lent } = globalThis[HOOK];
  assert.equal(lent.i18n.t, i18n.t);
  assert.equal(lent.errors.OnAirError, errors.OnAirError);
  assert.equal(lent.errors.pluginError(550, '').message, 'The broadcast is full. Try again later.');
});

test('many flows asking at once fetch it once and share one media session', async () => {
  const { module, started } = mediaHalf();
  const { fetched, inject } = injector(registers(module));
  const loader = new MediaLoader('https://onair.example.com/onair-media.js?v=1.2.3', '1.2.3', (m) => m.start('config'), inject);
  const sessions = await Promise.all([loader.load(), loader.load(), loader.load()]);
  assert.deepEqual(fetched, ['https://onair.example.com/onair-media.js?v=1.2.3']);
  assert.equal(started.length, 1);
  assert.ok(sessions.every((s) => s === sessions[0]));
  // A later broadcast or watch needs nothing more.
  assert.equal(await loader.load(), sessions[0]);
  assert.equal(fetched.length, 1);
});

test('a fetch that fails says media_unavailable, and the next attempt fetches again', async () => {
  const { module, started } = mediaHalf();
  const { fetched, inject } = injector((attempt) => {
    if (attempt === 1) throw new Error('it could not be fetched');
    globalThis[HOOK].register(module);
  });
  const loader = new MediaLoader('/onair-media.js', '1.2.3', (m) => m.start('config'), inject);
  await assert.rejects(loader.load(), (error) => {
    assert.equal(error.code, 'media_unavailable');
    assert.equal(error.message, 'The video part of OnAir could not be loaded. Check your connection and try again.');
    assert.match(error.detail, /onair-media\.js: it could not be fetched/);
    return true;
  });
  assert.equal(started.length, 0);
  await loader.load();
  assert.equal(fetched.length, 2);
  assert.equal(started.length, 1);
});

test('a script that runs but is no media half (an error page, another file) is media_unavailable', async () => {
  const { inject } = injector(() => undefined);
  const loader = new MediaLoader('/onair-media.js', '1.2.3', () => assert.fail('nothing to start'), inject);
  await assert.rejects(loader.load(), { code: 'media_unavailable', detail: '/onair-media.js: it did not register' });
});

test('a media half of another version is refused with media_outdated, and never started', async () => {
  const { module, started } = mediaHalf('1.2.2');
  const { inject } = injector(registers(module));
  const loader = new MediaLoader('/onair-media.js', '1.2.3', (m) => m.start('config'), inject);
  await assert.rejects(loader.load(), (error) => {
    assert.equal(error.code, 'media_outdated');
    assert.equal(error.message, 'OnAir has just been updated. Reload the page to continue.');
    assert.equal(error.detail, 'onair-media.js 1.2.2, onair.js 1.2.3');
    return true;
  });
  assert.equal(started.length, 0);
});

test('a fetch that never ends fails after MEDIA_TIMEOUT_MS; a late arrival is used next time', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { module, started } = mediaHalf();
    let arrive;
    const inject = () => new Promise((resolve) => {
      arrive = () => {
        globalThis[HOOK].register(module);
        resolve();
      };
    });
    const loader = new MediaLoader('/onair-media.js', '1.2.3', (m) => m.start('config'), inject);
    const attempt = loader.load();
    mock.timers.tick(MEDIA_TIMEOUT_MS - 1);
    await Promise.resolve();
    let settled = false;
    attempt.catch(() => undefined).finally(() => { settled = true; });
    await Promise.resolve();
    assert.equal(settled, false, 'still waiting just before the time-out');
    mock.timers.tick(1);
    await assert.rejects(attempt, { code: 'media_unavailable', detail: '/onair-media.js: no answer within 30 s' });
    arrive();
    await loader.load();
    assert.equal(started.length, 1);
  } finally {
    mock.timers.reset();
  }
});
