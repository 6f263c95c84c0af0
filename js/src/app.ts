// SPDX-License-Identifier: GPL-3.0-or-later
// The page-level controller: binds buttons, owns the flows (one broadcast per user, one watch per
// target), keeps button states and visibility current, and fires events. The flows come from the
// media half, loaded on the first broadcast or watch (loader.ts, lazy_flows.ts); until then
// presence runs on onair.js' own small Janus client (janus_lite.ts).
import type { BroadcastOptions } from './broadcast';
import { ButtonWatcher, type ButtonKind } from './buttons';
import type { Config } from './config';
import { OnAirError } from './errors';
import type { AnyListener, EventDetails, EventName, OnAirEvent, StateDetail } from './events';
import type { ButtonState, EventDetail, Flow, PageHost } from './flow';
import { t } from './i18n';
import { JanusLite } from './janus_lite';
import { LazyBroadcast, LazyWatch } from './lazy_flows';
import { MediaLoader } from './loader';
import type { MediaSession } from './media_api';
import { Presence } from './presence';
import { hasConsent, wasWatching } from './storage';
import type { WatchOptions } from './watch';

interface Bound {
  kind: ButtonKind;
  state: ButtonState | null;
  hiddenByUs: boolean;
  savedDisplay: { value: string; priority: string };
  onClick: (ev: Event) => void;
}

// The plugin's rule for ids (plugin/base/text.cpp): 1-64 code points, none of them control (C0,
// DEL, C1), bidi or zero-width characters.
const USER_ID = /^[^\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]{1,64}$/u;

export class App implements PageHost {
  private readonly presence: Presence;
  private readonly loader: MediaLoader;
  private readonly buttons: ButtonWatcher;
  private readonly bound = new Map<HTMLElement, Bound>();
  private readonly broadcasts = new Map<string, LazyBroadcast>();
  private readonly watches = new Map<string, LazyWatch>();
  /** A broadcast button keeps showing how its last broadcast ended (ended/error). */
  private readonly outcomes = new Map<string, { state: ButtonState; detail: EventDetail }>();
  private readonly emitted = new WeakMap<Flow, ButtonState>();
  private readonly reconnecting = new WeakSet<Flow>();
  private readonly listeners = new Map<string, Set<AnyListener>>();

  /** `mediaUrl`: where onair-media.js is (loader.ts); `version`: the one it must have. */
  constructor(readonly config: Config, mediaUrl: string, version: string) {
    const lite = new JanusLite(config.servers);
    this.presence = new Presence(config.site, lite, (changed) => this.onPresence(changed));
    lite.onLost(() => this.presence.connectionLost());
    this.loader = new MediaLoader(mediaUrl, version, (module) => {
      const media = module.start(config);
      this.mediaStarted(media);
      lite.retire();
      return media;
    });
    this.buttons = new ButtonWatcher({
      added: (el, kind) => this.bind(el, kind),
      removed: (el) => this.unbind(el),
      updated: (el, kind) => {
        if (kind === 'watch') this.syncPresenceTargets();
        this.refresh(el);
        this.resumeIfRemembered(el, kind);
      },
    });
  }

  /** One Janus session per page from now on: presence moves to the flows' janus.js session. */
  private mediaStarted(media: MediaSession): void {
    media.connection.onLost(() => {
      for (const flow of this.broadcasts.values()) flow.connectionLost();
      for (const flow of this.watches.values()) flow.connectionLost();
      this.presence.connectionLost();
    });
    this.presence.moveTo(media.connection);
  }

  start(): void {
    if (!this.config.site) console.error(t('configMissingSite'));
    this.buttons.start();
  }

  // ---- public API (window.OnAir) ------------------------------------------------------------

  broadcast(options: BroadcastOptions, resumed = false): Promise<void> {
    const problem = this.checkIdentity(options.user, 'user');
    if (problem) return Promise.reject(problem);
    let flow = this.broadcasts.get(options.user);
    if (flow && !flow.isOver) {
      flow.updateOptions(options);
      return flow.whenLive();
    }
    flow?.dispose();
    this.outcomes.delete(options.user);
    flow = new LazyBroadcast(this, this.loader, options, resumed);
    this.broadcasts.set(options.user, flow);
    this.refreshAll();
    return flow.whenLive();
  }

  watch(options: WatchOptions): Promise<void> {
    const problem = this.checkIdentity(options.user, 'user') ?? this.checkIdentity(options.target, 'target');
    if (problem) return Promise.reject(problem);
    let flow = this.watches.get(options.target);
    if (flow && !flow.isOver) {
      flow.updateOptions(options);
      return flow.whenWatching();
    }
    if (flow) void flow.leave();
    flow = new LazyWatch(this, this.loader, options);
    this.watches.set(options.target, flow);
    this.refreshAll();
    return flow.whenWatching();
  }

  /** Removes an accepted viewer from this page's running broadcast(s). */
  async kick(viewer: string): Promise<void> {
    const running = [...this.broadcasts.values()].filter((f) => !f.isOver);
    if (running.length === 0) throw new OnAirError('bad_options', 'onair.js: kick() needs a running broadcast on this page');
    await Promise.all(running.map((f) => f.kick(String(viewer))));
  }

  /** Stops every broadcast and watch of this page. */
  async stop(): Promise<void> {
    await Promise.all([
      ...[...this.broadcasts.values()].map((f) => f.stop()),
      ...[...this.watches.values()].map((f) => f.leave()),
    ]);
  }

  /** Any name is accepted (an unknown one simply never fires); main.ts types the public face. */
  on(type: string, listener: AnyListener): () => void {
    const name = type.replace(/^onair:/, '');
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  // ---- PageHost -----------------------------------------------------------------------------

  changed(flow: Flow): void {
    if (this.emitted.get(flow) !== flow.state) {
      this.emitted.set(flow, flow.state);
      this.emit(flow.state, this.flowDetail(flow));
    }
    // Reconnecting is not a button state (the button stays live/watching), but it is an event.
    const reconnecting = flow.detail['reconnecting'] === true;
    if (reconnecting !== this.reconnecting.has(flow)) {
      if (reconnecting) {
        this.reconnecting.add(flow);
        this.emit('reconnecting', this.flowDetail(flow));
        this.dispatchOnButtons(flow, 'reconnecting');
      } else {
        this.reconnecting.delete(flow);
      }
    }
    this.refreshAll();
  }

  private dispatchOnButtons(flow: Flow, type: string): void {
    const attribute = flow.role === 'broadcast' ? 'data-onair-user' : 'data-onair-target';
    for (const [el, b] of this.bound) {
      if (b.kind !== flow.role || attr(el, attribute) !== flow.key) continue;
      el.dispatchEvent(new CustomEvent(`onair:${type}`, { bubbles: true, detail: { site: this.config.site, ...this.flowDetail(flow) } }));
    }
  }

  emit<N extends EventName>(type: N, detail: EventDetails[N]): void {
    const payload: OnAirEvent<EventName> = { type, site: this.config.site, ...detail };
    for (const name of [type, '*']) {
      for (const listener of this.listeners.get(name) ?? []) {
        try {
          listener(payload);
        } catch (err) {
          console.error('onair.js: an OnAir.on listener threw', err);
        }
      }
    }
  }

  finished(flow: Flow): void {
    if (flow.role === 'broadcast') {
      if (this.broadcasts.get(flow.key) === flow) this.broadcasts.delete(flow.key);
      this.outcomes.set(flow.key, { state: flow.state, detail: flow.detail });
    } else if (this.watches.get(flow.key) === flow) {
      this.watches.delete(flow.key);
    }
    this.refreshAll();
  }

  // ---- buttons ------------------------------------------------------------------------------

  private bind(el: HTMLElement, kind: ButtonKind): void {
    const onClick = (ev: Event): void => {
      ev.preventDefault();
      this.onButtonClick(el);
    };
    el.addEventListener('click', onClick);
    this.bound.set(el, {
      kind,
      state: null,
      hiddenByUs: false,
      savedDisplay: { value: el.style.getPropertyValue('display'), priority: el.style.getPropertyPriority('display') },
      onClick,
    });
    if (kind === 'watch') this.syncPresenceTargets();
    this.refresh(el);
    this.resumeIfRemembered(el, kind);
  }

  private unbind(el: HTMLElement): void {
    const b = this.bound.get(el);
    if (!b) return;
    el.removeEventListener('click', b.onClick);
    this.setHidden(el, b, false);
    el.removeAttribute('data-onair-state');
    this.bound.delete(el);
    if (b.kind === 'watch') this.syncPresenceTargets();
  }

  /** After a reload: a broadcaster with remembered consent goes live again, a viewer who was
   * watching watches again, both without a click. */
  private resumeIfRemembered(el: HTMLElement, kind: ButtonKind): void {
    const site = this.config.site;
    const user = attr(el, 'data-onair-user');
    if (!site || !user) return;
    if (kind === 'broadcast') {
      if (!this.broadcasts.has(user) && !this.outcomes.has(user) && hasConsent(site, user)) {
        this.broadcast(this.broadcastOptions(el), true).catch(() => undefined);
      }
      return;
    }
    const target = attr(el, 'data-onair-target');
    if (target && !this.watches.has(target) && wasWatching(site, target, user)) {
      this.watch(this.watchOptions(el)).catch(() => undefined);
    }
  }

  private onButtonClick(el: HTMLElement): void {
    const b = this.bound.get(el);
    if (!b) return;
    if (!this.config.site) {
      this.buttonError(el, new OnAirError('bad_options', t('configMissingSite')));
      return;
    }
    // A misconfigured button has no flow to show its error: report it on the button itself.
    const problem = this.checkIdentity(attr(el, 'data-onair-user'), 'data-onair-user') ??
      (b.kind === 'watch' ? this.checkIdentity(attr(el, 'data-onair-target'), 'data-onair-target') : null);
    if (problem) {
      this.buttonError(el, problem);
      return;
    }
    if (b.kind === 'broadcast') {
      const flow = this.broadcasts.get(attr(el, 'data-onair-user'));
      if (flow && !flow.isOver) void flow.stop();
      else this.broadcast(this.broadcastOptions(el)).catch(() => undefined);
      return;
    }
    const flow = this.watches.get(attr(el, 'data-onair-target'));
    if (flow && !flow.isOver) void flow.leave();
    else this.watch(this.watchOptions(el)).catch(() => undefined);
  }

  private broadcastOptions(el: HTMLElement): BroadcastOptions {
    return { user: attr(el, 'data-onair-user'), token: attr(el, 'data-onair-token'), name: attr(el, 'data-onair-name') };
  }

  private watchOptions(el: HTMLElement): WatchOptions {
    return {
      target: attr(el, 'data-onair-target'),
      user: attr(el, 'data-onair-user'),
      token: attr(el, 'data-onair-token'),
      targetName: attr(el, 'data-onair-name'),
      name: attr(el, 'data-onair-viewer-name'),
    };
  }

  private checkIdentity(value: string, field: string): OnAirError | null {
    if (!this.config.site) return new OnAirError('bad_options', t('configMissingSite'));
    if (typeof value !== 'string' || !USER_ID.test(value)) {
      const message = `onair.js: "${field}" must be 1–64 characters without control, bidi or zero-width characters (got ${JSON.stringify(value)})`;
      console.error(message);
      return new OnAirError('bad_options', message);
    }
    return null;
  }

  private buttonError(el: HTMLElement, error: OnAirError): void {
    const b = this.bound.get(el);
    if (!b) return;
    b.state = 'error';
    el.setAttribute('data-onair-state', 'error');
    const role = b.kind;
    el.dispatchEvent(new CustomEvent('onair:error', {
      bubbles: true,
      detail: { site: this.config.site, role, state: 'error', code: error.code, message: error.message },
    }));
  }

  private syncPresenceTargets(): void {
    const targets = new Set<string>();
    for (const [el, b] of this.bound) {
      const target = attr(el, 'data-onair-target');
      if (b.kind === 'watch' && target) targets.add(target);
    }
    if (this.config.site) this.presence.setTargets(targets);
  }

  private onPresence(changed: Map<string, boolean>): void {
    for (const [target, live] of changed) this.emit('presence', { role: 'watch', target, live });
    this.refreshAll();
  }

  private refreshAll(): void {
    for (const el of this.bound.keys()) this.refresh(el);
  }

  private flowDetail(flow: Flow): StateDetail {
    return flow.role === 'broadcast'
      ? { role: 'broadcast', user: flow.key, state: flow.state, ...flow.detail }
      : { role: 'watch', target: flow.key, state: flow.state, ...flow.detail };
  }

  /** Computes a button's state and visibility; fires `onair:<state>` on a change. */
  private refresh(el: HTMLElement): void {
    const b = this.bound.get(el);
    if (!b) return;
    let state: ButtonState;
    let detail: StateDetail;
    let hidden = false;
    if (b.kind === 'broadcast') {
      const user = attr(el, 'data-onair-user');
      const flow = this.broadcasts.get(user);
      const outcome = this.outcomes.get(user);
      if (flow) {
        state = flow.state;
        detail = this.flowDetail(flow);
      } else if (outcome) {
        state = outcome.state;
        detail = { role: 'broadcast', user, state, ...outcome.detail };
      } else {
        state = 'offline';
        detail = { role: 'broadcast', user, state };
      }
    } else {
      const target = attr(el, 'data-onair-target');
      const flow = this.watches.get(target);
      if (flow) {
        state = flow.state;
        detail = this.flowDetail(flow);
        // A finished watch leaves its player open for the message, but the button follows the
        // target's presence again: once the broadcast is over there is nothing left to watch.
        if (state === 'ended' || state === 'declined') hidden = this.presence.isLive(target) !== true;
      } else {
        const live = this.presence.isLive(target) === true;
        state = live ? 'live' : 'offline';
        detail = { role: 'watch', target, state, live };
        hidden = !live;
      }
    }
    this.setHidden(el, b, hidden);
    if (b.state === state) return;
    b.state = state;
    el.setAttribute('data-onair-state', state);
    el.dispatchEvent(new CustomEvent(`onair:${state}`, { bubbles: true, detail: { site: this.config.site, ...detail } }));
  }

  /** `hidden` alone loses to site CSS such as `button { display: inline-flex }`. */
  private setHidden(el: HTMLElement, b: Bound, hidden: boolean): void {
    if (hidden === b.hiddenByUs) return;
    b.hiddenByUs = hidden;
    if (hidden) {
      el.hidden = true;
      el.style.setProperty('display', 'none', 'important');
    } else {
      el.hidden = false;
      if (b.savedDisplay.value) el.style.setProperty('display', b.savedDisplay.value, b.savedDisplay.priority);
      else el.style.removeProperty('display');
    }
  }
}

function attr(el: HTMLElement, name: string): string {
  return (el.getAttribute(name) ?? '').trim();
}
