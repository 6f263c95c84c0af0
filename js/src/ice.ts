// SPDX-License-Identifier: GPL-3.0-or-later
// ICE for every PeerConnection the widget makes, relayed (janus.js) or direct (direct.ts): the
// plugin's ice_servers/ice_policy as RTCPeerConnection settings, and when to restart ICE.
import { str } from './protocol';

/** ICE settings from `peer` / `accepted` / `registered` (ice_servers, ice_policy). */
export interface IceSettings {
  servers: RTCIceServer[];
  policy: RTCIceTransportPolicy;
}

export function iceSettings(data: Record<string, unknown>): IceSettings {
  return { servers: iceServerList(data['ice_servers']), policy: data['ice_policy'] === 'relay' ? 'relay' : 'all' };
}

export function iceServerList(value: unknown): RTCIceServer[] {
  if (!Array.isArray(value)) return [];
  const out: RTCIceServer[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const record = entry as Record<string, unknown>;
    const urls = Array.isArray(record['urls']) ? record['urls'].filter((u): u is string => typeof u === 'string') : str(record['urls']);
    if (urls.length === 0) continue;
    const server: RTCIceServer = { urls };
    if (typeof record['username'] === 'string') server.username = record['username'];
    if (typeof record['credential'] === 'string') server.credential = record['credential'];
    out.push(server);
  }
  return out;
}

/** How long ICE may stay `disconnected` before it is restarted (a brief blip heals by itself). */
const DISCONNECTED_GRACE_MS = 3000;
/** Between repeated restarts while the path stays down. */
const RETRY_MS = 5000;

/** Calls `restart` when ICE has been `disconnected` for a few seconds or `failed`, and again
 * every few seconds until it is connected again. */
export class IceWatchdog {
  private timer = 0;

  constructor(private readonly restart: () => void) {}

  update(state: RTCIceConnectionState): void {
    if (state === 'connected' || state === 'completed' || state === 'closed' || state === 'new') {
      this.stop();
    } else if (state === 'failed') {
      this.stop();
      this.fire();
    } else if (state === 'disconnected' && this.timer === 0) {
      this.timer = window.setTimeout(() => this.fire(), DISCONNECTED_GRACE_MS);
    }
  }

  private fire(): void {
    this.restart();
    this.timer = window.setTimeout(() => this.fire(), RETRY_MS);
  }

  stop(): void {
    window.clearTimeout(this.timer);
    this.timer = 0;
  }
}
