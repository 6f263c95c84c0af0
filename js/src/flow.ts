// SPDX-License-Identifier: GPL-3.0-or-later
// What a broadcast or watch flow needs from the page-level controller, and what it exposes.
import type { Config } from './config';
import type { Connection } from './connection';

export type ButtonState = 'offline' | 'live' | 'requesting' | 'watching' | 'declined' | 'ended' | 'error';

export type EventDetail = Record<string, unknown>;

export interface FlowHost {
  readonly config: Config;
  readonly connection: Connection;
  /** The flow's state or detail changed: update buttons, fire events. */
  changed(flow: Flow): void;
  /** A notification that is not a state (watch_request, viewer_joined, …). */
  emit(type: string, detail: EventDetail): void;
  /** The flow is over and its UI closed: forget it. */
  finished(flow: Flow): void;
}

export interface Flow {
  readonly role: 'broadcast' | 'watch';
  /** The user id (broadcast) or target id (watch) buttons are matched by. */
  readonly key: string;
  readonly state: ButtonState;
  readonly detail: EventDetail;
}

/** Consecutive reconnection attempts (about two minutes with the backoff below) before a flow
 * gives up and says so, instead of spinning forever behind a firewall or a dead server. */
export const MAX_RECONNECTS = 10;

/** How long a hung-up PeerConnection waits for the plugin's explanation before reconnecting. */
export const MEDIA_DOWN_GRACE_MS = 1500;

/** 1 s, 2 s, 4 s … capped at 15 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(15000, 1000 * 2 ** Math.min(attempt, 4));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}
