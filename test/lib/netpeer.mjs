// SPDX-License-Identifier: GPL-3.0-or-later
// One participant on its own network link, for tests of what real networks do (a slow link, a
// lossy one, a link that drops for a few seconds).
//
// Inside the suite namespace (scripts/lib/netns-suites.sh: va 10.99.0.1, vb 10.99.0.2, Janus on
// 10.99.0.1) a NetPeer is a nested network namespace, held open by `unshare --net sleep infinity`,
// joined to the suite namespace by its own veth pair:
//
//   suite namespace  np<N>  10.99.<N>.1/24   <->   eth0  10.99.<N>.2/24  nested namespace
//                                                  (default route via 10.99.<N>.1)
//
// Janus, coturn and other peers stay in the suite namespace, so everything this peer sends or
// receives crosses np<N>/eth0, where throttle(), linkDown() and friends act. The suite namespace
// forwards between nested peers, so two of them can also connect directly.
//
// Web pages: the test servers (nginx, the demo site) listen on loopback in the suite namespace,
// which a nested namespace cannot reach. Its Chromium therefore goes through a small HTTP proxy
// that listens on 10.99.<N>.1 and connects only to loopback: page origins stay
// http://localhost:<port> and http://127.0.0.1:<port>, so they remain secure contexts (camera,
// WebRTC) and cross-origin rules are the ones the other suites exercise. Page traffic crosses the
// peer's link like its media, so a dropped link drops the signaling too, as on a real network.
// WebRTC media does not use the proxy (it is UDP, straight over eth0).
//
// Playwright drives that Chromium over a pipe, so the namespace does not matter for control: the
// executable Playwright starts is a two-line wrapper that enters the namespace (nsenter) and execs
// /usr/bin/chromium.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS } from './browser.mjs';

const run = promisify(execFile);
const CHROMIUM = process.env.ONAIR_CHROMIUM || '/usr/bin/chromium';
const INNER = 'eth0';

/** Why nested peers cannot be made here, or null when they can. */
export function netPeerUnavailable() {
  if (process.env.ONAIR_NETNS !== '1') return 'needs the private test network (ONAIR_NETNS=1, see scripts/test)';
  if (process.getuid && process.getuid() !== 0) return 'needs root (network namespaces)';
  return null;
}

// Runs a command, failing with its stderr in the message.
async function sh(command, args) {
  try {
    return (await run(command, args, { encoding: 'utf8' })).stdout;
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')}: ${(error.stderr || error.message).trim()}`);
  }
}

// Loopback is the only place the proxy connects to: a nested page must reach the test servers
// and nothing else.
function loopbackHost(hostname) {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare)) return '127.0.0.1';
  return null;
}

/**
 * A forward HTTP proxy (plain requests and CONNECT tunnels, which Chromium uses for WebSockets)
 * listening on `host`, connecting only to loopback. `clients` records the address of every
 * connection it accepted, which shows where the browser's traffic came from.
 */
class LoopbackProxy {
  constructor(host) {
    this.host = host;
    this.clients = new Set();
    this.sockets = new Set();
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.on('connect', (req, socket, head) => this.tunnel(req, socket, head));
    this.server.on('connection', (socket) => {
      this.clients.add(socket.remoteAddress);
      this.track(socket);
    });
  }

  track(socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  async start() {
    this.server.listen(0, this.host);
    await once(this.server, 'listening');
    this.port = this.server.address().port;
    return this;
  }

  get url() {
    return `http://${this.host}:${this.port}`;
  }

  forward(req, res) {
    let target;
    try {
      target = new URL(req.url);
    } catch {
      res.writeHead(400).end('absolute URL expected\n');
      return;
    }
    const host = loopbackHost(target.hostname);
    if (!host || target.protocol !== 'http:') {
      res.writeHead(403).end('this test proxy reaches loopback only\n');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = request(
      { host, port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }

  tunnel(req, socket, head) {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url);
    const host = match && loopbackHost(match[1]);
    if (!host) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(match[2]), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    this.track(upstream);
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let nextIndex = 1;

/**
 * Sysctls of the suite namespace (per namespace, so nothing outside changes). Forwarding lets two
 * nested peers connect directly. Janus (libnice) sends every packet out of its media interface
 * (va, ice_enforce_list) whatever the destination, so a packet for a nested peer leaves va as if
 * the peer were on va's link and arrives at its veth twin vb: vb answers ARP for the nested
 * subnets (proxy_arp), accepts packets whose source is a local address (accept_local: it is va's),
 * and forwards them to the peer's link.
 */
function routeJanusToNestedPeers() {
  const twin = process.env.ONAIR_PEER_IFACE || 'vb';
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n');
  writeFileSync('/proc/sys/net/ipv4/conf/all/rp_filter', '0\n');
  for (const [key, value] of [['proxy_arp', 1], ['accept_local', 1], ['rp_filter', 0]]) {
    writeFileSync(`/proc/sys/net/ipv4/conf/${twin}/${key}`, `${value}\n`);
  }
}

export class NetPeer {
  /**
   * Makes the nested namespace, its link and its proxy. `index` (1..254) picks the subnet
   * 10.99.<index>.0/24; by default each peer of this process takes the next one.
   */
  static async create({ index = nextIndex++, label = `peer${index}` } = {}) {
    const reason = netPeerUnavailable();
    if (reason) throw new Error(`NetPeer: ${reason}`);
    const peer = new NetPeer(index, label);
    try {
      await peer.setUp();
    } catch (error) {
      await peer.close().catch(() => {});
      throw error;
    }
    return peer;
  }

  constructor(index, label) {
    if (!(index >= 1 && index <= 254)) throw new Error(`NetPeer index ${index} outside 1..254`);
    this.index = index;
    this.label = label;
    this.outer = `np${index}`;
    this.inner = INNER;
    this.gateway = `10.99.${index}.1`;
    this.address = `10.99.${index}.2`;
    this.dir = mkdtempSync(join(tmpdir(), `onair-netpeer${index}-`));
    this.browsers = new Set();
    this.children = new Set();
  }

  get netnsPath() {
    return `/proc/${this.holder.pid}/ns/net`;
  }

  async setUp() {
    // unshare without --fork execs sleep in place: the holder's pid owns the new namespace.
    this.holder = spawn('unshare', ['--net', 'sleep', 'infinity'], { stdio: 'ignore' });
    this.holderExit = once(this.holder, 'exit');
    const own = readlinkSync('/proc/self/ns/net');
    const deadline = Date.now() + 5_000;
    while (readlinkSync(this.netnsPath) === own) {
      if (Date.now() > deadline || this.holder.exitCode !== null) throw new Error('NetPeer: the namespace holder did not start');
      await sleep(10);
    }
    await sh('ip', ['link', 'add', 'name', this.outer, 'type', 'veth', 'peer', 'name', `${this.outer}i`]);
    await sh('ip', ['link', 'set', `${this.outer}i`, 'netns', String(this.holder.pid)]);
    await sh('ip', ['addr', 'add', `${this.gateway}/24`, 'dev', this.outer]);
    await sh('ip', ['link', 'set', this.outer, 'up']);
    await this.exec('ip', ['link', 'set', 'lo', 'up']);
    await this.exec('ip', ['link', 'set', `${this.outer}i`, 'name', this.inner]);
    await this.exec('ip', ['addr', 'add', `${this.address}/24`, 'dev', this.inner]);
    await this.exec('ip', ['link', 'set', this.inner, 'up']);
    await this.exec('ip', ['route', 'add', 'default', 'via', this.gateway]);
    routeJanusToNestedPeers();
    this.proxy = await new LoopbackProxy(this.gateway).start();
  }

  /** The command prefix that runs a program inside this peer's namespace. */
  wrap(command, args = []) {
    return ['nsenter', [`--net=${this.netnsPath}`, '--', command, ...args]];
  }

  /** Runs a command inside the namespace; resolves with its stdout. */
  exec(command, args = []) {
    return sh(...this.wrap(command, args));
  }

  /** Spawns a long-running program inside the namespace; close() ends it if still running. */
  spawn(command, args = [], options = {}) {
    const child = spawn(...this.wrap(command, args), options);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Chromium inside the namespace, launched like browser.mjs's launchBrowser (same flags), with
   * its web traffic through this peer's loopback proxy.
   */
  async launchBrowser({ args = [] } = {}) {
    const wrapper = join(this.dir, 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\n# ${this.label}: Chromium inside its own network namespace\nexec nsenter --net=${this.netnsPath} -- ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const browser = await chromium.launch({
      executablePath: wrapper,
      args: [
        ...CHROMIUM_ARGS,
        `--proxy-server=${this.proxy.url}`,
        // Chromium never proxies loopback unless told to: the test servers are on loopback.
        '--proxy-bypass-list=<-loopback>',
        ...args,
      ],
      timeout: 30_000,
    });
    this.browsers.add(browser);
    browser.on('disconnected', () => this.browsers.delete(browser));
    return browser;
  }

  /** Addresses the proxy has seen connections from (the browser's traffic comes from `address`). */
  get proxyClients() {
    return [...this.proxy.clients];
  }

  /**
   * Limits the link both ways to `rateKbit` (a token bucket on both ends of the veth pair, with
   * a queue of `queueMs` beyond which packets drop, like a saturated access link), optionally
   * dropping `lossPct` % of packets each way (nftables inside the namespace) and adding `delayMs`
   * one-way delay (sch_netem; fails clearly where the kernel lacks it). Replaces a previous
   * throttle. `rateKbit` null leaves the rate alone (loss or delay only).
   */
  async throttle(rateKbit, { delayMs = 0, lossPct = 0, queueMs = 200 } = {}) {
    await this.unthrottle();
    for (const [device, inside] of [[this.outer, false], [this.inner, true]]) {
      const qdisc = [];
      let parent = ['root'];
      if (delayMs > 0) {
        qdisc.push(['qdisc', 'add', 'dev', device, 'root', 'handle', '1:', 'netem', 'delay', `${delayMs}ms`]);
        parent = ['parent', '1:1'];
      }
      if (rateKbit) {
        // The bucket must hold at least one full-size packet, and about 20 ms of the rate.
        const burst = Math.max(4_000, Math.ceil((rateKbit * 1000) / 8 / 50));
        qdisc.push(['qdisc', 'add', 'dev', device, ...parent, 'handle', '2:', 'tbf', 'rate', `${rateKbit}kbit`, 'burst', String(burst), 'latency', `${queueMs}ms`]);
      }
      for (const args of qdisc) {
        try {
          await (inside ? this.exec('tc', args) : sh('tc', args));
        } catch (error) {
          if (args.includes('netem')) throw new Error(`delayMs needs sch_netem, which this kernel lacks (CONFIG_NET_SCH_NETEM): ${error.message}`);
          throw error;
        }
      }
    }
    if (lossPct > 0) {
      const rule = `numgen random mod 100 < ${Math.round(lossPct)} drop`;
      const ruleset = [
        'table inet onair_loss {',
        `  chain in { type filter hook input priority 0; iifname "${this.inner}" ${rule}; }`,
        `  chain out { type filter hook output priority 0; oifname "${this.inner}" ${rule}; }`,
        '}',
      ].join('\n');
      const file = join(this.dir, 'loss.nft');
      writeFileSync(file, `${ruleset}\n`);
      await this.exec('nft', ['-f', file]);
      this.lossTable = true;
    }
    this.throttled = { rateKbit, delayMs, lossPct };
  }

  /** Removes any throttle, loss or delay. */
  async unthrottle() {
    await sh('tc', ['qdisc', 'del', 'dev', this.outer, 'root']).catch(() => {});
    await this.exec('tc', ['qdisc', 'del', 'dev', this.inner, 'root']).catch(() => {});
    if (this.lossTable) {
      await this.exec('nft', ['delete', 'table', 'inet', 'onair_loss']);
      this.lossTable = false;
    }
    this.throttled = null;
  }

  /**
   * Takes the link down. By default the peer's own interface goes down, as when a laptop's Wi-Fi
   * drops: the browser sees its network vanish. `upstream: true` downs the far end instead: the
   * peer's interface stays up but nothing gets through, as when a router upstream fails.
   */
  async linkDown({ upstream = false } = {}) {
    if (upstream) await sh('ip', ['link', 'set', this.outer, 'down']);
    else await this.exec('ip', ['link', 'set', this.inner, 'down']);
    this.downSince = Date.now();
  }

  /** Brings the link back (the default route left with the interface and is restored). */
  async linkUp() {
    await sh('ip', ['link', 'set', this.outer, 'up']);
    await this.exec('ip', ['link', 'set', this.inner, 'up']);
    await this.exec('ip', ['route', 'replace', 'default', 'via', this.gateway]);
    this.downSince = null;
  }

  /** Closes the browsers and programs started here, the proxy, the link and the namespace. */
  async close() {
    await Promise.allSettled([...this.browsers].map((browser) => browser.close()));
    for (const child of this.children) child.kill('SIGKILL');
    await this.proxy?.close().catch(() => {});
    // Deleting one end of a veth pair deletes both.
    await sh('ip', ['link', 'del', this.outer]).catch(() => {});
    if (this.holder && this.holder.exitCode === null && this.holder.signalCode === null) {
      this.holder.kill('SIGKILL');
      await this.holderExit;
    }
    if (!process.env.ONAIR_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true });
  }
}
