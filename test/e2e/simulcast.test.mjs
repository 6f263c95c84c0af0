// SPDX-License-Identifier: GPL-3.0-or-later
// Simulcast through the relay, in Chromium: a broadcaster publishing three layers with janus.js
// (`simulcast: true`, what the wrapper asks for on a site with `simulcast = true`), viewers on a
// good link getting the top layer and staying there, and following the layers the broadcaster
// really sends.
// What a viewer gets is checked twice: the size of the frames its browser decodes, and what the
// plugin shows for its handle in the Admin API (handle_info → plugin_specific).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Person, eventually, launchBrowser } from '../lib/browser.mjs';
import { SITES, startJanus } from '../lib/janus.mjs';
import { handleInfo } from '../lib/janus_client.mjs';
import { openJanusPage } from '../lib/janus_page.mjs';

const unavailable = process.env.ONAIR_NETNS === '1'
  ? null
  : 'needs the private test network (ONAIR_NETNS=1): run scripts/test, which starts the suite inside `unshare --net`';

describe('simulcast through the relay, in Chromium', { skip: unavailable ?? false }, () => {
  let janus;
  let browser;
  const people = [];
  let anna;
  let annaIds;
  let boris;
  let server;
  const BROADCASTER = { user: `anna-${process.pid}`, name: 'Anna' };

  async function person(name, options = {}) {
    const created = await Person.create(browser, name, options);
    people.push(created);
    return created;
  }

  const pluginInfo = async (ids) => (await handleInfo(janus, ids.session, ids.handle)).plugin_specific;

  async function viewer(name) {
    const page = await person(name);
    await openJanusPage(page, janus);
    const ids = await page.page.evaluate(
      (options) => window.onairPage.watch(options),
      { server, site: SITES.open.key, target: BROADCASTER.user, user: `${name.toLowerCase()}-${process.pid}`, name },
    );
    return { person: page, ids };
  }

  // Waits until the viewer decodes frames `width` wide (and keeps decoding); returns its stats.
  // A failure says what the viewer decoded, what the plugin shows for it and what is sent.
  async function decodesAt(who, width, what) {
    let since = null;
    let last = null;
    try {
      return await eventually(async () => {
        const video = await who.person.page.evaluate(() => window.onairPage.inboundVideo());
        last = video;
        if (!video || video.width !== width) return null;
        if (since === null) {
          since = video.framesDecoded;
          return null;
        }
        return video.framesDecoded - since >= 15 ? video : null;
      }, { timeout: 30_000, interval: 250, what });
    } catch (error) {
      const info = await pluginInfo(who.ids).catch((failure) => String(failure));
      const sent = await anna.page.evaluate(() => window.onairPage.outboundVideo());
      throw new Error(`${error.message}\n  decoded: ${JSON.stringify(last)}\n  plugin: ${JSON.stringify(info)}\n  sent: ${JSON.stringify(sent)}`);
    }
  }

  async function topWidths() {
    const out = await anna.page.evaluate(() => window.onairPage.outboundVideo());
    return out.filter((encoding) => encoding.framesEncoded > 0).map((encoding) => encoding.width).sort((a, b) => a - b);
  }

  before(async () => {
    // Chromium encoding three layers on a busy machine needs more than the suites' short timeouts.
    janus = await startJanus({ sites: [SITES.open], general: { publish_timeout: 30, request_timeout: 30 } });
    browser = await launchBrowser();
  });

  after(async () => {
    for (const one of people) await one.close();
    await browser?.close();
    await janus?.close();
  });

  test('the broadcaster publishes three layers and the plugin measures each', async (t) => {
    anna = await person('Anna', { camera: true, grantOrigins: [new URL(janus.httpUrl).origin] });
    ({ server } = await openJanusPage(anna, janus));
    annaIds = await anna.page.evaluate(
      (options) => window.onairPage.broadcast(options),
      // 960x540: the smallest size Chromium sends three layers for, and the least CPU for them;
      // modest bitrates, so that Chromium's own estimate (which starts low) enables every layer soon
      // even on a busy machine.
      {
        server, site: SITES.open.key, ...BROADCASTER, simulcast: true, width: 960, height: 540,
        maxBitrates: { high: 400_000, medium: 150_000, low: 60_000 },
      },
    );
    const widths = await eventually(async () => {
      const sent = await topWidths();
      return sent.length === 3 ? sent : null;
    }, { timeout: 30_000, interval: 500, what: 'three encodings sent by Chromium' });
    assert.ok(widths[0] < widths[1] && widths[1] < widths[2], `layer widths ${widths}`);

    const info = await eventually(async () => {
      const shown = await pluginInfo(annaIds);
      return shown.simulcast && shown.layer_bps?.every((bps) => bps > 0) ? shown : null;
    }, { timeout: 20_000, interval: 500, what: 'three measured layers in handle_info' });
    assert.equal(info.role, 'broadcaster');
    assert.ok(info.layer_bps[0] < info.layer_bps[2], `the top layer carries more than the lowest: ${info.layer_bps}`);
    t.diagnostic(`layer widths ${widths}, measured layer_bps ${info.layer_bps}`);
  });

  test('a viewer on a good link gets the top layer, and handle_info shows it', async (t) => {
    const widths = await topWidths();
    boris = await viewer('Boris');
    await decodesAt(boris, widths[2], `Boris decoding the top layer (${widths[2]} wide)`);
    const shown = await eventually(async () => {
      const info = await pluginInfo(boris.ids);
      return info.substream === 2 && info.estimate_bps > 0 ? info : null;
    }, { timeout: 20_000, interval: 500, what: "Boris's substream 2 and a REMB estimate in handle_info" });
    assert.equal(shown.role, 'viewer');
    assert.equal(shown.simulcast, true);
    assert.equal(shown.target_substream, 2);
    assert.equal(shown.layer_bps.length, 3);
    t.diagnostic(`Boris: ${JSON.stringify(shown)}`);
    // And it stays on the top layer the broadcaster sends (a busy machine makes Chromium pause its
    // upper layers now and then): a good link never looks short to the selector.
    const seen = [];
    let kept = true;
    for (let second = 0; second < 15; second += 1) {
      const info = await pluginInfo(boris.ids);
      const top = info.layer_bps.findLastIndex((bps) => bps > 0);
      kept &&= info.target_substream === top;
      seen.push(`${info.target_substream}/${top}@${Math.round(info.estimate_bps / 1000)}k`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    t.diagnostic(`Boris over 15 s (layer/top sent@estimate): ${seen.join(' ')}`);
    assert.ok(kept, `Boris left the top layer sent: ${seen.join(' ')}`);
  });

  test('the viewer offer asks for REMB feedback, not transport-wide congestion control', async () => {
    const offer = await boris.person.page.evaluate(() => window.onairPage.offerSdp());
    const video = offer.slice(offer.indexOf('m=video'));
    assert.match(video, /a=extmap:\d+ http:\/\/www\.webrtc\.org\/experiments\/rtp-hdrext\/abs-send-time/);
    assert.match(video, /a=rtcp-fb:96 goog-remb/);
    assert.doesNotMatch(offer, /transport-cc|transport-wide-cc/);
  });

  test('a viewer follows the layers the broadcaster sends, switching on keyframes', async () => {
    const widths = await topWidths();
    // Chromium pauses its top encoding when its uplink gets short; the relay moves on at once.
    await anna.page.evaluate(() => window.onairPage.setEncodingActive('h', false));
    await decodesAt(boris, widths[1], 'Boris on the middle layer after the top one stopped');
    await eventually(async () => (await pluginInfo(boris.ids)).substream === 1, {
      timeout: 10_000, interval: 250, what: 'substream 1 in handle_info',
    });
    await anna.page.evaluate(() => window.onairPage.setEncodingActive('h', true));
    await decodesAt(boris, widths[2], 'Boris back on the top layer');
    await eventually(async () => (await pluginInfo(boris.ids)).substream === 2, {
      timeout: 10_000, interval: 250, what: 'substream 2 in handle_info again',
    });
  });
});
