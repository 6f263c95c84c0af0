// SPDX-License-Identifier: GPL-3.0-or-later
// A broadcaster and viewers in Chromium for the browser benchmarks, each a Person of
// test/lib/browser.mjs with the bench instrumentation (instrument.mjs) injected.
import { Person, waitForAttribute, widget } from '../../test/lib/browser.mjs';
import { benchInit } from './instrument.mjs';

/** A person whose pages carry the bench instrumentation. */
export async function benchPerson(stack, name, { camera = false, canvasCamera = false } = {}) {
  const person = await Person.create(stack.browser, name, { camera, grantOrigins: [stack.pages.origin] });
  await person.context.addInitScript(benchInit, { canvasCamera });
  return person;
}

/**
 * Goes live on `site` as `user` with the Go live button, and answers every watch request by
 * clicking Allow in the widget as soon as its prompt is there (no human delay). Each request's
 * times are kept in window.__accepts[requestId] = { prompt, accept } (epoch ms).
 */
export async function goLive(stack, { site, user, canvasCamera = false }) {
  const person = await benchPerson(stack, `broadcaster ${user}`, { camera: true, canvasCamera });
  await person.page.goto(stack.pages.url('/broadcast', { site, user }));
  const button = widget.broadcastButton(person.page);
  await waitForAttribute(button, 'data-onair-state', 'offline', { what: 'the Go live button', timeout: 15_000 });
  await button.click();
  await waitForAttribute(button, 'data-onair-state', 'live', { what: 'the Go live button', timeout: 20_000 });
  await person.page.evaluate(() => {
    window.__accepts = {};
    window.OnAir.on('watch_request', (detail) => {
      const entry = { prompt: window.__bench.now() };
      window.__accepts[detail.requestId] = entry;
      const click = () => {
        const root = document.querySelector('onair-widget') && document.querySelector('onair-widget').shadowRoot;
        const allow = root && root.querySelector(`[data-part="prompt"][data-request-id="${detail.requestId}"] [data-part="allow"]`);
        if (!allow) {
          setTimeout(click, 1);
          return;
        }
        entry.accept = window.__bench.now();
        allow.click();
      };
      click();
    });
  });
  return person;
}

/**
 * Opens a watch page as `user` for `target` and waits until presence shows the target live (the
 * page is connected and bound), so that what follows measures the watch itself.
 */
export async function openWatchPage(stack, person, { site, target, user }) {
  await person.page.goto(stack.pages.url('/watch', { site, target, user }));
  await waitForAttribute(widget.watchButton(person.page, target), 'data-onair-state', 'live', {
    what: `${user}'s watch button`, timeout: 15_000,
  });
}

/** Starts watching through the API (as a click would) and waits for the first rendered frame. */
export async function watchUntilFirstFrame(page, { target, user, timeout = 20_000 }) {
  const requestId = await page.evaluate(async ({ target, user }) => {
    let id = null;
    const off = window.OnAir.on('requesting', (detail) => {
      if (detail.requestId) id = detail.requestId;
    });
    await window.OnAir.watch({ target, user, targetName: target });
    off();
    return id;
  }, { target, user });
  await page.waitForFunction(() => window.__bench.first('first-frame') !== null, null, { timeout, polling: 20 });
  return requestId;
}
