// SPDX-License-Identifier: GPL-3.0-or-later
// The little of the Janus API presence needs, without janus.js: one session, janus.plugin.onair
// handles, plugin messages, keepalives and events, over a WebSocket or else HTTP long poll, the
// servers tried in order as janus.js tries them. onair.js carries this instead of janus.js, so a
// page that only shows buttons never downloads the media half (loader.ts); once the page has it,
// presence moves to its janus.js session and this one ends (app.ts).
import { clientError, synchronousRefusal } from './errors';
import type { PresenceChannel, PresenceListener, PresenceSource } from './presence';
import { PLUGIN_NAME, parsePluginMessage, str } from './protocol';

/** A Janus API frame; what is read of it is checked where it is read. */
interface Frame {
  janus?: unknown;
  transaction?: unknown;
  session_id?: number;
  handle_id?: number;
  sender?: unknown;
  data?: { id?: unknown };
  error?: { reason?: unknown };
  plugindata?: { data?: unknown };
  [field: string]: unknown;
}

/** What answers a request at once; anything else (events) arrives on its own. */
const ANSWERS = new Set(['success', 'error', 'ack']);

/** As janus.js: Janus forgets a session that is silent for 60 s (session_timeout). */
const KEEPALIVE_MS = 25_000;

/** Failed long polls in a row before the session counts as lost (janus.js: the same). */
const POLL_RETRIES = 3;

interface Transport {
  /** Resolves with Janus' answer to `frame` (success, error or ack). */
  request(frame: Frame): Promise<Frame>;
  /** The session exists: a WebSocket starts its keepalives, HTTP its long poll. */
  listen(session: number): void;
  /** Ends the session: HTTP asks Janus to destroy it; a WebSocket just closes, which ends the
   * sessions on it (a `destroy` sent before would race the close). */
  end(session: number): void;
  close(): void;
}

interface Sink {
  event(frame: Frame): void;
  /** The transport broke after it had worked. */
  lost(): void;
}

interface Session {
  id: number;
  transport: Transport;
}

function newTransaction(): string {
  return Math.random().toString(36).slice(2, 14);
}

function asFrame(value: unknown): Frame | null {
  return typeof value === 'object' && value !== null ? (value as Frame) : null;
}

function parse(text: unknown): Frame | null {
  try {
    return typeof text === 'string' ? asFrame(JSON.parse(text)) : null;
  } catch {
    return null;
  }
}

/** Resolves once the socket is open; rejects when it closes before. */
function socketTransport(url: string, sink: Sink): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'janus-protocol');
    const waiting = new Map<unknown, { resolve: (frame: Frame) => void; reject: (error: Error) => void }>();
    let keepalive = 0;
    let opened = false;
    const send = (frame: Frame): void => socket.send(JSON.stringify(frame));
    const shut = (): void => {
      window.clearInterval(keepalive);
      for (const waiter of waiting.values()) waiter.reject(new Error(`${url}: the WebSocket closed`));
      waiting.clear();
    };
    const close = (): void => {
      socket.onclose = null;
      shut();
      socket.close();
    };
    socket.onopen = () => {
      opened = true;
      resolve({
        request: (frame) => new Promise((answered, failed) => {
          if (socket.readyState !== WebSocket.OPEN) {
            failed(new Error(`${url}: the WebSocket is closed`));
            return;
          }
          waiting.set(frame.transaction, { resolve: answered, reject: failed });
          send(frame);
        }),
        listen: (session) => {
          keepalive = window.setInterval(() => send({ janus: 'keepalive', session_id: session, transaction: newTransaction() }), KEEPALIVE_MS);
        },
        end: close,
        close,
      });
    };
    // A socket that fails to open fires `error` and then `close`: `close` says both.
    socket.onclose = () => {
      shut();
      if (opened) sink.lost();
      else reject(new Error(`${url}: no WebSocket`));
    };
    socket.onmessage = (message: MessageEvent) => {
      const frame = parse(message.data);
      if (!frame) return;
      const waiter = ANSWERS.has(String(frame.janus)) ? waiting.get(frame.transaction) : undefined;
      if (!waiter) {
        sink.event(frame);
        return;
      }
      waiting.delete(frame.transaction);
      waiter.resolve(frame);
    };
  });
}

function httpTransport(url: string, sink: Sink): Transport {
  let polling = false;
  const poll = async (session: number): Promise<void> => {
    for (let failures = 0; polling;) {
      try {
        const response = await fetch(`${url}/${session}?rid=${Date.now()}&maxev=10`, { cache: 'no-store' });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body: unknown = await response.json();
        failures = 0;
        for (const item of Array.isArray(body) ? body : [body]) {
          const frame = asFrame(item);
          if (frame && polling) sink.event(frame);
        }
      } catch {
        if (++failures > POLL_RETRIES && polling) {
          polling = false;
          sink.lost();
        }
      }
    }
  };
  const transport: Transport = {
    async request(frame) {
      const path = frame.handle_id ? `/${frame.session_id}/${frame.handle_id}` : frame.session_id ? `/${frame.session_id}` : '';
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(frame),
        // The goodbye goes out at `pagehide`, while the page is being torn down.
        keepalive: frame.janus === 'destroy',
      });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return asFrame(await response.json()) ?? {};
    },
    listen(session) {
      polling = true;
      void poll(session);
    },
    end(session) {
      polling = false;
      transport.request({ janus: 'destroy', session_id: session, transaction: newTransaction() }).catch(() => undefined);
    },
    close() {
      polling = false;
    },
  };
  return transport;
}

/** The id in a `success` answer (a session's or a handle's). */
function createdId(answer: Frame): number {
  const id = answer.data?.id;
  if (answer.janus !== 'success' || typeof id !== 'number') throw new Error(`Janus: ${str(answer.error?.reason, str(answer.janus))}`);
  return id;
}

export class JanusLite implements PresenceSource {
  private session: Promise<Session> | null = null;
  private current: Session | null = null;
  private readonly handles = new Map<number, PresenceListener>();
  private readonly lostListeners = new Set<() => void>();
  /** After `pagehide`, until the page comes back from the back/forward cache. */
  private leaving = false;
  /** Presence has moved to the flows' janus.js session for good. */
  private retired = false;

  constructor(private readonly servers: string[]) {
    // As connection.ts: `pagehide` is final; back from the back/forward cache, start over.
    window.addEventListener('pagehide', () => {
      this.leaving = true;
      this.end();
    });
    window.addEventListener('pageshow', (event) => {
      if (!event.persisted || !this.leaving) return;
      this.leaving = false;
      for (const listener of [...this.lostListeners]) listener();
    });
  }

  /** Called once per lost session; the session is already forgotten when it runs. */
  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async attach(listener: PresenceListener): Promise<PresenceChannel> {
    const session = await this.open();
    const handle = createdId(await session.transport.request({
      janus: 'attach',
      plugin: PLUGIN_NAME,
      opaque_id: `onair-${newTransaction()}`,
      transaction: newTransaction(),
      session_id: session.id,
    }));
    this.handles.set(handle, listener);
    const frame = (janus: string, extra: Frame = {}): Frame =>
      ({ janus, transaction: newTransaction(), session_id: session.id, handle_id: handle, ...extra });
    return {
      send: (body) => ({
        delivered: session.transport.request(frame('message', { body })).then((answer) => {
          if (answer.janus === 'error') throw clientError('connection_lost', 'connectionGone', str(answer.error?.reason));
          const refusal = synchronousRefusal(answer.plugindata?.data);
          if (refusal) throw refusal;
        }),
      }),
      close: () => {
        this.handles.delete(handle);
        session.transport.request(frame('detach')).catch(() => undefined);
      },
    };
  }

  /** Ends the session for good: presence has moved to the flows' janus.js session. */
  retire(): void {
    this.retired = true;
    this.lostListeners.clear();
    this.end();
  }

  private open(): Promise<Session> {
    if (this.leaving || this.retired) return Promise.reject(clientError('connection_lost', 'connectionGone', 'closed'));
    if (this.session) return this.session;
    const attempt = this.connect().then((session) => {
      if (this.session !== attempt) { // ended while it was being created
        session.transport.end(session.id);
        throw clientError('connection_lost', 'connectionGone', 'closed');
      }
      this.current = session;
      return session;
    });
    this.session = attempt;
    attempt.catch(() => {
      if (this.session === attempt) this.session = null;
    });
    return attempt;
  }

  private async connect(): Promise<Session> {
    let failure: unknown = 'no server';
    for (const url of this.servers) {
      let transport: Transport | null = null;
      const sink: Sink = { event: (frame) => this.onFrame(frame), lost: () => this.dropped(transport) };
      try {
        transport = /^wss?:/.test(url) ? await socketTransport(url, sink) : httpTransport(url, sink);
        const id = createdId(await transport.request({ janus: 'create', transaction: newTransaction() }));
        transport.listen(id);
        return { id, transport };
      } catch (error) {
        failure = error;
        transport?.close();
      }
    }
    throw clientError('server_unreachable', 'serverUnreachable', String(failure));
  }

  private onFrame(frame: Frame): void {
    if (frame.janus === 'event') {
      const event = parsePluginMessage(frame.plugindata?.data);
      if (event) this.handles.get(Number(frame.sender))?.onEvent(event);
    } else if (frame.janus === 'detached') {
      this.handles.delete(Number(frame.sender));
    } else if (frame.janus === 'timeout' && this.current && frame.session_id === this.current.id) {
      this.dropped(this.current.transport);
    }
  }

  private dropped(transport: Transport | null): void {
    if (!transport || this.current?.transport !== transport) return;
    this.forget();
    transport.close();
    for (const listener of [...this.lostListeners]) listener();
  }

  private forget(): Session | null {
    const session = this.current;
    this.current = null;
    this.session = null;
    this.handles.clear();
    return session;
  }

  private end(): void {
    const session = this.forget();
    session?.transport.end(session.id);
  }
}
