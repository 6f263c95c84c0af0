// SPDX-License-Identifier: GPL-3.0-or-later
// Loads onair-media.js (janus.js, webrtc-adapter and the flows: media.ts) once, when the page first
// broadcasts or watches, and lends it onair.js' texts and error type (media_api.ts, Lent). It sits
// beside onair.js on the OnAir host. A load that failed is tried again on the next call; a media
// half of another version is refused (a deploy caught halfway).
import * as errors from './errors';
import { clientError, errorText } from './errors';
import * as i18n from './i18n';
import { MEDIA_HOOK, type MediaHook, type MediaModule, type MediaSession } from './media_api';

/** How long onair-media.js may take to arrive before the attempt fails. */
export const MEDIA_TIMEOUT_MS = 30_000;

/** onair-media.js beside onair.js (`scriptSrc`), asked for by version: no cache in between can
 * hand one build's onair.js the other's media half. */
export function mediaUrl(scriptSrc: string, version: string): string {
  const url = new URL('onair-media.js', new URL(scriptSrc || location.href, location.href));
  url.searchParams.set('v', version);
  return url.href;
}

/** Runs the script at `url`: resolves once it has run, rejects when it could not be fetched. */
export type Injector = (url: string) => Promise<void>;

function injectScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    script.onload = () => {
      script.remove();
      resolve();
    };
    script.onerror = () => {
      script.remove();
      reject(new Error('it could not be fetched'));
    };
    (document.head ?? document.documentElement).append(script);
  });
}

export class MediaLoader {
  private registered: MediaModule | null = null;
  private loading: Promise<void> | null = null;
  private session: MediaSession | null = null;

  /** `start` makes the page's one media session from the module, the first time it is needed. */
  constructor(
    private readonly url: string,
    private readonly version: string,
    private readonly start: (module: MediaModule) => MediaSession,
    private readonly inject: Injector = injectScript,
  ) {
    // onair-media.js reads this as it runs (media.ts, lent/), also when it arrives after the
    // time-out.
    const hook: MediaHook = {
      lent: { i18n, errors },
      register: (module) => {
        this.registered ??= module;
      },
    };
    Object.defineProperty(window, MEDIA_HOOK, { value: hook, configurable: true });
  }

  /** The page's media session; fetches onair-media.js first when it is not there yet. Rejects
   * with `media_unavailable` or `media_outdated`. */
  async load(): Promise<MediaSession> {
    if (this.session) return this.session;
    if (!this.registered) await (this.loading ??= this.fetch());
    const module = this.registered;
    if (!module) throw clientError('media_unavailable', 'mediaUnavailable', `${this.url}: it did not register`);
    if (module.version !== this.version) {
      throw clientError('media_outdated', 'mediaOutdated', `onair-media.js ${module.version}, onair.js ${this.version}`);
    }
    this.session ??= this.start(module);
    return this.session;
  }

  private async fetch(): Promise<void> {
    let timer = 0;
    const timeout = new Promise<never>((_, reject) => {
      timer = window.setTimeout(() => reject(new Error(`no answer within ${MEDIA_TIMEOUT_MS / 1000} s`)), MEDIA_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.inject(this.url), timeout]);
    } catch (error) {
      throw clientError('media_unavailable', 'mediaUnavailable', `${this.url}: ${errorText(error)}`);
    } finally {
      window.clearTimeout(timer);
      this.loading = null;
    }
  }
}
