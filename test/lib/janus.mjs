// SPDX-License-Identifier: GPL-3.0-or-later
// Starts a real Janus (Debian's /usr/bin/janus, or $ONAIR_JANUS_BIN) with only the OnAir plugin, the HTTP (and
// WebSocket) transports and the Admin API, in a fresh temporary configuration folder, and checks
// the sanitizer logs of our plugin when it stops. Shared by the integration and browser suites.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PLUGIN = 'janus.plugin.onair';
export const ADMIN_SECRET = 'onair-test-admin-secret';
const JANUS_BIN = process.env.ONAIR_JANUS_BIN || '/usr/bin/janus';
const JANUS_TRANSPORTS = process.env.ONAIR_JANUS_TRANSPORTS || '/usr/lib/x86_64-linux-gnu/janus/transports';
const ROOT = process.env.ONAIR_ROOT || '/work/main';

// The sites every test Janus starts with (the plugin config's site-* categories).
export const SITES = Object.freeze({
  signed: { key: 'signed-site', secret: 'signed-site-secret-0123456789', identity: 'signed', audio: true },
  other: { key: 'other-site', secret: 'other-site-secret-9876543210', identity: 'signed', audio: false },
  open: { key: 'open-site', secret: 'open-site-secret-0123456789', identity: 'open', audio: true },
  tiny: { key: 'tiny-site', secret: 'tiny-site-secret-0123456789', identity: 'open', max_broadcasts: 1, max_viewers: 1 },
});

// Short timeouts so that timeout paths take seconds, not minutes.
export const FAST_GENERAL = Object.freeze({
  request_timeout: 2,
  publish_timeout: 3,
  resume_grace: 3,
  restart_grace: 3,
  watch_rate: 6,
  // The suites' billing receivers listen on this machine.
  allow_private_callbacks: true,
});

// The sanitized (ASan) plugin: $ONAIR_PLUGIN_SO, else $ONAIR_BUILD_ASAN/.libs, else the in-tree
// ASan build directory, else an in-tree build.
export function pluginPath() {
  const candidates = [];
  if (process.env.ONAIR_PLUGIN_SO) candidates.push(process.env.ONAIR_PLUGIN_SO);
  if (process.env.ONAIR_BUILD_ASAN) candidates.push(join(process.env.ONAIR_BUILD_ASAN, '.libs/libjanus_onair.so'));
  candidates.push(join(ROOT, 'build/asan/.libs/libjanus_onair.so'), join(ROOT, '.libs/libjanus_onair.so'));
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`OnAir plugin not built; looked for: ${candidates.join(', ')}`);
  return found;
}

// The release plugin ($ONAIR_BUILD_RELEASE/.libs, else the in-tree release build), for the rare
// test that cannot run under ASan.
export function releasePluginPath() {
  const found = join(process.env.ONAIR_BUILD_RELEASE ?? join(ROOT, 'build/release'), '.libs/libjanus_onair.so');
  if (!existsSync(found)) throw new Error(`OnAir release plugin not built: no ${found}`);
  return found;
}

// Whether a shared object was built with AddressSanitizer: it uses __asan_* symbols (libtool may
// drop -fsanitize from the link line, so libasan need not be among its NEEDED entries).
function linksAsan(path) {
  try {
    return /\b__asan_/.test(execFileSync('nm', ['-D', '--undefined-only', path], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  } catch {
    return readFileSync(path).includes('__asan_init');
  }
}

// The sanitizer runtimes to preload: ASan first (Janus is not instrumented), UBSan as well.
function sanitizerRuntimes() {
  return ['libasan.so', 'libubsan.so']
    .map((name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim())
    .filter((path) => path.startsWith('/') && existsSync(path));
}

// A free TCP port on loopback (the kernel picks it; a tiny race with other processes remains).
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

// Janus' configuration syntax (libconfig-like): nested objects become categories.
function jcfgValue(value) {
  if (Array.isArray(value)) return `[ ${value.map(jcfgValue).join(', ')} ]`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(String(value));
}
function jcfg(categories) {
  return Object.entries(categories)
    .map(([name, items]) => {
      const body = Object.entries(items ?? {})
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `\t${key} = ${jcfgValue(value)}`)
        .join('\n');
      return `${name}: {\n${body}\n}\n`;
    })
    .join('\n');
}

// Media settings: inside the test namespace Janus must be told its address and interface
// (design.md section 4: no default route there, so it cannot guess).
function mediaSettings() {
  return {
    ip: process.env.ONAIR_MEDIA_IP || '127.0.0.1',
    iface: process.env.ONAIR_MEDIA_IFACE || 'lo',
  };
}

export class Janus {
  // options: sites (array of site objects; default: all SITES), general (plugin [general]
  // overrides), dir (reuse a previous run's folder and store), websockets (default true),
  // plugin (path of the .so), debugLevel, asanOptions (more ASAN_OPTIONS entries, such as a
  // smaller quarantine for memory measurements), preload (more libraries for LD_PRELOAD, after
  // the sanitizer runtimes, such as libfaketime), env (more environment variables for Janus).
  constructor(options = {}) {
    this.options = options;
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'onair-janus-'));
    this.storePath = join(this.dir, 'onair.sqlite');
    this.plugin = options.plugin ?? pluginPath();
    this.sanitized = linksAsan(this.plugin);
    this.process = null;
    this.runs = 0;
    this.exit = null;
  }

  get sanitizerDir() {
    return join(this.dir, 'sanitizers');
  }

  writeConfig() {
    const conf = join(this.dir, 'conf');
    const plugins = join(this.dir, 'plugins');
    const transports = join(this.dir, 'transports');
    const empty = join(this.dir, 'empty');
    for (const folder of [conf, plugins, transports, empty, this.sanitizerDir]) mkdirSync(folder, { recursive: true });
    for (const folder of [plugins, transports]) {
      for (const entry of readdirSync(folder)) rmSync(join(folder, entry));
    }
    symlinkSync(this.plugin, join(plugins, 'libjanus_onair.so'));
    symlinkSync(join(JANUS_TRANSPORTS, 'libjanus_http.so'), join(transports, 'libjanus_http.so'));
    if (this.options.websockets !== false) {
      symlinkSync(join(JANUS_TRANSPORTS, 'libjanus_websockets.so'), join(transports, 'libjanus_websockets.so'));
    }
    const media = mediaSettings();
    writeFileSync(join(conf, 'janus.jcfg'), jcfg({
      general: {
        configs_folder: conf,
        plugins_folder: plugins,
        transports_folder: transports,
        events_folder: empty,
        loggers_folder: empty,
        debug_level: this.options.debugLevel ?? 4,
        admin_secret: ADMIN_SECRET,
        server_name: 'onair-test',
        session_timeout: 60,
        interface: media.ip,
      },
      certificates: {},
      media: { rtp_port_range: '20000-40000' },
      nat: { nice_debug: false, ice_enforce_list: media.iface },
      plugins: {},
      transports: {},
      loggers: {},
      events: {},
    }));
    writeFileSync(join(conf, 'janus.transport.http.jcfg'), jcfg({
      general: { json: 'plain', base_path: '/janus', http: true, port: this.httpPort, ip: '127.0.0.1', https: false },
      admin: { admin_base_path: '/admin', admin_http: true, admin_port: this.adminPort, admin_ip: '127.0.0.1', admin_https: false },
      cors: {},
    }));
    writeFileSync(join(conf, 'janus.transport.websockets.jcfg'), jcfg({
      general: { json: 'plain', ws: true, ws_port: this.wsPort, ws_ip: '127.0.0.1', wss: false },
      admin: { admin_ws: false, admin_wss: false },
      cors: {},
    }));
    const general = { store: this.storePath, ...FAST_GENERAL, ...(this.options.general ?? {}) };
    const categories = { general };
    for (const site of this.options.sites ?? Object.values(SITES)) categories[`site-${site.key}`] = site;
    writeFileSync(join(conf, `${PLUGIN}.jcfg`), jcfg(categories));
    return conf;
  }

  get httpUrl() {
    return `http://127.0.0.1:${this.httpPort}/janus`;
  }
  get adminUrl() {
    return `http://127.0.0.1:${this.adminPort}/admin`;
  }
  get wsUrl() {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  // Starts Janus and resolves once the HTTP API answers `info` listing our plugin. With
  // samePorts a restart keeps the previous run's ports (clients reconnect to the same URLs).
  async start({ samePorts = false } = {}) {
    if (this.process) throw new Error('Janus already running');
    if (!samePorts || !this.httpPort) {
      this.httpPort = await freePort();
      this.adminPort = await freePort();
      this.wsPort = await freePort();
    }
    const conf = this.writeConfig();
    const env = { ...process.env, ...(this.options.env ?? {}) };
    const preload = this.options.preload ?? [];
    if (this.sanitized) {
      // Janus is not instrumented, so the sanitizer runtimes must come first. Preloading the plugin as
      // well keeps it mapped after Janus dlclose()s it at exit, so leak stacks still name its
      // frames instead of "<unknown module>".
      env.LD_PRELOAD = [...sanitizerRuntimes(), this.plugin, ...preload, env.LD_PRELOAD].filter(Boolean).join(' ');
      env.ASAN_OPTIONS = [
        `log_path=${join(this.sanitizerDir, 'asan')}`,
        'detect_leaks=1',
        'fast_unwind_on_malloc=0', // Janus, GLib and Jansson have no frame pointers
        'malloc_context_size=30',
        'abort_on_error=0',
        'allocator_may_return_null=1',
        ...(this.options.asanOptions ?? []),
      ].join(':');
      env.LSAN_OPTIONS = `log_path=${join(this.sanitizerDir, 'lsan')}`;
      env.UBSAN_OPTIONS = `print_stacktrace=1:log_path=${join(this.sanitizerDir, 'ubsan')}`;
    } else if (preload.length > 0) {
      env.LD_PRELOAD = [...preload, env.LD_PRELOAD].filter(Boolean).join(' ');
    }
    this.runs += 1;
    this.logPath = join(this.dir, `janus-${this.runs}.log`);
    const args = ['-C', join(conf, 'janus.jcfg'), '-F', conf, '-o', '-L', this.logPath, '-N'];
    this.process = spawn(JANUS_BIN, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.process.stderr.on('data', (chunk) => { this.stderr += chunk; });
    this.exit = once(this.process, 'exit').then(([code, signal]) => ({ code, signal }));
    await this.waitReady();
    return this;
  }

  async waitReady(timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    let lastError;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`Janus exited while starting (${this.process.exitCode ?? this.process.signalCode}):\n${this.logTail()}`);
      }
      try {
        const response = await fetch(this.httpUrl, {
          method: 'POST',
          body: JSON.stringify({ janus: 'info', transaction: 'ready' }),
          signal: AbortSignal.timeout(2000),
        });
        const info = await response.json();
        if (info.plugins?.[PLUGIN]) return info;
        lastError = new Error(`info does not list ${PLUGIN}: ${Object.keys(info.plugins ?? {})}`);
      } catch (error) {
        lastError = error;
      }
      await sleep(100);
    }
    await this.kill9();
    throw new Error(`Janus not ready: ${lastError?.message}\n${this.logTail()}`);
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }
  logTail(lines = 40) {
    return `${this.log().split('\n').slice(-lines).join('\n')}\n${this.stderr ?? ''}`;
  }

  // SIGINT and wait for a clean exit (Janus then destroys the plugin and exits 0).
  async stop(timeoutMs = 20000) {
    if (!this.process) return this.lastExit;
    this.process.kill('SIGINT');
    const timer = sleep(timeoutMs, null, { ref: false }); // unref: must not keep the process alive after Janus exits
    const exit = await Promise.race([this.exit, timer]);
    if (!exit) {
      await this.kill9();
      throw new Error(`Janus did not exit within ${timeoutMs} ms of SIGINT:\n${this.logTail()}`);
    }
    this.process = null;
    this.lastExit = exit;
    return exit;
  }

  // Crash-stop: no chance to clean up (durability tests).
  async kill9() {
    if (!this.process) return this.lastExit;
    this.process.kill('SIGKILL');
    const exit = await this.exit;
    this.process = null;
    this.lastExit = exit;
    return exit;
  }

  async restart() {
    await this.stop();
    return this.start();
  }

  // A crash and a restart on the same ports and store (recovery tests).
  async crashAndRestart() {
    await this.kill9();
    return this.start({ samePorts: true });
  }

  // Sanitizer reports that involve our plugin. Janus and GLib allocate things they never free at
  // exit, and LSan reports those too: they are not ours, so leak reports count only when a stack
  // frame lies in libjanus_onair or in an onair:: function. Any other sanitizer error (a bad
  // access, undefined behaviour) that names our code counts as well.
  sanitizerReports() {
    if (!existsSync(this.sanitizerDir)) return [];
    const reports = [];
    for (const file of readdirSync(this.sanitizerDir)) {
      const text = readFileSync(join(this.sanitizerDir, file), 'utf8');
      for (const report of splitReports(text)) {
        if (involvesOurCode(report)) reports.push(`${file}:\n${report}`);
      }
    }
    return reports;
  }

  // All sanitizer reports, ours or not (Janus' own leaks at exit show up here).
  allSanitizerReports() {
    if (!existsSync(this.sanitizerDir)) return [];
    return readdirSync(this.sanitizerDir).flatMap((file) => splitReports(readFileSync(join(this.sanitizerDir, file), 'utf8')));
  }

  // Throws when a sanitizer report involves our plugin. Call after stop().
  assertSanitizersClean() {
    const reports = this.sanitizerReports();
    if (reports.length) {
      throw new Error(`${reports.length} sanitizer report(s) involve the OnAir plugin:\n\n${reports.join('\n\n').slice(0, 20000)}`);
    }
  }

  // Stops Janus (SIGINT), checks it exited cleanly and the sanitizers are clean, removes the folder.
  async close({ keep = false } = {}) {
    const exit = await this.stop();
    this.assertSanitizersClean();
    // Under ASan a leak at exit turns the exit code into 1; leaks that are not ours (filtered
    // above) must not fail the run, so exit code 1 is fine when every report is a leak.
    const reports = this.allSanitizerReports();
    const onlyLeaks = reports.length > 0 && reports.every((report) => /^(Direct|Indirect) leak of /.test(report));
    if (reports.length) {
      process.stderr.write(`note: ${reports.length} sanitizer report(s) outside the OnAir plugin (Janus/GLib) in ${this.sanitizerDir}\n`);
    }
    if (exit && (exit.code !== 0 || exit.signal) && !(exit.code === 1 && onlyLeaks)) {
      const logs = existsSync(this.sanitizerDir) ? readdirSync(this.sanitizerDir).map((file) => join(this.sanitizerDir, file)) : [];
      throw new Error(`Janus exited with ${exit.code ?? exit.signal} (folder ${this.dir}, sanitizer logs: ${logs.join(', ') || 'none'}):\n${this.logTail()}`);
    }
    if (!keep && !reports.length && !process.env.ONAIR_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true });
    return exit;
  }
}

// Splits a sanitizer log into single reports: every leak ("Direct/Indirect leak of ...") and
// every error ("ERROR: AddressSanitizer", "runtime error:") with the stack lines that follow.
export function splitReports(text) {
  const reports = [];
  let current = null;
  for (const line of text.split('\n')) {
    const starts = /^(Direct|Indirect) leak of |ERROR: (Address|Leak|Undefined)Sanitizer|runtime error: /.test(line);
    if (starts && !/ERROR: LeakSanitizer: detected memory leaks/.test(line)) {
      if (current) reports.push(current.join('\n'));
      current = [line];
    } else if (current) {
      if (/^SUMMARY: /.test(line)) {
        reports.push(current.join('\n'));
        current = null;
      } else {
        current.push(line);
      }
    }
  }
  if (current) reports.push(current.join('\n'));
  return reports.filter((report) => report.trim());
}

export function involvesOurCode(report) {
  return /libjanus_onair|onair::|plugin\/(core|janus|media)\//.test(report);
}

// Starts a Janus with the default test sites (see Janus options); the caller closes it.
export async function startJanus(options = {}) {
  const janus = new Janus(options);
  await janus.start();
  return janus;
}
