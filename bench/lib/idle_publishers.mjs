// SPDX-License-Identifier: GPL-3.0-or-later
// Drives bench/lib/idle_publishers.py: many live broadcasts that complete ICE and DTLS with Janus
// but send no media (see the Python file), signaled over the Janus HTTP API with
// test/lib/janus_client.mjs. Used where a benchmark needs broadcasts to be live in numbers no
// browser could hold.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { Session } from '../../test/lib/janus_client.mjs';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'idle_publishers.py');
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-aiortc

/** Runs `fn` over `items` with at most `limit` at a time; resolves with the results in order. */
export async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class IdlePublishers {
  constructor() {
    this.nextId = 1;
    this.pending = new Map();
    this.stderr = '';
    this.process = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr.on('data', (chunk) => { this.stderr = (this.stderr + chunk).slice(-4000); });
    this.exited = once(this.process, 'exit');
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      const message = JSON.parse(line);
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.error) waiter.reject(new Error(`idle publishers: ${message.error}\n${this.stderr}`));
      else waiter.resolve(message);
    });
    this.sessions = [];
  }

  get pid() {
    return this.process.pid;
  }

  command(cmd, fields = {}, timeoutMs = 60_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`idle publishers: no reply to ${cmd} in ${timeoutMs} ms\n${this.stderr}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.process.stdin.write(`${JSON.stringify({ id, cmd, ...fields })}\n`);
    });
  }

  /**
   * Makes `users` live on `site` (open identity), `concurrency` at a time, `perSession` handles
   * per Janus session. Resolves with [{ user, handle, registered }] once each got `live`.
   */
  async goLive(janus, site, users, { concurrency = 20, perSession = 100 } = {}) {
    const sessionFor = [];
    for (let i = 0; i < users.length; i += perSession) {
      const session = await Session.create(janus.httpUrl);
      this.sessions.push(session);
      sessionFor.push(session);
    }
    return pool(users, concurrency, async (user, index) => {
      const handle = await sessionFor[Math.floor(index / perSession)].attach();
      const registered = await handle.request({ request: 'broadcast', site: site.key, user, name: user });
      if (registered?.result?.event !== 'registered') throw new Error(`broadcast ${user}: ${JSON.stringify(registered)}`);
      const { offer } = await this.command('offer', { peer: user, audio: false });
      const published = await handle.send({ request: 'publish' }, offer, 30_000);
      if (published.data?.result?.event !== 'publishing') throw new Error(`publish ${user}: ${JSON.stringify(published.data)}`);
      await this.command('answer', { peer: user, sdp: published.jsep.sdp });
      await handle.notice('live', 60_000);
      return { user, handle, registered: registered.result };
    });
  }

  /** Ends every broadcast made so far (their Janus sessions, then the PeerConnections). */
  async drop() {
    const sessions = this.sessions;
    this.sessions = [];
    await Promise.allSettled(sessions.map((session) => session.destroy()));
    if (this.running) await this.command('drop', {}, 60_000);
  }

  get running() {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  async close() {
    await this.drop().catch(() => {});
    if (this.running) {
      await this.command('close', {}, 30_000).catch(() => this.process.kill('SIGKILL'));
      await this.exited;
    }
  }
}
