// SPDX-License-Identifier: GPL-3.0-or-later
// Simulcast meets a slow link, in Chromium: Anna publishes three layers to the relay (janus.js
// `simulcast: true`, through the bare protocol page of test/lib/janus_page.mjs). Vera watches from
// the suite network; Gleb watches from his own network (a NetPeer), which is then throttled to
// 300 kbit/s. Gleb ends on a lower layer than the ones arriving at the relay (his browser decodes
// narrower frames, and the plugin's handle_info shows a lower `target_substream` for him) while Vera
// gets the top layer that arrives. (Chromium pauses its own upper layers when its uplink estimate
// drops, which a loaded machine causes: what arrives is the broadcaster's choice, what each viewer
// gets of it the plugin's.) (Climbing back after the link is freed goes by probes whose wait
// doubles up to 120 s: too slow for a suite.)
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
    viewers[name.toLowerCase()] = { name, person }; // its console goes into a failure's report
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

  step(`Gleb's link drops to ${THROTTLE_KBIT} kbit/s: he ends below the layers that arrive, Vera on the top one`, async (t) => {
    // What the plugin controls is the choice among the layers that reach it: Chromium itself
    // pauses its upper encodings when its own estimate drops, which on a loaded machine happened
    // right after the throttle in 2 of 3 runs (qualityLimitationReason "bandwidth", never "cpu").
    // So each sample reads the layers arriving (layer_bps) and both viewers' chosen layers at once.
    const samples = [];
    const states = []; // "top arriving/Gleb's layer/Vera's layer" of each sample
    const sample = async () => {
      const [gleb, vera] = [await shown(viewers.gleb), await shown(viewers.vera)];
      const arriving = vera.layer_bps.findLastIndex((bps) => bps > 0);
      const sent = await anna.page.evaluate(() => window.onairPage.outboundVideo()).catch(() => []);
      const sending = sent.map((encoding) => `${encoding.rid}@${encoding.fps}/${encoding.limitation}`).join(',');
      states.push(`${arriving}/${gleb.target_substream}/${vera.target_substream}`);
      samples.push(`top arriving ${arriving} (Anna sends ${sending}): Gleb ${gleb.target_substream}@${Math.round(gleb.estimate_bps / 1000)}k, Vera ${vera.target_substream}@${Math.round(vera.estimate_bps / 1000)}k`);
      return { gleb, vera, arriving };
    };
    await net.throttle(THROTTLE_KBIT);
    const started = Date.now();
    const chosen = await eventually(async () => {
      const now = await sample();
      // Two layers at least arrive: Gleb on a lower one than arrives, Vera on the top one.
      return now.arriving > 0 && now.gleb.target_substream < now.arriving && now.vera.target_substream === now.arriving ? now : null;
    }, { timeout: 45_000, interval: 500, what: 'Gleb below the top arriving layer and Vera on it' })
      .catch((error) => { throw new Error(`${error.message}\n  samples:\n  ${samples.slice(-20).join('\n  ')}`); });
    const switchedAfter = Date.now() - started;
    // His browser really decodes a smaller layer than hers.
    const widths = await eventually(async () => {
      const [gleb, vera] = [await decodedWidth(viewers.gleb), await decodedWidth(viewers.vera)];
      return gleb > 0 && gleb < vera ? { gleb, vera } : null;
    }, { timeout: 20_000, interval: 250, what: "Gleb's decoded frames narrower than Vera's" })
      .catch((error) => { throw new Error(`${error.message}\n  samples:\n  ${samples.slice(-20).join('\n  ')}`); });
    t.diagnostic(`throttled → after ${switchedAfter} ms: ${samples.at(-1)}; decoded Gleb ${widths.gleb} wide, Vera ${widths.vera} wide`);
    const tally = new Map();
    for (const state of states) tally.set(state, (tally.get(state) ?? 0) + 1);
    const counts = [...tally].map(([state, seen]) => `${state} ×${seen}`);
    t.diagnostic(`samples (top arriving/Gleb/Vera): ${counts.join(', ')}`);
    assert.ok(chosen.gleb.target_substream < chosen.arriving, `Gleb below the top arriving layer: ${JSON.stringify(chosen.gleb)}`);
    assert.equal(chosen.vera.target_substream, chosen.arriving, `Vera on the top arriving layer: ${JSON.stringify(chosen.vera)}`);
  }, { timeout: 90_000 });

  test('no page threw an uncaught error', () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
