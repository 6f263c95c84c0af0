// SPDX-License-Identifier: GPL-3.0-or-later
// What onair.js and onair-media.js agree on. Both are built from this tree; the media half
// (janus.js, webrtc-adapter, the broadcast and watch flows) is loaded only when the page first
// broadcasts or watches (loader.ts), borrows onair.js' texts and error type through MEDIA_HOOK
// (js/src/lent/) and registers itself there. Types otherwise.
import type { BroadcastOptions } from './broadcast';
import type { Config } from './config';
import type { Connection } from './connection';
import type * as Errors from './errors';
import type { Flow, FlowHost } from './flow';
import type * as I18n from './i18n';
import type { PlayerView } from './ui/player';
import type { PreviewView } from './ui/preview';
import type { WatchOptions } from './watch';

/** The global onair.js sets to its MediaHook before it loads onair-media.js: a registered symbol,
 * which no name of the page can clash with. */
export const MEDIA_HOOK = Symbol.for('onair.media');

/** A running broadcast or watch, as the page-level controller drives it. */
export interface RunningFlow extends Flow {
  readonly isOver: boolean;
  /** The Janus session dropped: restore what can be restored. */
  connectionLost(): void;
}

export interface BroadcastFlow extends RunningFlow {
  whenLive(): Promise<void>;
  updateOptions(options: BroadcastOptions): void;
  answer(requestId: string, accept: boolean): Promise<void>;
  kick(viewer: string): Promise<void>;
  stop(): Promise<void>;
  /** Closes the preview (stopping first when still running). */
  dispose(): void;
}

export interface WatchFlow extends RunningFlow {
  whenWatching(): Promise<void>;
  updateOptions(options: WatchOptions): void;
  leave(): Promise<void>;
}

/** The media half, started once per page. */
export interface MediaSession {
  /** The page's one janus.js session: the flows', and presence's once the media half is there. */
  readonly connection: Connection;
  /** A flow, started, on the card the page opened while the media half loaded. */
  broadcast(host: FlowHost, options: BroadcastOptions, resumed: boolean, view: PreviewView): BroadcastFlow;
  watch(host: FlowHost, options: WatchOptions, view: PlayerView): WatchFlow;
}

export interface MediaModule {
  /** package.json's version, as onair.js' own: the two halves of one build work together. */
  readonly version: string;
  start(config: Config): MediaSession;
}

export type MediaRegistration = (module: MediaModule) => void;

/** The modules onair.js lends the media half, which the media build takes from here instead of
 * bundling them again (js/build.mjs, js/src/lent/): the text tables travel once, and an error of
 * either half is one OnAirError (`instanceof`, window.OnAirError). */
export interface Lent {
  readonly i18n: typeof I18n;
  readonly errors: typeof Errors;
}

/** What onair.js sets under MEDIA_HOOK: onair-media.js borrows `lent` as it runs, then calls
 * `register` with its MediaModule. */
export interface MediaHook {
  readonly lent: Lent;
  readonly register: MediaRegistration;
}
