// SPDX-License-Identifier: GPL-3.0-or-later
// onair.js entry point: read the script tag, expose window.OnAir, bind buttons once the DOM is there.
// The media half, onair-media.js, comes when the page first broadcasts or watches (loader.ts).
import { App } from './app';
import type { BroadcastOptions } from './broadcast';
import { findOwnScript, readConfig, type Config } from './config';
import { OnAirError, errorText } from './errors';
import type { AnyListener, EventType, OnAirListener } from './events';
import { mediaUrl } from './loader';
import type { WatchOptions } from './watch';

declare const __ONAIR_VERSION__: string;

export interface OnAirApi {
  broadcast(options: BroadcastOptions): Promise<void>;
  watch(options: WatchOptions): Promise<void>;
  stop(): Promise<void>;
  kick(viewer: string): Promise<void>;
  /** `listener` receives the event's detail (docs/widget.md); returns an unsubscribe function. */
  on<T extends EventType>(event: T, listener: OnAirListener<T>): () => void;
  readonly version: string;
  readonly site: string;
}

declare global {
  interface Window {
    OnAir?: OnAirApi;
  }
}

function boot(): void {
  if (window.OnAir) {
    console.warn('onair.js: loaded twice; keeping the first copy');
    return;
  }
  const script = findOwnScript();
  let config: Config;
  try {
    config = readConfig(script);
  } catch (err) {
    console.error('onair.js: bad script attributes:', errorText(err));
    config = { site: '', servers: [], iceServers: [], debug: false };
  }
  const app = new App(config, mediaUrl(script?.src ?? '', __ONAIR_VERSION__), __ONAIR_VERSION__);
  const api: OnAirApi = {
    broadcast: (options) => app.broadcast(options ?? ({} as BroadcastOptions)),
    watch: (options) => app.watch(options ?? ({} as WatchOptions)),
    stop: () => app.stop(),
    kick: (viewer) => app.kick(viewer),
    on: (event, listener) => {
      if (typeof listener !== 'function') throw new TypeError('OnAir.on(event, listener): listener must be a function');
      return app.on(String(event), listener as AnyListener);
    },
    version: __ONAIR_VERSION__,
    site: config.site,
  };
  Object.defineProperty(window, 'OnAir', { value: Object.freeze(api), configurable: false, writable: false, enumerable: true });
  (window as unknown as { OnAirError: typeof OnAirError }).OnAirError = OnAirError;
  const begin = (): void => {
    app.start();
    document.dispatchEvent(new CustomEvent('onair:ready', { detail: { version: api.version, site: config.site } }));
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', begin, { once: true });
  else begin();
}

boot();
