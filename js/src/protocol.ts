// SPDX-License-Identifier: GPL-3.0-or-later
// Plugin messages (docs/protocol.md) narrowed from janus.js' untyped `onmessage` payloads.

export const PLUGIN_NAME = 'janus.plugin.onair';

export interface Person {
  user: string;
  name: string;
  /** The name is the signed token's `name` claim; otherwise the viewer chose it (self-declared). */
  nameVerified: boolean;
}

export type PluginEvent =
  | { kind: 'result'; event: string; data: Record<string, unknown> }
  | { kind: 'error'; code: number; message: string };

/** The optional `token` and `name` members of a `broadcast` or `watch` request (docs/protocol.md),
 * each left out when the page gave none or an empty one. */
export function identityMembers(options: { token?: string; name?: string }): { token?: string; name?: string } {
  return { ...(options.token ? { token: options.token } : {}), ...(options.name ? { name: options.name } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns null for messages that are not OnAir events (so they are ignored, not crashed on). */
export function parsePluginMessage(message: unknown): PluginEvent | null {
  if (!isRecord(message) || message['onair'] !== 'event') return null;
  if (typeof message['error_code'] === 'number') {
    return { kind: 'error', code: message['error_code'], message: str(message['error']) };
  }
  const result = message['result'];
  if (isRecord(result) && typeof result['event'] === 'string') {
    return { kind: 'result', event: result['event'], data: result };
  }
  return null;
}

export function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}

export function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function bool(value: unknown): boolean {
  return value === true;
}

export function person(value: unknown): Person {
  if (!isRecord(value)) return { user: '', name: '', nameVerified: false };
  return { user: str(value['user']), name: str(value['name']), nameVerified: value['name_verified'] === true };
}

export function people(value: unknown): Person[] {
  return Array.isArray(value) ? value.map(person).filter((p) => p.user !== '') : [];
}

/** `{ "42": true, "43": false }` → Map; anything not boolean is skipped. */
export function presenceMap(value: unknown): Map<string, boolean> {
  const out = new Map<string, boolean>();
  if (isRecord(value)) {
    for (const [user, live] of Object.entries(value)) {
      if (typeof live === 'boolean') out.set(user, live);
    }
  }
  return out;
}
