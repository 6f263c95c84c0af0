// SPDX-License-Identifier: GPL-3.0-or-later
// The servers a benchmark runs against: Janus with the release build of the plugin (benchmarks
// measure what operators run, not the sanitized test build), nginx as the OnAir host in front of
// it (test/lib/web.mjs), a page server for the benchmark pages, and Debian Chromium.
//
// Like the test suites, benchmarks run only inside the private namespace bench/run makes
// (ONAIR_NETNS=1): media stays on 10.99.0.x and loopback.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { launchBrowser } from '../../test/lib/browser.mjs';
import { Janus, PLUGIN } from '../../test/lib/janus.mjs';
import { admin } from '../../test/lib/janus_client.mjs';
import { Nginx } from '../../test/lib/web.mjs';
import { PageServer } from './pages.mjs';
import { ROOT } from './results.mjs';

/** The site every browser benchmark uses: open identity, relay, generous limits. */
export const BENCH_SITE = Object.freeze({
  key: 'bench', secret: 'bench-site-secret-0123456789', identity: 'open', media: 'sfu', audio: true,
  max_broadcasts: 2000, max_viewers: 1000,
});

/** The same site in peer-to-peer mode, added at run time when this build of the plugin has it. */
export const BENCH_P2P_SITE = Object.freeze({ ...BENCH_SITE, key: 'bench-p2p', media: 'p2p' });

/** Plugin [general] settings for benchmarks: no limit or timeout a benchmark could run into. */
export const BENCH_GENERAL = Object.freeze({
  request_timeout: 30, publish_timeout: 30, resume_grace: 20, watch_rate: 1_000_000,
});

export function releasePlugin() {
  const path = join(process.env.ONAIR_BUILD_RELEASE || join(ROOT, 'build/release'), '.libs/libjanus_onair.so');
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/setup (bench/run does)`);
  return path;
}

/** Why benchmarks cannot run here, or null. */
export function benchUnavailable() {
  if (process.env.ONAIR_NETNS !== '1') return 'benchmarks run inside the private network namespace: use bench/run';
  return null;
}

// Janus as test/lib/janus.mjs configures it, plus core settings a benchmark varies.
class BenchJanus extends Janus {
  constructor(options, { eventLoops = 0 } = {}) {
    super(options);
    this.eventLoops = eventLoops;
  }

  writeConfig() {
    const conf = super.writeConfig();
    if (this.eventLoops > 0) {
      // By default Janus gives every handle its own event loop thread; `event_loops` makes the
      // handles share that many (janus.jcfg, general).
      const path = join(conf, 'janus.jcfg');
      const text = readFileSync(path, 'utf8');
      if (!text.includes('general: {\n')) throw new Error(`${path}: no general category to extend`);
      writeFileSync(path, text.replace('general: {\n', `general: {\n\tevent_loops = ${this.eventLoops}\n`));
    }
    return conf;
  }
}

/**
 * Janus with the release plugin and the bench sites; quiet logs (level 3: warnings).
 * `eventLoops`: share that many event loop threads among all handles (default: one per handle).
 */
export async function startBenchJanus({ sites = [BENCH_SITE], general = {}, eventLoops = 0 } = {}) {
  const unavailable = benchUnavailable();
  if (unavailable) throw new Error(unavailable);
  const options = { sites, general: { ...BENCH_GENERAL, ...general }, plugin: releasePlugin(), debugLevel: 3 };
  const janus = new BenchJanus(options, { eventLoops });
  await janus.start();
  return janus;
}

/**
 * Adds the peer-to-peer bench site through the Admin API. Returns null when it was added, else
 * why not (this build's plugin refuses `media: "p2p"`).
 */
export async function addP2pSite(janus) {
  const { key, secret, identity, audio, max_broadcasts: maxBroadcasts, max_viewers: maxViewers, media } = BENCH_P2P_SITE;
  const response = await admin(janus, {
    request: 'add_site', key, secret, identity, audio, media, max_broadcasts: maxBroadcasts, max_viewers: maxViewers,
  });
  if (response.onair === 'success') return null;
  return `not available in this build (${PLUGIN} add_site media "p2p": ${response.error_code} ${response.error})`;
}

/**
 * Everything a browser benchmark needs. stop() ends all of it. `janus` options as above;
 * `baseline`: another build's onair.js the page server offers (pages.mjs).
 * Pages: stack.pages.url('/watch', {...}) (see pages.mjs).
 */
export async function startBrowserStack(options = {}) {
  const parts = [];
  const stack = {
    async stop() {
      for (const stop of parts.reverse()) await stop().catch((error) => console.error(`cleanup: ${error.message}`));
      parts.length = 0;
    },
  };
  try {
    stack.janus = await startBenchJanus(options);
    parts.push(() => stack.janus.close());
    stack.nginx = await new Nginx({ janus: stack.janus }).start();
    parts.push(() => stack.nginx.stop());
    stack.pages = await new PageServer({ onairOrigin: stack.nginx.origin, baseline: options.baseline ?? null }).start();
    parts.push(() => stack.pages.stop());
    stack.browser = await launchBrowser();
    parts.push(() => stack.browser.close());
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
