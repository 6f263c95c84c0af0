// SPDX-License-Identifier: GPL-3.0-or-later
// Simulcast meets a slow link, in Chromium: Anna publishes three layers to the relay (janus.js
// `simulcast: true`, through the bare protocol page of test/lib/janus_page.mjs). Vera watches from
// the suite network; Gleb watches from his own network (a NetPeer), which is then throttled to
// 300 kbit/s. Gleb ends on a lower layer (his browser decodes narrower frames, and the plugin's
// handle_info shows a lower `substream` for him) while Vera stays on the top layer. (Climbing back
// after the link is freed goes by probes whose wait doubles up to 120 s: too slow for a suite.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { eventually, launchBrowser, Person, story } from '../lib/browser.mjs';
import { SITES, startJanus } from '../lib/janus.mjs';
import { handleInfo } from '../lib/janus_client.mjs';
import { openJanusPage } from '../lib/janus_page.mjs';
import { NetPeer, netPeerUnavailable } from '../lib/netpeer.mjs';

const THROTTLE_KBIT = 300;
const TOP = 2;

const unavailable = netPeerUnavailable();

describe(`simulcast: a viewer throttled to ${THROTTLE_KBIT} kbit/s gets a lower layer, in Chromium`, { skip: unavailable ?? false }, () => {
  let janus;
  let browser;
  let net;
  let server;
  let anna;
  const viewers = {};
  const people = () => [anna, viewers.vera?.person, viewers.gleb?.person];
  const step = story(test, people, () => janus?.logTail(15));
  const BROADCASTER = { user: `anna-${process.pid}`, name: 'Anna' };

  const shown = async (who) => (await handleInfo(janus, who.ids.session, who.ids.handle)).plugin_specific;
  const decodedWidth = async (who) => (await who.person.page.evaluate(() => window.onairPage.inboundVideo()))?.width ?? 0;

  async function sentWidths() {
    const out = await anna.page.evaluate(() => window.onairPage.outboundVideo());
    return out.filter((encoding) => encoding.framesEncoded > 0).map((encoding) => encoding.width).sort((a, b) => a - b);
  }

  async function watch(name, inBrowser) {
    const person = await Person.create(inBrowser, name);
    await openJanusPage(person, janus);
    const ids = await person.page.evaluate(
      (options) => window.onairPage.watch(options),
      { server, site: SITES.open.key, target: BROADCASTER.user, user: `${name.toLowerCase()}-${process.pid}`, name },
    );
    return { name, person, ids };
  }

  before(async () => {
    janus = await startJanus({ sites: [SITES.open], general: { publish_timeout: 20, request_timeout: 20 } });
    browser = await launchBrowser();
    net = await NetPeer.create({ label: 'gleb' });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await net?.close();
    await browser?.close();
    await janus?.close();
  });

  step('Anna publishes three layers', async (t) => {
    anna = await Person.create(browser, 'Anna', { camera: true, grantOrigins: [new URL(janus.httpUrl).origin] });
    ({ server } = await openJanusPage(anna, janus));
    await anna.page.evaluate((options) => window.onairPage.broadcast(options), { server, site: SITES.open.key, ...BROADCASTER, simulcast: true });
    const widths = await eventually(async () => {
      const sent = await sentWidths();
      return sent.length === 3 ? sent : null;
    }, { timeout: 30_000, interval: 500, what: 'three encodings sent by Chromium' });
    t.diagnostic(`layers sent: ${widths.join(', ')} wide`);
  });

  step('Vera (suite network) and Gleb (his own network) watch and both reach the top layer', async () => {
    viewers.vera = await watch('Vera', browser);
    viewers.gleb = await watch('Gleb', await net.launchBrowser());
    for (const who of [viewers.vera, viewers.gleb]) {
      await eventually(async () => (await shown(who)).substream === TOP, {
        // REMB grows from a cautious start; on a loaded machine that takes a while.
        timeout: 60_000, interval: 500, what: `${who.name}'s substream ${TOP} in handle_info`,
      });
      await eventually(async () => (await decodedWidth(who)) === Math.max(...(await sentWidths())), {
        timeout: 20_000, interval: 250, what: `${who.name} decoding the top layer`,
      });
    }
  }, { timeout: 180_000 });

  step(`Gleb's link drops to ${THROTTLE_KBIT} kbit/s: he ends on a lower layer, Vera stays on top`, async (t) => {
    await net.throttle(THROTTLE_KBIT);
    const started = Date.now();
    const low = await eventually(async () => {
      const info = await shown(viewers.gleb);
      return info.substream < TOP ? info : null;
    }, { timeout: 45_000, interval: 500, what: 'a lower substream for Gleb in handle_info' });
    const switchedAfter = Date.now() - started;
    // His browser really decodes the smaller layer, while Vera's decodes the top one.
    const widths = await eventually(async () => {
      const [gleb, vera] = [await decodedWidth(viewers.gleb), await decodedWidth(viewers.vera)];
      return gleb > 0 && gleb < vera ? { gleb, vera } : null;
    }, { timeout: 20_000, interval: 250, what: "Gleb's decoded frames narrower than Vera's" });
    const [gleb, vera] = [await shown(viewers.gleb), await shown(viewers.vera)];
    t.diagnostic(`throttled → substream ${low.substream} after ${switchedAfter} ms; now Gleb ${gleb.substream} (${widths.gleb} wide, estimate ${gleb.estimate_bps} bps), Vera ${vera.substream} (${widths.vera} wide, estimate ${vera.estimate_bps} bps)`);
    assert.ok(gleb.substream < TOP, `Gleb stays on a lower layer while his link is slow: ${JSON.stringify(gleb)}`);
    assert.equal(vera.substream, TOP, `Vera stays on the top layer: ${JSON.stringify(vera)}`);
    assert.equal(widths.vera, Math.max(...(await sentWidths())), 'Vera decodes the top layer');
  }, { timeout: 90_000 });

  test('no page threw an uncaught error', () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
