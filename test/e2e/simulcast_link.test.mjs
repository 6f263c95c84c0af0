// SPDX-License-Identifier: GPL-3.0-or-later
// Simulcast meets a slow link, in Chromium, on the demo site: Boris broadcasts on a site with
// `simulcast = true` (the wrapper publishes three layers to the relay). Vera watches from the
// suite network; Gleb watches from his own network (a NetPeer), which is then throttled to
// 300 kbit/s. Gleb ends on a lower layer (his browser decodes narrower frames, and the plugin's
// handle_info shows a lower `substream` for him) while Vera stays on the top layer; when his link
// is freed he climbs back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, eventually, story } from '../lib/browser.mjs';
import { NetPeer, netPeerUnavailable } from '../lib/netpeer.mjs';
import { goLive, handlesOf, watchWithConsent } from '../lib/p2p_probe.mjs';
import { browserSuiteUnavailable, DEMO_SITES, startStack } from '../lib/web.mjs';

const BORIS = { slug: 'boris', id: '17', name: 'Boris' };
const VERA = { slug: 'vera', id: '23', name: 'Vera' };
const GLEB = { slug: 'gleb', id: '31', name: 'Gleb' };
const SIMULCAST_SITE = { ...DEMO_SITES.signed, simulcast: true };
const THROTTLE_KBIT = 300;

const unavailable = browserSuiteUnavailable() ?? netPeerUnavailable();

// The width of the video frames `page` decodes now (inbound video of its open PeerConnections).
async function decodedWidth(page) {
  return page.evaluate(async () => {
    let width = 0;
    for (const pc of window.__onairTestPeers || []) {
      if (pc.connectionState !== 'connected') continue;
      (await pc.getStats()).forEach((stat) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video' && stat.frameWidth) width = Math.max(width, stat.frameWidth);
      });
    }
    return width;
  });
}

// The widths of the simulcast encodings `page` sends now (outbound video with frames).
async function sentWidths(page) {
  return page.evaluate(async () => {
    const widths = [];
    for (const pc of window.__onairTestPeers || []) {
      if (pc.connectionState !== 'connected') continue;
      (await pc.getStats()).forEach((stat) => {
        if (stat.type === 'outbound-rtp' && stat.kind === 'video' && stat.framesEncoded > 0 && stat.frameWidth) widths.push(stat.frameWidth);
      });
    }
    return widths.sort((a, b) => a - b);
  });
}

describe(`simulcast: a viewer throttled to ${THROTTLE_KBIT} kbit/s gets a lower layer, in Chromium`, { skip: unavailable ?? false }, () => {
  let stack;
  let net;
  let boris;
  let vera;
  let gleb;
  const people = () => [boris, vera, gleb];
  const step = story(test, people, () => stack?.diagnose());

  // What the plugin shows for `who`'s viewer handle (handle_info → plugin_specific).
  async function shown(who) {
    const handles = await handlesOf(stack.janus, who.id);
    const viewer = handles.map(({ info }) => info.plugin_specific).find((info) => info.role === 'viewer' && info.substream !== undefined);
    return viewer ?? null;
  }

  before(async () => {
    stack = await startStack({ site: SIMULCAST_SITE, general: { request_timeout: 20, publish_timeout: 20 } });
    net = await NetPeer.create({ label: 'gleb' });
  });

  after(async () => {
    for (const person of people()) await person?.close();
    await net?.close();
    await stack?.stop();
  });

  step('Boris goes live and sends three layers', async (t) => {
    boris = await goLive(stack, BORIS);
    const widths = await eventually(async () => {
      const sent = await sentWidths(boris.page);
      return sent.length === 3 ? sent : null;
    }, { timeout: 30_000, interval: 500, what: "three encodings on Boris's PeerConnection" });
    t.diagnostic(`layers sent: ${widths.join(', ')} wide`);
  });

  step('Vera and Gleb watch; both reach the top layer on their free links', async () => {
    vera = await Person.create(stack.browser, 'Vera');
    await watchWithConsent(stack, vera.page, VERA, BORIS, boris.page);
    gleb = await Person.create(await net.launchBrowser(), 'Gleb');
    await watchWithConsent(stack, gleb.page, GLEB, BORIS, boris.page);
    for (const [who, person] of [[VERA, vera], [GLEB, gleb]]) {
      await eventually(async () => (await shown(who))?.substream === 2, {
        timeout: 30_000, interval: 500, what: `${who.name}'s substream 2 in handle_info`,
      });
      const top = Math.max(...(await sentWidths(boris.page)));
      await eventually(async () => (await decodedWidth(person.page)) === top, {
        timeout: 20_000, interval: 250, what: `${who.name} decoding ${top}-wide frames`,
      });
    }
  }, { timeout: 120_000 });

  step(`Gleb's link drops to ${THROTTLE_KBIT} kbit/s: he ends on a lower layer, Vera stays on top`, async (t) => {
    await net.throttle(THROTTLE_KBIT);
    const started = Date.now();
    const low = await eventually(async () => {
      const info = await shown(GLEB);
      return info && info.substream < 2 ? info : null;
    }, { timeout: 45_000, interval: 500, what: `a lower substream for Gleb in handle_info` });
    // Stay on it: the choice holds while the link stays slow, and his frames really are smaller.
    const widths = await eventually(async () => {
      const [glebWidth, veraWidth] = [await decodedWidth(gleb.page), await decodedWidth(vera.page)];
      return glebWidth > 0 && glebWidth < veraWidth ? { glebWidth, veraWidth } : null;
    }, { timeout: 20_000, interval: 250, what: "Gleb's decoded frames narrower than Vera's" });
    const glebInfo = await shown(GLEB);
    const veraInfo = await shown(VERA);
    t.diagnostic(`throttled → substream ${low.substream} after ${Date.now() - started} ms; now Gleb ${glebInfo.substream} (${widths.glebWidth} wide, estimate ${glebInfo.estimate_bps} bps), Vera ${veraInfo.substream} (${widths.veraWidth} wide, estimate ${veraInfo.estimate_bps} bps)`);
    assert.ok(glebInfo.substream < 2, `Gleb still on a lower layer: ${JSON.stringify(glebInfo)}`);
    assert.equal(veraInfo.substream, 2, `Vera stays on the top layer: ${JSON.stringify(veraInfo)}`);
  }, { timeout: 120_000 });

  step('his link is freed: he climbs back to the top layer', async (t) => {
    await net.unthrottle();
    const started = Date.now();
    await eventually(async () => (await shown(GLEB))?.substream === 2, {
      timeout: 60_000, interval: 500, what: "Gleb's substream 2 again",
    });
    t.diagnostic(`unthrottled → top layer after ${Date.now() - started} ms`);
  }, { timeout: 90_000 });

  test('no page threw an uncaught error', () => {
    const errors = people().filter(Boolean).flatMap((person) => person.pageErrors.map((e) => `${person.name}: ${e}`));
    assert.deepEqual(errors, []);
  });
});
