// SPDX-License-Identifier: GPL-3.0-or-later
// Reads the embedding <script> tag: data-site, data-server, data-ice-servers, data-debug.

export interface Config {
  site: string;
  /** Tried in order by janus.js: WebSocket first, HTTP long-poll as fallback. */
  servers: string[];
  iceServers: RTCIceServer[];
  debug: boolean;
}

/** document.currentScript is only set while the script runs synchronously; with `async` or a
 * bundler it may be null, so fall back to the tag that carries data-site (or loads onair.js). */
export function findOwnScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.hasAttribute('data-site')) return current;
  const tagged = document.querySelector<HTMLScriptElement>('script[data-site]');
  if (tagged) return tagged;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="onair"]');
}

/** `wss://host/janus-ws` then `https://host/janus`, from the origin the script was served from. */
export function defaultServers(scriptSrc: string): string[] {
  const base = new URL(scriptSrc || location.href, location.href);
  const secure = base.protocol === 'https:';
  return [
    `${secure ? 'wss' : 'ws'}://${base.host}/janus-ws`,
    `${secure ? 'https' : 'http'}://${base.host}/janus`,
  ];
}

function parseServers(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string' && s !== '')) {
      throw new Error('data-server must be a URL or a JSON array of URLs');
    }
    return parsed as string[];
  }
  return trimmed.split(/[\s,]+/).filter((s) => s !== '');
}

function parseIceServers(value: string | null): RTCIceServer[] {
  if (value === null || value.trim() === '') return [];
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) throw new Error('data-ice-servers must be a JSON array of RTCIceServer objects');
  return parsed as RTCIceServer[];
}

export function readConfig(script: HTMLScriptElement | null): Config {
  const site = script?.getAttribute('data-site')?.trim() ?? '';
  const serverAttr = script?.getAttribute('data-server');
  const servers = serverAttr ? parseServers(serverAttr) : defaultServers(script?.src ?? '');
  return {
    site,
    servers: servers.map((s) => new URL(s, location.href).href.replace(/\/$/, '')),
    iceServers: parseIceServers(script?.getAttribute('data-ice-servers') ?? null),
    debug: script?.hasAttribute('data-debug') ?? false,
  };
}
