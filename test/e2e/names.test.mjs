// SPDX-License-Identifier: GPL-3.0-or-later
// Nobody disguises themselves in the broadcaster's prompt (docs/protocol.md, "Identity";
// docs/widget.md, "The widget"), in Chromium on the signed demo site.
//
// Boris broadcasts from the demo. Viewers come from a third-party page of the same site that signs
// its own tokens: Mallory's token has no `name` claim, and her page calls her "Anna's mother"
// followed by a right-to-left override; Vera's token carries her name. Mallory's page also gives
// Boris a name with an override, which her own player shows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, story, waitForAttribute, waitForVisible, widget } from '../lib/browser.mjs';
import { siteToken } from '../lib/jwt.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17' };
const RLO = '\u202E';
const DISGUISE = `Anna's mother${RLO} (verified by the site)`;

const unavailable = browserSuiteUnavailable();

describe('names in the consent prompt, in Chromium', { skip: unavailable ?? false }, () => {
  let stack;
  let boris;
  let mallory;
  let vera;
  const people = () => [boris, mallory, vera];
  const step = story(test, people, () => stack?.diagnose());

  before(async () => {
    // Prompts stay up while the test reads them; going live may take a while on a busy machine.
    stack = await startStack({ general: { request_timeout: 60, publish_timeout: 20 } });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await stack?.stop();
  });

  /** A page of another origin's making: one Watch button for Boris, its token signed by the site.
   * `person` is a fresh Person; its page opens that page and clicks Watch. */
  async function watchFromThirdParty(person, { user, tokenName, viewerName, targetName }) {
    const site = DEMO_SITES.signed;
    const token = siteToken({ site: site.key, secret: site.secret, user, name: tokenName });
    const attr = (text) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>
<button data-onair="watch" data-onair-target="${BORIS.id}" data-onair-user="${user}"
  data-onair-name="${attr(targetName)}" data-onair-viewer-name="${attr(viewerName)}"
  data-onair-token="${token}">Watch</button>
<script src="${stack.web.nginx.origin}/onair.js" data-site="${site.key}" async></script>
</body></html>`;
    // Written into a page the demo server sent (its health check), so that the browser treats it
    // as a local page like the demo's own, allowed to load onair.js from the loopback OnAir host.
    await person.page.goto(`${stack.demo.origin}/healthz`);
    await person.page.setContent(html);
    const button = widget.watchButton(person.page, BORIS.id);
    await waitForAttribute(button, 'data-onair-state', 'live', { what: `${person.name}'s watch button`, timeout: 15_000 });
    await button.click();
  }

  /** For each text node of the widget's own words directly inside `selector`: whether its first
   * and last visible characters are laid out left to right (a bidi override reverses them). */
  function ownWordsInOrder(page, selector) {
    return page.locator(selector).first().evaluate((root) => {
      const out = [];
      for (const node of root.childNodes) {
        if (node.nodeType !== Node.TEXT_NODE) continue;
        const text = node.textContent;
        const first = text.search(/\S/);
        const last = text.length - 1 - [...text].reverse().join('').search(/\S/);
        if (first < 0 || last <= first) continue;
        const rectOf = (at) => {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 1);
          return range.getBoundingClientRect();
        };
        const a = rectOf(first);
        const b = rectOf(last);
        // Same line: the last character lies right of the first. (Wrapped text: the next line.)
        out.push({ text, inOrder: b.top > a.bottom - 1 || b.left > a.left });
      }
      return out;
    });
  }

  step('Boris goes live', async () => {
    boris = await Person.create(stack.browser, 'Boris', { camera: true, grantOrigins: [stack.demo.origin] });
    await boris.page.goto(stack.demo.url('/me', BORIS.slug));
    const goLive = widget.broadcastButton(boris.page);
    await waitForAttribute(goLive, 'data-onair-state', 'offline', { what: 'the Go live button', timeout: 15_000 });
    await goLive.click();
    await waitForAttribute(widget.preview(boris.page), 'data-state', 'live', { what: "Boris's preview", timeout: 15_000 });
  });

  step('a token without a name: the prompt names the verified id and marks the chosen name', async () => {
    mallory = await Person.create(stack.browser, 'Mallory');
    await watchFromThirdParty(mallory, { user: '77', tokenName: undefined, viewerName: DISGUISE, targetName: `Boris${RLO} evil` });
    const prompt = widget.prompt(boris.page, '77');
    await waitForVisible(prompt, { what: "Boris's prompt for Mallory" });
    const who = prompt.locator('[data-part="viewer-name"]');
    assert.equal(await who.textContent(), 'Viewer 77 wants to watch you');
    assert.equal(await who.getAttribute('data-verified'), 'false');
    assert.equal(await who.locator('bdi').textContent(), 'Viewer 77');

    const declared = prompt.locator('[data-part="viewer-declared-name"]');
    const text = await declared.textContent();
    assert.ok(!text.includes(RLO), `the plugin removed the override: ${JSON.stringify(text)}`);
    assert.equal(text, 'calls themselves “Anna\'s mother (verified by the site)” (unverified)');
    assert.equal(await declared.locator('bdi').getAttribute('dir'), 'auto');
    assert.equal(await declared.locator('bdi').textContent(), "Anna's mother (verified by the site)");

    const selector = `${widget.previewSelector} [data-part="prompt"][data-viewer="77"]`;
    for (const part of ['viewer-name', 'viewer-declared-name']) {
      const words = await ownWordsInOrder(boris.page, `${selector} [data-part="${part}"]`);
      assert.ok(words.length > 0, `${part}: the widget's own words are there`);
      for (const word of words) assert.ok(word.inOrder, `${part}: "${word.text}" is not reversed`);
    }
  });

  step("a name with an override, given by the viewer's page, does not reverse the player's own words", async () => {
    // The target's name never passes the plugin: only <bdi> keeps the rest of the text in order.
    const player = widget.player(mallory.page, BORIS.id);
    await waitForAttribute(player, 'data-state', 'waiting', { what: "Mallory's player" });
    const message = widget.playerMessage(mallory.page, BORIS.id);
    assert.equal(await message.textContent(), `Waiting for Boris${RLO} evil to let you in…`);
    assert.equal(await message.locator('bdi').textContent(), `Boris${RLO} evil`);
    const words = await ownWordsInOrder(mallory.page, `${widget.playerSelector(BORIS.id)} [data-part="message"]`);
    assert.deepEqual(words.map((w) => w.text), ['Waiting for ', ' to let you in…']);
    for (const word of words) assert.ok(word.inOrder, `"${word.text}" is not reversed`);
    assert.equal(await player.locator('[data-part="title"] bdi').textContent(), `Boris${RLO} evil`);
  });

  step("a token's name claim is the name shown, cleaned, with no marking", async () => {
    vera = await Person.create(stack.browser, 'Vera');
    await watchFromThirdParty(vera, { user: '78', tokenName: `Vera\u200B Signed${RLO}`, viewerName: 'Mallory', targetName: 'Boris' });
    const prompt = widget.prompt(boris.page, '78');
    await waitForVisible(prompt, { what: "Boris's prompt for Vera" });
    const who = prompt.locator('[data-part="viewer-name"]');
    assert.equal(await who.textContent(), 'Vera Signed wants to watch you');
    assert.equal(await who.getAttribute('data-verified'), 'true');
    assert.equal(await prompt.locator('[data-part="viewer-declared-name"]').count(), 0);
  });

  step('Boris lets Mallory in by her id: she watches', async () => {
    await widget.prompt(boris.page, '77').locator('[data-part="allow"]').click();
    await waitForAttribute(widget.player(mallory.page, BORIS.id), 'data-state', 'playing', { what: "Mallory's player", timeout: 20_000 });
  });
});
