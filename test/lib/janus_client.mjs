// SPDX-License-Identifier: GPL-3.0-or-later
// A tiny Janus HTTP API client for tests: sessions with a long-poll loop, handles with a queue of
// unsolicited events, requests answered on their own transaction, and the Admin API.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { ADMIN_SECRET, PLUGIN } from './janus.mjs';

export const DEFAULT_TIMEOUT = 8000;

const transactionId = () => randomBytes(9).toString('base64url');

// A Janus-level error (the core refused the request before or instead of the plugin).
export class JanusError extends Error {
  constructor(response) {
    super(`Janus error ${response.error?.code}: ${response.error?.reason}`);
    this.code = response.error?.code;
    this.reason = response.error?.reason;
    this.response = response;
  }
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(DEFAULT_TIMEOUT),
  });
  return response.json();
}

// Waits for `predicate` to hold over items pushed into a queue (events arrive in order).
class EventQueue {
  constructor() {
    this.items = [];
    this.waiters = [];
  }
  push(item) {
    const waiter = this.waiters.find((candidate) => candidate.predicate(item));
    if (waiter) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      clearTimeout(waiter.timer);
      waiter.resolve(item);
    } else {
      this.items.push(item);
    }
  }
  next(predicate, timeoutMs, describe) {
    const index = this.items.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.items.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const seen = this.items.map((item) => JSON.stringify(item.data ?? item.raw)).join('\n  ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe}; queued:\n  ${seen || '(nothing)'}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
  // Removes and returns everything queued that matches (for "nothing else arrived" checks).
  drain(predicate = () => true) {
    const taken = this.items.filter(predicate);
    this.items = this.items.filter((item) => !predicate(item));
    return taken;
  }
}

// One event as tests see it: `data` is plugindata.data for plugin events, `jsep` the SDP.
function normalize(raw) {
  return { janus: raw.janus, data: raw.plugindata?.data, jsep: raw.jsep, raw };
}
const resultEvent = (item) => item.data?.result?.event;

export class Handle {
  constructor(session, id) {
    this.session = session;
    this.id = id;
    this.events = new EventQueue();
  }

  get url() {
    return `${this.session.url}/${this.id}`;
  }

  // Sends a plugin message and resolves with the event answering its transaction:
  // { data, jsep, raw }. Janus-level errors reject with JanusError.
  async send(body, jsep, timeoutMs = DEFAULT_TIMEOUT) {
    const transaction = transactionId();
    const answer = this.session.expect(transaction, timeoutMs);
    const message = { janus: 'message', transaction, body };
    if (jsep) message.jsep = jsep;
    const sync = await postJson(this.url, message);
    if (sync.janus === 'ack') return answer;
    this.session.forget(transaction);
    if (sync.janus === 'error') throw new JanusError(sync);
    return normalize(sync); // a synchronous plugin answer
  }

  // Like send() without the sync wrapper: the raw POST body (for malformed messages).
  async sendRaw(message, timeoutMs = DEFAULT_TIMEOUT) {
    const transaction = message.transaction ?? transactionId();
    const answer = this.session.expect(transaction, timeoutMs);
    const sync = await postJson(this.url, { janus: 'message', ...message, transaction });
    if (sync.janus === 'ack') return answer;
    this.session.forget(transaction);
    if (sync.janus === 'error') throw new JanusError(sync);
    return normalize(sync);
  }

  // The plugin's answer data ({onair, result} or {onair, error_code, error}).
  async request(body, jsep, timeoutMs) {
    return (await this.send(body, jsep, timeoutMs)).data;
  }

  // The next unsolicited plugin event named `name` (result.event), as { data, jsep, raw }.
  notice(name, timeoutMs = DEFAULT_TIMEOUT) {
    return this.events.next((item) => resultEvent(item) === name, timeoutMs, `"${name}" on handle ${this.id}`);
  }

  // The next unsolicited Janus event of a type (webrtcup, hangup, media, detached).
  janusEvent(type, timeoutMs = DEFAULT_TIMEOUT) {
    return this.events.next((item) => item.janus === type, timeoutMs, `janus "${type}" on handle ${this.id}`);
  }

  // Plugin events received so far and not yet consumed (names only), consuming them.
  drainNotices() {
    return this.events.drain((item) => item.janus === 'event').map((item) => item.data);
  }

  // Waits `ms` and returns the plugin notices that arrived meanwhile (consumed).
  async quietFor(ms) {
    await sleep(ms);
    return this.drainNotices();
  }

  async trickle(candidate) {
    return postJson(this.url, { janus: 'trickle', transaction: transactionId(), candidate });
  }

  async hangup() {
    return postJson(this.url, { janus: 'hangup', transaction: transactionId() });
  }

  async detach() {
    const response = await postJson(this.url, { janus: 'detach', transaction: transactionId() });
    if (response.janus === 'error') throw new JanusError(response);
    return response;
  }
}

export class Session {
  constructor(baseUrl, id) {
    this.baseUrl = baseUrl;
    this.id = id;
    this.handles = new Map();
    this.pending = new Map();
    this.closed = false;
    this.abort = new AbortController();
    this.polling = this.poll();
    this.keepaliveTimer = setInterval(() => this.keepalive().catch(() => {}), 20000);
    this.keepaliveTimer.unref();
  }

  static async create(baseUrl) {
    const response = await postJson(baseUrl, { janus: 'create', transaction: transactionId() });
    if (response.janus !== 'success') throw new JanusError(response);
    return new Session(baseUrl, response.data.id);
  }

  get url() {
    return `${this.baseUrl}/${this.id}`;
  }

  expect(transaction, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`no answer on transaction ${transaction} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(transaction, { resolve, reject, timer });
    });
  }

  forget(transaction) {
    const waiter = this.pending.get(transaction);
    if (waiter) clearTimeout(waiter.timer);
    this.pending.delete(transaction);
  }

  async poll() {
    let failures = 0;
    while (!this.closed) {
      let events;
      try {
        const response = await fetch(`${this.url}?rid=${Date.now()}&maxev=10`, { signal: this.abort.signal });
        events = await response.json();
        failures = 0;
      } catch (error) {
        if (this.closed) return;
        this.pollError = error;
        // Janus is gone (stopped or killed): stop polling so the test process can exit.
        if (++failures >= 5) {
          this.close();
          return;
        }
        await sleep(200);
        continue;
      }
      for (const event of Array.isArray(events) ? events : [events]) this.dispatch(event);
    }
  }

  dispatch(raw) {
    if (raw.janus === 'keepalive') return;
    if (raw.janus === 'error' && raw.error?.code === 458) {
      this.closed = true; // the session is gone (destroyed or timed out)
      return;
    }
    const item = normalize(raw);
    const waiter = raw.transaction && this.pending.get(raw.transaction);
    if (waiter && raw.janus === 'event') {
      this.forget(raw.transaction);
      waiter.resolve(item);
      return;
    }
    const handle = this.handles.get(raw.sender);
    if (handle) handle.events.push(item);
  }

  async attach(plugin = PLUGIN) {
    const response = await postJson(this.url, { janus: 'attach', plugin, transaction: transactionId() });
    if (response.janus !== 'success') throw new JanusError(response);
    const handle = new Handle(this, response.data.id);
    this.handles.set(handle.id, handle);
    return handle;
  }

  async keepalive() {
    return postJson(this.url, { janus: 'keepalive', transaction: transactionId() });
  }

  // Destroys the session on the server (its handles detach) and stops polling.
  async destroy() {
    if (this.closed && !this.handles.size) return;
    clearInterval(this.keepaliveTimer);
    let response;
    try {
      response = await postJson(this.url, { janus: 'destroy', transaction: transactionId() });
    } finally {
      this.close();
    }
    return response;
  }

  // Stops polling without telling the server (a client that vanished).
  close() {
    this.closed = true;
    clearInterval(this.keepaliveTimer);
    this.abort.abort();
    for (const [transaction, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`session closed before an answer on ${transaction}`));
    }
    this.pending.clear();
  }
}

// A session with one handle attached to the OnAir plugin.
export async function connect(janus) {
  const session = await Session.create(janus.httpUrl);
  const handle = await session.attach();
  return { session, handle };
}

// Sends one Admin API message_plugin request and resolves with the plugin's answer object.
export async function admin(janus, request) {
  const response = await postJson(janus.adminUrl, {
    janus: 'message_plugin',
    plugin: PLUGIN,
    admin_secret: ADMIN_SECRET,
    transaction: transactionId(),
    ...(request === undefined ? {} : { request }),
  });
  if (response.janus !== 'success') throw new JanusError(response);
  return response.response;
}

// Admin API handle_info of one handle: its info object (`plugin_specific` is the plugin's
// query_session answer).
export async function handleInfo(janus, sessionId, handleId) {
  const response = await postJson(`${janus.adminUrl}/${sessionId}/${handleId}`, {
    janus: 'handle_info',
    admin_secret: ADMIN_SECRET,
    transaction: transactionId(),
  });
  if (response.janus !== 'success') throw new JanusError(response);
  return response.info;
}

// The `result` of a successful plugin answer; fails with the plugin's error otherwise.
export function result(data) {
  if (!data || data.onair !== 'event' || !data.result) {
    throw new Error(`expected an OnAir result, got ${JSON.stringify(data)}`);
  }
  return data.result;
}
