// SPDX-License-Identifier: GPL-3.0-or-later
// coturn (Debian's turnserver) for the tests, configured as docs/deploy.md configures it for
// production: the TURN REST API shared secret (use-auth-secret), a bounded relay port range, no
// TLS (the test network is private), no CLI, in the foreground, logging to a file the tests read.
// Only usable inside the test namespace: it listens and relays on the Janus address (10.99.0.1).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const TURNSERVER = process.env.ONAIR_TURNSERVER || '/usr/bin/turnserver';

export const TURN_SECRET = 'onair-test-turn-secret-0123456789';
export const TURN_REALM = 'onair.test';

/** Why a test TURN server cannot run here, or null when it can. */
export function turnUnavailable() {
  if (process.env.ONAIR_NETNS !== '1') return 'needs the private test network (ONAIR_NETNS=1, see scripts/test)';
  if (!existsSync(TURNSERVER)) return `${TURNSERVER} is missing (Debian package coturn, scripts/deps/apt.txt)`;
  return null;
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest), as coturn checks them with
 * use-auth-secret: username "<unix expiry>:<anything>", password base64(HMAC-SHA1(secret, username)).
 * The plugin mints its own; tests use this to check coturn independently of the plugin.
 */
export function turnCredentials(secret, user, ttlSeconds = 3600) {
  const username = `${Math.floor(Date.now() / 1000) + ttlSeconds}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export class Turn {
  // options: ip (listening and relay address; default the namespace's Janus address), port
  // (default 3478), secret, realm, minPort/maxPort (relay range).
  constructor({ ip = process.env.ONAIR_MEDIA_IP || '10.99.0.1', port = 3478, secret = TURN_SECRET, realm = TURN_REALM, minPort = 49152, maxPort = 49251 } = {}) {
    Object.assign(this, { ip, port, secret, realm, minPort, maxPort });
    this.dir = mkdtempSync(join(tmpdir(), 'onair-turn-'));
    this.logPath = join(this.dir, 'turn.log');
  }

  /** The URIs the plugin's turn_uris would list for this server (UDP and TCP). */
  get uris() {
    return [`turn:${this.ip}:${this.port}?transport=udp`, `turn:${this.ip}:${this.port}?transport=tcp`];
  }

  credentials(user = 'test', ttlSeconds = 3600) {
    return turnCredentials(this.secret, user, ttlSeconds);
  }

  /** An RTCIceServer for a browser, with fresh credentials (or the given ones). */
  iceServer(credentials = this.credentials()) {
    return { urls: this.uris, ...credentials };
  }

  async start() {
    const args = [
      '-n', // no configuration file: everything is on this command line
      '--no-cli',
      '--listening-ip', this.ip,
      '--relay-ip', this.ip,
      '--listening-port', String(this.port),
      '--min-port', String(this.minPort),
      '--max-port', String(this.maxPort),
      '--use-auth-secret',
      '--static-auth-secret', this.secret,
      '--realm', this.realm,
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-multicast-peers',
      '--log-file', this.logPath,
      '--simple-log',
      '--no-stdout-log',
      '--verbose', // session lines: allocations and refusals, which the tests read
      '--db', join(this.dir, 'turndb'), // its own (empty) user database, not /var/lib/turn's
      '--pidfile', join(this.dir, 'turnserver.pid'),
    ];
    this.process = spawn(TURNSERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.process.stderr.on('data', (chunk) => { this.stderr += chunk; });
    this.exit = once(this.process, 'exit');
    await this.waitListening();
    return this;
  }

  // Its TCP listener answers once it is ready (the UDP one opens alongside).
  async waitListening(timeout = 10_000) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`turnserver exited while starting (${this.process.exitCode ?? this.process.signalCode}):\n${this.logTail()}`);
      }
      const open = await new Promise((resolve) => {
        const socket = connect(this.port, this.ip, () => { socket.destroy(); resolve(true); });
        socket.on('error', () => resolve(false));
      });
      if (open) return;
      await sleep(100);
    }
    throw new Error(`turnserver not listening on ${this.ip}:${this.port} within ${timeout} ms:\n${this.logTail()}`);
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 30) {
    return `${this.log().split('\n').slice(-lines).join('\n')}\n${this.stderr}`;
  }

  /** Allocations coturn granted so far (a relay address was handed out). */
  allocations() {
    return this.log().split('\n').filter((line) => /ALLOCATE processed, success/.test(line));
  }

  /**
   * Requests coturn refused although they carried a username: bad or expired credentials. (Every
   * client's first request is refused with 401 too, without a username: the challenge that
   * hands out the nonce; those do not count.)
   */
  unauthorized(user = null) {
    return this.log().split('\n').filter((line) => {
      const match = /user <([^>]+)>.*error 401/.exec(line);
      return match && (user === null || match[1].endsWith(`:${user}`) || match[1] === user);
    });
  }

  async stop() {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGTERM');
      const done = await Promise.race([this.exit.then(() => true), sleep(5_000).then(() => false)]);
      if (!done) {
        this.process.kill('SIGKILL');
        await this.exit;
      }
    }
    if (!process.env.ONAIR_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a test TURN server; the caller stops it. */
export async function startTurn(options = {}) {
  return new Turn(options).start();
}

/**
 * The candidate pair each open PeerConnection of `page` uses now: { pc, state, local: { type,
 * address }, remote: { type, address } } (null pair fields before ICE selected one).
 */
export async function selectedPairs(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const [index, pc] of (window.__onairTestPeers || []).entries()) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let pair = { local: null, remote: null };
      stats.forEach((stat) => {
        if (stat.type !== 'transport' || !stat.selectedCandidatePairId) return;
        const selected = stats.get(stat.selectedCandidatePairId);
        const local = stats.get(selected.localCandidateId);
        const remote = stats.get(selected.remoteCandidateId);
        pair = {
          local: { type: local.candidateType, address: local.address },
          remote: { type: remote.candidateType, address: remote.address },
        };
      });
      out.push({ pc: index, state: pc.connectionState, ...pair });
    }
    return out;
  });
}
