// SPDX-License-Identifier: GPL-3.0-or-later
// The web side of an end-to-end stack: nginx serving onair.js and proxying the Janus HTTP and
// WebSocket APIs (as production deployments front Janus), and the demo site, on another origin.
//
//   demo site   http://localhost:<demoPort>      (the site that embeds OnAir)
//   OnAir host  http://127.0.0.1:<onairPort>     (nginx: /onair.js, /janus, /janus-ws)
//
// Both are loopback origins, so both are secure contexts for getUserMedia, and they are
// cross-site to each other, like a real embed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './janus.mjs';

const ROOT = process.env.ONAIR_ROOT || '/work/main';
const NGINX = process.env.ONAIR_NGINX || '/usr/sbin/nginx';

export const ONAIR_JS = join(ROOT, 'js/dist/onair.js');
/** The media half, which onair.js loads from beside itself on the first broadcast or watch. */
export const ONAIR_MEDIA_JS = join(ROOT, 'js/dist/onair-media.js');

/** Polls an HTTP URL until it answers (any status below 500) or `timeout` passes. */
export async function waitHttp(url, { timeout = 15_000, child = null, what = url } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited while starting (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) return response;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`${what} not answering at ${url} within ${timeout} ms: ${lastError?.message}`);
}

async function stopChild(child, timeout = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(timeout).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

// The runnable nginx template of the repository (what scripts/run renders); tests use the same
// file so that the routing they exercise is the one people run. @NAME@ placeholders are filled
// like scripts/lib/common.sh's render(): a placeholder left without a value is an error.
const NGINX_TEMPLATE = join(ROOT, 'conf/run/nginx.conf');

export function render(template, values) {
  const text = template.replace(/@([A-Z][A-Z0-9_]*)@/g, (match, name) => {
    if (!(name in values)) throw new Error(`${NGINX_TEMPLATE}: placeholder ${match} has no value`);
    return values[name];
  });
  return text;
}

/** nginx on a free loopback port, with a config rendered into a private folder. */
export class Nginx {
  constructor({ janus }) {
    this.janus = janus;
    this.dir = mkdtempSync(join(tmpdir(), 'onair-nginx-'));
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  writeConfig() {
    if (!existsSync(NGINX_TEMPLATE)) throw new Error(`${NGINX_TEMPLATE} is missing`);
    for (const folder of ['nginx/tmp']) mkdirSync(join(this.dir, folder), { recursive: true });
    const config = render(readFileSync(NGINX_TEMPLATE, 'utf8'), {
      RUN_DIR: this.dir,
      // The test runs as root (CI) or as a user; either way the workers must read js/dist.
      USER_DIRECTIVE: process.getuid && process.getuid() === 0 ? 'user root;' : '',
      JS_DIST: dirname(ONAIR_JS),
      ONAIR_PORT: String(this.port),
      JANUS_HTTP_PORT: String(this.janus.httpPort),
      JANUS_WS_PORT: String(this.janus.wsPort),
    });
    const path = join(this.dir, 'nginx/nginx.conf');
    writeFileSync(path, config);
    return path;
  }

  get errorLogPath() {
    return join(this.dir, 'nginx/error.log');
  }

  async start() {
    if (!existsSync(ONAIR_JS)) throw new Error(`${ONAIR_JS} is missing: build the wrapper first (npm run build)`);
    this.port = await freePort();
    const config = this.writeConfig();
    const args = ['-p', join(this.dir, 'nginx'), '-e', this.errorLogPath, '-c', config];
    this.process = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.process.stderr.on('data', (chunk) => { this.stderr += chunk; });
    try {
      await waitHttp(`${this.origin}/onair.js`, { child: this.process, what: 'nginx' });
    } catch (error) {
      await stopChild(this.process);
      throw new Error(`${error.message}\n${this.stderr}\n${this.errorLog()}`);
    }
    return this;
  }

  errorLog() {
    try {
      return readFileSync(this.errorLogPath, 'utf8');
    } catch {
      return '';
    }
  }

  async stop() {
    await stopChild(this.process);
    if (!process.env.ONAIR_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The demo site (demo/server.js), told its site key and secret and where OnAir lives.
 * `site` and `openSite` are janus.mjs-style site objects ({ key, secret, identity, ... }).
 */
export class DemoSite {
  constructor({ site, openSite, onairOrigin }) {
    this.site = site;
    this.openSite = openSite;
    this.onairOrigin = onairOrigin;
  }

  get origin() {
    return `http://localhost:${this.port}`;
  }

  /** A page of the demo site as `as` (anna, boris, vera, gleb) sees it. */
  url(path, as, lang = 'en') {
    return `${this.origin}${path}?as=${as}&lang=${lang}`;
  }

  async start() {
    this.port = await freePort();
    const server = join(ROOT, 'demo/server.js');
    if (!existsSync(server)) throw new Error(`${server} is missing`);
    const env = {
      ...process.env,
      DEMO_HOST: '127.0.0.1',
      DEMO_PORT: String(this.port),
      ONAIR_URL: this.onairOrigin,
      ONAIR_SITE: this.site.key,
      ONAIR_SITE_SECRET: this.site.secret,
      ...(this.openSite ? { ONAIR_OPEN_SITE: this.openSite.key } : {}),
    };
    delete env.ONAIR_SERVER; // the wrapper derives the Janus address from onair.js' own origin
    this.process = spawn(process.execPath, [server], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.output = '';
    this.process.stdout.on('data', (chunk) => { this.output += chunk; });
    this.process.stderr.on('data', (chunk) => { this.output += chunk; });
    try {
      await waitHttp(`${this.origin}/healthz`, { child: this.process, what: 'demo site' });
    } catch (error) {
      throw new Error(`${error.message}\n${this.output}`);
    }
    return this;
  }

  async stop() {
    await stopChild(this.process);
  }
}

/** Starts nginx in front of `janus` and the demo site for `site`; stop() stops both. */
export async function startWeb({ janus, site, openSite }) {
  const nginx = await new Nginx({ janus }).start();
  let demo;
  try {
    demo = await new DemoSite({ site, openSite, onairOrigin: nginx.origin }).start();
  } catch (error) {
    await nginx.stop();
    throw error;
  }
  return {
    nginx,
    demo,
    async stop() {
      await demo.stop();
      await nginx.stop();
    },
  };
}


// The demo site's two sites, as the plugin config declares them for the browser suite.
export const DEMO_SITES = Object.freeze({
  signed: { key: 'demo', secret: 'demo-site-secret-for-browser-tests', identity: 'signed', media: 'sfu', audio: true, max_broadcasts: 100, max_viewers: 50 },
  open: { key: 'demo-open', secret: 'demo-open-secret-for-browser-tests', identity: 'open', media: 'sfu', audio: true, max_broadcasts: 100, max_viewers: 50 },
  // Relayed with one layer, for suites about recovery rather than simulcast.
  sfu: { key: 'demo-sfu', secret: 'demo-sfu-secret-for-browser-tests', identity: 'signed', media: 'sfu', audio: true, simulcast: false, max_broadcasts: 100, max_viewers: 50 },
  // Peer-to-peer media: one direct viewer; `auto` moves to the relay for a second viewer. One
  // relayed layer keeps the move itself in focus (simulcast has its own suite).
  p2p: { key: 'demo-p2p', secret: 'demo-p2p-secret-for-browser-tests', identity: 'signed', media: 'p2p', audio: true, simulcast: false, max_broadcasts: 100, max_viewers: 50 },
  auto: { key: 'demo-auto', secret: 'demo-auto-secret-for-browser-tests', identity: 'signed', media: 'auto', audio: true, simulcast: false, max_broadcasts: 100, max_viewers: 50 },
});

/** Why the browser suite cannot run here, or null when it can. */
export function browserSuiteUnavailable() {
  if (process.env.ONAIR_NETNS !== '1') {
    return 'needs the private test network (ONAIR_NETNS=1): run scripts/test, which starts the suite inside `unshare --net`';
  }
  for (const bundle of [ONAIR_JS, ONAIR_MEDIA_JS]) {
    if (!existsSync(bundle)) return `${bundle} is not built (npm run build)`;
  }
  if (!existsSync(join(ROOT, 'demo/server.js'))) return 'demo/server.js is missing';
  return null;
}

/**
 * Everything one browser test file needs: Janus with the OnAir plugin (ASan build when there is
 * one) configured for the demo's sites, nginx as the OnAir host, the demo site, and Chromium.
 * `general` overrides the plugin's [general] settings (timeouts); `site` is the signed site the demo
 * pages embed (DEMO_SITES.p2p / .auto for the peer-to-peer modes). stop() tears all of it down and
 * fails if Janus did not exit cleanly or a sanitizer reported our plugin.
 */
export async function startStack({ general = {}, site = DEMO_SITES.signed } = {}) {
  const { startJanus } = await import('./janus.mjs');
  const { launchBrowser } = await import('./browser.mjs');
  const parts = [];
  const stack = {
    /** Server-side state for failure messages: is Janus alive, and the ends of the logs. */
    diagnose() {
      const child = stack.janus?.process;
      const janusState = !child ? 'Janus not running' : child.exitCode !== null || child.signalCode !== null
        ? `Janus EXITED (${child.exitCode ?? child.signalCode})` : 'Janus running';
      const janusLog = stack.janus ? stack.janus.logTail(15) : '';
      const nginxLog = stack.web ? stack.web.nginx.errorLog().split('\n').slice(-5).join('\n') : '';
      return `${janusState}\n[janus log]\n${janusLog}\n[nginx error log]\n${nginxLog}`;
    },
    async stop() {
      const errors = [];
      for (const stop of parts.reverse()) {
        try {
          await stop();
        } catch (error) {
          errors.push(error);
        }
      }
      parts.length = 0;
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('\n---\n'));
    },
  };
  try {
    // The demo's two sites and `site`; a `site` with extra settings (simulcast, p2p_relay_only)
    // replaces the entry of the same key.
    const sites = [...new Map([DEMO_SITES.signed, DEMO_SITES.open, site].map((one) => [one.key, one])).values()];
    stack.janus = await startJanus({ sites, general });
    parts.push(async () => {
      // Janus exits 0 on SIGINT/SIGTERM from anyone, so a Janus that vanished mid-test would look
      // clean at teardown: say so explicitly.
      const child = stack.janus.process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) {
        const early = `Janus had already exited (${child.exitCode ?? child.signalCode}) before teardown:\n${stack.janus.logTail()}`;
        await stack.janus.close().catch(() => {});
        throw new Error(early);
      }
      await stack.janus.close();
    });
    stack.web = await startWeb({ janus: stack.janus, site, openSite: DEMO_SITES.open });
    parts.push(() => stack.web.stop());
    stack.demo = stack.web.demo;
    stack.onairOrigin = stack.web.nginx.origin;
    stack.browser = await launchBrowser();
    parts.push(() => stack.browser.close());
  } catch (error) {
    await stack.stop().catch(() => {});
    throw error;
  }
  return stack;
}
