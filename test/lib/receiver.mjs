// SPDX-License-Identifier: GPL-3.0-or-later
// A real HTTP billing receiver for the tests (docs/billing.md): it checks every delivery's
// Standard Webhooks signature with its own HMAC code (written from the contract, not shared with
// the plugin), records each event once by its webhook-id, counts duplicates, checks that each
// broadcast's events arrive in seq order, and adds up airtime per user. It can be told to go down
// (close its listener), come back on the same port, answer slowly, or answer with an error.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

// How far a webhook-timestamp may be from our clock (Standard Webhooks suggests 5 minutes).
export const TIMESTAMP_TOLERANCE = 300;

// Checks one delivery. Returns null when it is authentic, else the reason it is not.
// `secret`: the site secret; the HMAC key is its UTF-8 bytes (contract), not base64-decoded.
export function verifySignature({ secret, id, timestamp, signature, body, now = Date.now() / 1000 }) {
  if (!id) return 'no webhook-id header';
  if (!timestamp) return 'no webhook-timestamp header';
  if (!signature) return 'no webhook-signature header';
  if (!/^\d+$/.test(timestamp)) return `webhook-timestamp is not unix seconds: ${timestamp}`;
  if (Math.abs(now - Number(timestamp)) > TIMESTAMP_TOLERANCE) return `webhook-timestamp ${timestamp} is too far from now`;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  // The header may carry several space-separated "v1,<base64>" signatures (key rotation).
  for (const entry of signature.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return null;
  }
  return 'no v1 signature matches';
}

export class BillingReceiver {
  // secrets: { siteKey: secret } of every site that may post here.
  constructor({ secrets, path = '/hooks' }) {
    this.secrets = secrets;
    this.path = path;
    this.port = null;
    this.server = null;
    this.delayMs = 0;
    this.failStatus = null;
    this.reset();
  }

  // Forgets everything received so far (the behaviour settings stay).
  reset() {
    this.events = new Map(); // webhook-id -> event (first accepted delivery)
    this.order = []; // accepted events, in arrival order
    this.deliveries = []; // every request: { at, id, status, reason }
    this.duplicates = new Map(); // webhook-id -> extra deliveries of an accepted event
    this.rejected = []; // { reason, headers, body } for deliveries that failed verification
    this.orderProblems = []; // text for each event that broke its broadcast's seq order
    this.lastSeq = new Map(); // broadcast_id -> highest seq accepted
    this.waiters = new Set();
  }

  get url() {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  get duplicateCount() {
    let total = 0;
    for (const count of this.duplicates.values()) total += count;
    return total;
  }

  // Listens (again) on the same port as before, or a free one the first time.
  async up() {
    if (this.server) return this;
    this.sockets = new Set();
    this.server = createServer((request, response) => this.onRequest(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.listen(this.port ?? 0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = this.server.address().port;
    return this;
  }

  // Closes the listener and every open connection: the sender sees "connection refused".
  async down() {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    const closed = once(server, 'close');
    server.close();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  // Answers after `ms` (0: at once).
  slow(ms) {
    this.delayMs = ms;
  }
  // Answers every delivery with `status` (null: normal behaviour) without recording it.
  failWith(status) {
    this.failStatus = status;
  }
  healthy() {
    this.delayMs = 0;
    this.failStatus = null;
  }

  onRequest(request, response) {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', async () => {
      const at = Date.now();
      if (this.delayMs) await sleep(this.delayMs);
      const [status, reason] = this.accept(request, Buffer.concat(chunks), at);
      if (response.destroyed) return;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(reason ? `${reason}\n` : 'ok\n');
    });
  }

  // Decides the answer for one delivery and records it. Returns [status, reason].
  accept(request, body, at) {
    const id = request.headers['webhook-id'];
    const record = (status, reason) => {
      this.deliveries.push({ at, id, status, reason });
      this.notify();
      return [status, reason];
    };
    if (request.method !== 'POST' || new URL(request.url, 'http://x').pathname !== this.path) {
      return record(404, `no such endpoint: ${request.method} ${request.url}`);
    }
    if (this.failStatus) return record(this.failStatus, 'told to fail');
    let event;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return this.reject(record, 400, 'body is not JSON', request, body);
    }
    const secret = this.secrets[event?.site];
    if (!secret) return this.reject(record, 400, `unknown site ${JSON.stringify(event?.site)}`, request, body);
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) {
      return this.reject(record, 415, `content-type ${request.headers['content-type']}`, request, body);
    }
    const problem = verifySignature({
      secret,
      id,
      timestamp: request.headers['webhook-timestamp'],
      signature: request.headers['webhook-signature'],
      body,
    });
    if (problem) return this.reject(record, 401, problem, request, body);
    if (event.id !== id) return this.reject(record, 400, `body id ${event.id} differs from webhook-id ${id}`, request, body);

    if (this.events.has(id)) {
      this.duplicates.set(id, (this.duplicates.get(id) ?? 0) + 1);
      return record(200, 'duplicate');
    }
    const last = this.lastSeq.get(event.broadcast_id) ?? 0;
    if (event.seq !== last + 1) {
      this.orderProblems.push(`${event.broadcast_id}: seq ${event.seq} (${event.type}) after seq ${last}`);
    }
    this.lastSeq.set(event.broadcast_id, Math.max(last, event.seq));
    const stored = { ...event, receivedAt: at, attemptTimestamp: Number(request.headers['webhook-timestamp']) };
    this.events.set(id, stored);
    this.order.push(stored);
    return record(204, null);
  }

  reject(record, status, reason, request, body) {
    this.rejected.push({ reason, headers: { ...request.headers }, body: body.toString('utf8') });
    return record(status, reason);
  }

  notify() {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) this.waiters.delete(waiter);
    }
  }

  // Resolves with the first accepted event matching `predicate` (already received or to come).
  waitForEvent(predicate, timeoutMs = 15000, describe = 'an event') {
    return this.waitFor(() => this.order.find(predicate), timeoutMs, describe);
  }

  // Resolves once `probe()` returns something truthy; rejects after `timeoutMs` with what we saw.
  waitFor(probe, timeoutMs = 15000, describe = 'a condition') {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const value = probe();
          if (!value) return false;
          clearTimeout(waiter.timer);
          resolve(value);
          return true;
        },
      };
      if (waiter.check()) return;
      waiter.timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${describe}; received:\n${this.summary()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  // Accepted events of one broadcast, in arrival order.
  eventsOf(broadcastId) {
    return this.order.filter((event) => event.broadcast_id === broadcastId);
  }

  // Airtime per user of `site` from the cumulative figures: a broadcast counts its largest
  // broadcast_seconds (reports and broadcast.ended), a watch session its largest watch_seconds
  // (reports and viewer.left), so replays and repeated reports never add twice.
  totals(site) {
    const broadcasts = new Map(); // broadcast_id -> { user, seconds }
    const watches = new Map(); // watch_id -> { user, seconds }
    const keepMax = (map, key, user, seconds) => {
      if (typeof seconds !== 'number') return;
      const known = map.get(key);
      if (!known || seconds > known.seconds) map.set(key, { user, seconds });
    };
    for (const event of this.order) {
      if (event.site !== site) continue;
      const data = event.data ?? {};
      if (event.type === 'airtime.report') {
        keepMax(broadcasts, event.broadcast_id, data.user, data.broadcast_seconds);
        for (const viewer of data.viewers ?? []) keepMax(watches, viewer.watch_id, viewer.viewer, viewer.watch_seconds);
      } else if (event.type === 'broadcast.ended') {
        keepMax(broadcasts, event.broadcast_id, data.user, data.broadcast_seconds);
      } else if (event.type === 'viewer.left') {
        keepMax(watches, data.watch_id, data.viewer, data.watch_seconds);
      }
    }
    const users = {};
    const add = (user, field, seconds) => {
      users[user] ??= { broadcast_seconds: 0, watch_seconds: 0 };
      users[user][field] += seconds;
    };
    for (const { user, seconds } of broadcasts.values()) add(user, 'broadcast_seconds', seconds);
    for (const { user, seconds } of watches.values()) add(user, 'watch_seconds', seconds);
    return users;
  }

  // A readable digest for failure messages.
  summary() {
    const lines = this.order.map((event) => `  ${event.broadcast_id} #${event.seq} ${event.type} ${JSON.stringify(event.data)}`);
    const failed = this.deliveries.filter((delivery) => delivery.status >= 300);
    if (failed.length) lines.push(`  (${failed.length} refused deliveries; last: ${failed.at(-1).status} ${failed.at(-1).reason})`);
    for (const rejected of this.rejected.slice(-3)) lines.push(`  rejected: ${rejected.reason}`);
    return lines.join('\n') || '  (nothing)';
  }

  async close() {
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters.clear();
    await this.down();
  }
}

export async function startReceiver(options) {
  const receiver = new BillingReceiver(options);
  await receiver.up();
  return receiver;
}
