// SPDX-License-Identifier: GPL-3.0-or-later
// The Janus transactions janus.js keeps to itself. The plugin answers each request with one event
// on the request's transaction (docs/protocol.md), but janus.js makes up that transaction and
// hands a plugin event to `onmessage` without it. Both are read here, on the two transports
// janus.js is given (Janus.init's dependencies), so flows pair answers with requests exactly.
import type { Dependencies, HttpCall } from 'janus-gateway';

interface Frame {
  janus?: unknown;
  transaction?: unknown;
  plugindata?: { data?: unknown } | null;
}

/** The transaction of the plugin message handed to a transport during `transactionOfSend`. */
let sent = '';
/** WebSocket: the transaction of the frame janus.js is handling now. The listener added when the
 * socket is made runs before janus.js' own, which dispatches the frame synchronously. */
let receiving: string | undefined;
/** HTTP long poll: janus.js hands `onmessage` the very data objects parsed for it here, several
 * events at a time. */
const received = new WeakMap<object, string>();

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Any JSON object; the fields read are checked where they are read. */
function asFrame(value: unknown): Frame | null {
  return isObject(value) ? (value as Frame) : null;
}

function parse(text: unknown): Frame | null {
  if (typeof text !== 'string') return null;
  try {
    return asFrame(JSON.parse(text));
  } catch {
    return null;
  }
}

function noteSent(frame: Frame | null): void {
  if (frame?.janus === 'message' && typeof frame.transaction === 'string') sent = frame.transaction;
}

/** The transaction of a plugin event (answers have one; notifications do not). */
function eventTransaction(frame: Frame | null): string | undefined {
  return frame?.janus === 'event' && typeof frame.transaction === 'string' ? frame.transaction : undefined;
}

/** janus.js' own transports, with each frame's transaction noted on the way. */
export function tapTransports(deps: Dependencies): Dependencies {
  return {
    ...deps,
    newWebSocket(server: string, protocol: string): WebSocket {
      const socket = deps.newWebSocket(server, protocol);
      socket.addEventListener('message', (event: MessageEvent) => {
        receiving = eventTransaction(parse(event.data));
      });
      const send = socket.send.bind(socket);
      socket.send = (frame) => {
        noteSent(parse(frame));
        send(frame);
      };
      return socket;
    },
    httpAPICall(url: string, call: HttpCall): unknown {
      noteSent(asFrame(call.body));
      const success = call.success;
      if (!success) return deps.httpAPICall(url, call);
      return deps.httpAPICall(url, {
        ...call,
        success: (json: unknown) => {
          receiving = undefined; // an earlier session's WebSocket frame says nothing about these
          for (const item of Array.isArray(json) ? json : [json]) {
            const frame = asFrame(item);
            const transaction = eventTransaction(frame);
            const data = frame?.plugindata?.data;
            if (transaction !== undefined && isObject(data)) received.set(data, transaction);
          }
          success(json);
        },
      });
    },
  };
}

/** Runs `send`, one janus.js plugin message, and returns the Janus transaction it went out on
 * ('' when janus.js refused it before sending). janus.js hands the frame to its transport
 * synchronously. */
export function transactionOfSend(send: () => void): string {
  sent = '';
  send();
  return sent;
}

/** The transaction of the plugin event whose data `onmessage` was given now, if it has one. */
export function transactionOf(data: unknown): string | undefined {
  return (isObject(data) ? received.get(data) : undefined) ?? receiving;
}
