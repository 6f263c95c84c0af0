// SPDX-License-Identifier: GPL-3.0-or-later
// What a broadcast or watch flow needs from the page-level controller, and the connection
// lifecycle both share: a generation-guarded plugin handle, promises waiting for a state, the
// pairing of plugin answers with requests, and reconnection with backoff until it gives up.
import type { Jsep } from 'janus-gateway';
import type { Config } from './config';
import type { ChannelListener, Channel, Connection } from './connection';
import { OnAirError, asOnAirError, clientError } from './errors';
import { t } from './i18n';
import type { FlowFields, NoticeDetails } from './events';
import { Heartbeat } from './heartbeat';
import { IceWatchdog } from './ice';
import { str, type PluginEvent } from './protocol';

export type ButtonState = 'offline' | 'live' | 'requesting' | 'watching' | 'declined' | 'ended' | 'error';

export type EventDetail = FlowFields;

/** What a flow needs of the page-level controller (app.ts, in onair.js). */
export interface PageHost {
  readonly config: Config;
  /** The flow's state or detail changed: update buttons, fire events. */
  changed(flow: Flow): void;
  /** A notification that is not a state (watch_request, viewer_joined, …). */
  emit<N extends keyof NoticeDetails>(type: N, detail: NoticeDetails[N]): void;
  /** The flow is over and its UI closed: forget it. */
  finished(flow: Flow): void;
}

/** A flow's host in onair-media.js: the page's, with the page's one janus.js session. */
export interface FlowHost extends PageHost {
  readonly connection: Connection;
}

export interface Flow {
  readonly role: 'broadcast' | 'watch';
  /** The user id (broadcast) or target id (watch) buttons are matched by. */
  readonly key: string;
  readonly state: ButtonState;
  readonly detail: EventDetail;
}

/** How long a flow keeps trying to get its signaling back before it gives up and says so. */
export const GIVE_UP_MS = 120_000;

/** How long a hung-up PeerConnection waits for the plugin's explanation before reconnecting. */
export const MEDIA_DOWN_GRACE_MS = 1500;

/** ICE restarts of the relay PeerConnection before a new handle is tried instead. */
const MAX_ICE_RESTARTS = 3;

/** 1 s, 2 s, 4 s … capped at 15 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(15000, 1000 * 2 ** Math.min(attempt, 4));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

/** Requests whose refusal concerns one detail (a candidate, a heartbeat), not the flow: logged. */
const softRequests = new Set(['heartbeat', 'signal', 'ice_restart', 'leave']);

/** The shared lifecycle; subclasses add the role's requests, events and media. */
export abstract class SessionFlow implements Flow {
  abstract readonly role: 'broadcast' | 'watch';
  state: ButtonState = 'requesting';
  detail: EventDetail = {};

  protected channel: Channel | null = null;
  /** Bumped on every (re)connection so callbacks of an abandoned handle are ignored. */
  protected generation = 0;
  protected over = false;
  /** Stop/leave in progress: no reconnection any more. */
  protected closing = false;
  protected finalError: OnAirError | null = null;
  protected readonly heartbeat: Heartbeat;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: OnAirError) => void }> = [];
  /** The names of requests the plugin has not answered yet, by Janus transaction: it answers
   * each on the request's own (docs/protocol.md), in whatever order the requests finish. */
  private readonly outstanding = new Map<string, string>();
  /** The connection is being restored. */
  private outage = false;
  /** The relay PeerConnection lost its path (ICE disconnected or failed) while signaling is up. */
  private mediaPathDown = false;
  private attempt = 0;
  private retryScheduled = false;
  private giveUpTimer = 0;
  private readonly relayWatchdog = new IceWatchdog(() => this.restartRelayIce());
  private relayIceRestarts = 0;
  /** An offer of the relay PeerConnection (ours or the plugin's) waits for its answer. */
  private relayNegotiating = false;
  /** An ICE restart came due while an offer waited: it follows that offer's answer. */
  private relayRestartDue = false;

  protected constructor(protected readonly host: FlowHost, readonly key: string, label: string) {
    this.heartbeat = new Heartbeat(
      () => (this.channel ? this.request({ request: 'heartbeat', peers: this.connectedPeers() }) : null),
      label,
    );
  }

  get isOver(): boolean {
    return this.over;
  }

  get reconnecting(): boolean {
    return this.outage;
  }

  /** What the page sees as reconnecting (detail, event): signaling or the relay media path. */
  private get restoring(): boolean {
    return this.outage || this.mediaPathDown;
  }

  /** After `pagehide` nothing is a failure and nothing reconnects: what is stored stays as the
   * next page (a reload) expects to find it. */
  protected get pageLeaving(): boolean {
    return this.host.connection.pageLeaving;
  }

  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.fail(asOnAirError(err));
    }
  }

  // ---- hooks --------------------------------------------------------------------------------

  /** The role's first request on a fresh handle (`broadcast` / `watch`). */
  protected abstract begin(): Promise<void>;
  protected abstract onEvent(event: PluginEvent & { kind: 'result' }, jsep: Jsep | undefined): void;
  /** Pairing ids of this side's direct connections whose ICE is up: a heartbeat names them, and
   * the plugin bills a direct pair only while both ends do (docs/protocol.md, `heartbeat`). */
  protected connectedPeers(): string[] {
    return [];
  }
  /** A refused request that is not a soft one: usually ends the flow. */
  protected abstract onRefused(request: string, code: number, text: string): void;
  /** Whether a lost connection may be restored without asking anyone again. */
  protected abstract canResume(): boolean;
  /** Show or hide "reconnecting" in the flow's card. */
  protected abstract showReconnecting(on: boolean): void;
  /** Sends what restarts the relay PeerConnection's ICE: the broadcaster's own offer, or the
   * viewer's request for one from the plugin. */
  protected abstract startRelayIceRestart(): void;
  /** Whether the relay PeerConnection carries the media now (a viewer may play a direct one). */
  protected relayCarriesMedia(): boolean {
    return true;
  }
  /** The relay media path came up, or went down while the media flowed: the role's card. */
  protected onRelayPath(_up: boolean): void {}
  /** A track of the relay PeerConnection came or went. */
  protected onRelayTrack(_track: MediaStreamTrack, _on: boolean): void {}
  /** Janus hung up the relay PeerConnection and no `ended` explained it. */
  protected onRelayHungUp(): void {}
  abstract fail(error: OnAirError): void;

  // ---- connection ---------------------------------------------------------------------------

  protected async connect(): Promise<void> {
    const generation = ++this.generation;
    this.heartbeat.stop(); // until the new handle is live/watching again
    this.outstanding.clear();
    const channel = await this.host.connection.attach(this.listener(generation));
    if (generation !== this.generation || this.over) {
      channel.close();
      return;
    }
    this.channel = channel;
    await this.begin();
  }

  private listener(generation: number): ChannelListener {
    const current = (): boolean => generation === this.generation && !this.over;
    return {
      onEvent: (event, jsep, transaction) => {
        if (current()) this.dispatch(event, jsep, transaction);
      },
      onIceState: (state) => {
        if (current()) this.relayIceChanged(state);
      },
      onWebrtcState: (up) => {
        if (up) return;
        window.setTimeout(() => {
          if (current() && !this.closing) this.onRelayHungUp();
        }, MEDIA_DOWN_GRACE_MS);
      },
      onRemoteTrack: (track, on) => {
        if (current()) this.onRelayTrack(track, on);
      },
    };
  }

  private dispatch(event: PluginEvent, jsep: Jsep | undefined, transaction: string | undefined): void {
    const request = transaction === undefined ? '' : this.outstanding.get(transaction) ?? '';
    if (transaction !== undefined) this.outstanding.delete(transaction);
    if (event.kind === 'error') {
      if (softRequests.has(request)) {
        console.warn(`onair.js: ${this.role} ${request} refused (${event.code} ${event.message})`);
        return;
      }
      this.onRefused(request, event.code, event.message);
      return;
    }
    if (event.event === 'heartbeat') return;
    this.onEvent(event, jsep);
  }

  /** Sends a request on the current handle; its answer arrives as an event. */
  protected async request(body: Record<string, unknown>, jsep?: Jsep): Promise<void> {
    const channel = this.channel;
    if (!channel) throw clientError('connection_lost', 'connectionGone');
    const sent = channel.send(body, jsep);
    // Before any event can arrive: janus.js dispatches events from later tasks.
    if (sent.transaction) this.outstanding.set(sent.transaction, String(body['request']));
    try {
      await sent.delivered;
    } catch (err) {
      // Undelivered or refused at once: the plugin will not answer it.
      this.outstanding.delete(sent.transaction);
      throw err;
    }
  }

  /** The Janus session is gone (server restart, network): start over on a new one. */
  connectionLost(): void {
    if (this.over || this.closing) return;
    this.channel = null;
    this.reconnect();
  }

  /** Drops the handle and attaches a new one after a backoff; gives up after GIVE_UP_MS. */
  protected reconnect(): void {
    if (this.over || this.closing || this.pageLeaving) return;
    if (!this.canResume()) {
      this.fail(clientError('connection_lost', 'serverUnreachable'));
      return;
    }
    this.generation++;
    const old = this.channel;
    this.channel = null;
    this.outstanding.clear();
    this.heartbeat.stop();
    this.relayWatchdog.stop();
    this.relayIceRestarts = 0;
    this.relayNegotiating = false;
    this.relayRestartDue = false;
    old?.hangup();
    old?.close();
    this.mediaPathDown = false; // that PeerConnection is gone; the outage speaks for the new one
    if (!this.outage) {
      this.outage = true;
      this.setReconnecting(true);
      // Also when a new handle is attached but the broadcast never comes back on it.
      this.giveUpTimer = window.setTimeout(() => {
        if (this.reconnecting) this.fail(clientError('connection_lost', 'connectionGone', `not restored within ${GIVE_UP_MS / 1000} s`));
      }, GIVE_UP_MS);
    }
    if (this.retryScheduled) return;
    this.retryScheduled = true;
    void delay(backoffDelay(this.attempt++)).then(async () => {
      this.retryScheduled = false;
      if (this.over || this.closing) return;
      try {
        await this.connect();
      } catch {
        this.reconnect();
      }
    });
  }

  /** Media and signaling are back: the next outage starts a fresh backoff. */
  protected recovered(): void {
    this.attempt = 0;
    if (!this.outage) return;
    this.outage = false;
    window.clearTimeout(this.giveUpTimer);
    this.setReconnecting(false);
  }

  private setReconnecting(on: boolean): void {
    this.showReconnecting(on);
    this.setState(this.state, { reconnecting: this.restoring });
  }

  /** The relay media path is being restored (ICE restart) while signaling works: for the page it
   * is reconnecting as during a server outage (detail and event), though the card says so itself. */
  protected setMediaPathDown(down: boolean): void {
    if (this.mediaPathDown === down || this.over) return;
    this.mediaPathDown = down;
    this.setState(this.state, { reconnecting: this.restoring });
  }

  // ---- relay ICE ---------------------------------------------------------------------------

  private relayIceChanged(state: RTCIceConnectionState): void {
    if (!this.relayCarriesMedia()) {
      this.setMediaPathDown(false); // the picture comes directly: the relay's path does not matter
      return;
    }
    this.relayWatchdog.update(state);
    if (state === 'connected' || state === 'completed') {
      this.relayIceRestarts = 0;
      this.setMediaPathDown(false);
      this.onRelayPath(true);
    } else if ((state === 'disconnected' || state === 'failed') && (this.state === 'live' || this.state === 'watching')) {
      this.onRelayPath(false);
      this.setMediaPathDown(true);
    }
  }

  /** The watchdog's call: an ICE restart, or a new handle after MAX_ICE_RESTARTS of them. */
  private restartRelayIce(): void {
    if (this.over || this.closing || !this.channel || !this.relayCarriesMedia()) return;
    if (this.relayIceRestarts++ >= MAX_ICE_RESTARTS) {
      this.relayWatchdog.stop();
      this.reconnect();
      return;
    }
    // One negotiation at a time: a restart offer while the last offer still waits for its answer
    // would meet that late answer in state `stable` ("Cannot set remote answer").
    if (this.relayNegotiating) {
      this.relayRestartDue = true;
      return;
    }
    this.startRelayIceRestart();
  }

  /** An offer of the relay PeerConnection went out or came in. */
  protected relayNegotiationStarted(): void {
    this.relayNegotiating = true;
  }

  /** That offer is answered: a restart that came due meanwhile goes out now. */
  protected relayNegotiationEnded(): void {
    this.relayNegotiating = false;
    if (!this.relayRestartDue || this.over || !this.channel) return;
    this.relayRestartDue = false;
    this.startRelayIceRestart();
  }

  // ---- state --------------------------------------------------------------------------------

  /** Resolves once the flow reaches `target`; rejects with the error the widget shows. */
  protected whenState(target: ButtonState): Promise<void> {
    if (this.state === target) return Promise.resolve();
    if (this.over) return Promise.reject(this.finalError ?? new OnAirError(this.state, str(this.detail['message']) || t('endedStopped')));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  protected setState(state: ButtonState, detail: EventDetail): void {
    this.state = state;
    this.detail = { ...this.detail, ...detail };
    this.host.changed(this);
  }

  protected settleWaiters(error?: OnAirError): void {
    for (const w of this.waiters.splice(0)) {
      if (error) w.reject(error);
      else w.resolve();
    }
  }

  /** Common end: the handle goes, promises settle, the final state is reported. Subclasses
   * release their media first. */
  protected finishSession(state: ButtonState, detail: EventDetail, error?: OnAirError): void {
    this.over = true;
    this.outage = false;
    this.mediaPathDown = false;
    window.clearTimeout(this.giveUpTimer);
    this.generation++;
    this.heartbeat.stop();
    this.relayWatchdog.stop();
    const channel = this.channel;
    this.channel = null;
    channel?.hangup();
    channel?.close();
    this.setState(state, { ...detail, reconnecting: false });
    this.finalError = error ?? this.finalError ??
      new OnAirError(str(detail['reason'], state), str(detail['message']) || t('endedStopped'));
    this.settleWaiters(this.finalError);
  }
}
