// SPDX-License-Identifier: GPL-3.0-or-later
// One Janus session per page, opened on first need and shared by every plugin handle (presence,
// the broadcaster, each watched target). When the server goes away the session is dropped and
// listeners are told, so each flow can start over on a fresh session.
import adapter from 'webrtc-adapter';
import Janus, { type AttachOptions, type Jsep, type PluginHandle, type TrackSpec } from 'janus-gateway';
import type { Config } from './config';
import { asOnAirError, clientError, synchronousRefusal } from './errors';
import { PLUGIN_NAME, parsePluginMessage, type PluginEvent } from './protocol';
import { tapTransports, transactionOf, transactionOfSend } from './transactions';

let initialised: Promise<void> | null = null;

function initJanus(debug: boolean): Promise<void> {
  initialised ??= new Promise<void>((resolve) => {
    Janus.init({
      debug: debug ? 'all' : false,
      dependencies: tapTransports(Janus.useDefaultDependencies({ adapter })),
      callback: resolve,
    });
  });
  return initialised;
}

export interface ChannelListener {
  /** `transaction`: the Janus transaction of the request the event answers; none for a notification. */
  onEvent(event: PluginEvent, jsep: Jsep | undefined, transaction: string | undefined): void;
  onWebrtcState?(up: boolean, reason?: string): void;
  onIceState?(state: RTCIceConnectionState): void;
  onRemoteTrack?(track: MediaStreamTrack, on: boolean): void;
  onCleanup?(): void;
  onDetached?(): void;
}

export class Connection {
  private session: Promise<Janus> | null = null;
  /** The established session, for the synchronous teardown at `pagehide`. */
  private established: Janus | null = null;
  private leaving = false;
  private readonly lostListeners = new Set<() => void>();
  /** The very array janus.js was constructed with: it reads it again for every PeerConnection it
   * creates, so the plugin's servers are filled in here, in place. */
  readonly iceServers: RTCIceServer[];

  constructor(private readonly config: Config) {
    this.iceServers = [...config.iceServers];
    // janus.js would destroy the session at `beforeunload` (destroyOnUnload), which is no
    // goodbye: a site may cancel it ("Leave site?"), and on a reload the page runs on for the
    // whole fetch of the next one. On a dead session its flows took every refused request for a
    // real failure, and a failed broadcast forgets the consent cookie the reload resumes from.
    // `pagehide` is final, so the session ends there.
    window.addEventListener('pagehide', () => this.pageHidden());
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) this.pageRestored();
    });
  }

  /** The page is going away: flows neither fail nor reconnect nor change what a reload reads. */
  get pageLeaving(): boolean {
    return this.leaving;
  }

  private pageHidden(): void {
    this.leaving = true;
    const janus = this.established;
    this.established = null;
    this.session = null;
    // Closes the WebSocket (or beacons the destroy): Janus detaches the handles at once, and the
    // plugin keeps the broadcast for the reloaded page to resume.
    janus?.destroy({ unload: true, notifyDestroyed: false });
  }

  /** Back from the back/forward cache with the session destroyed at `pagehide`: flows start over
   * as after a lost connection. */
  private pageRestored(): void {
    if (!this.leaving) return;
    this.leaving = false;
    for (const listener of [...this.lostListeners]) listener();
  }

  /** The plugin's STUN/TURN servers (with fresh TURN credentials) first, then the page's own
   * `data-ice-servers`, for every PeerConnection created from now on. */
  useIceServers(fromPlugin: RTCIceServer[]): void {
    this.iceServers.splice(0, this.iceServers.length, ...fromPlugin, ...this.config.iceServers);
  }

  /** Called once per lost session; the session is already forgotten when it runs. */
  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private open(): Promise<Janus> {
    if (this.leaving) return Promise.reject(clientError('connection_lost', 'connectionGone', 'the page is closing'));
    if (this.session) return this.session;
    const attempt = (async () => {
      await initJanus(this.config.debug);
      if (!Janus.isWebrtcSupported()) throw clientError('webrtc_unsupported', 'webrtcUnsupported');
      return await new Promise<Janus>((resolve, reject) => {
        let established = false;
        const janus: Janus = new Janus({
          server: this.config.servers,
          iceServers: this.iceServers,
          destroyOnUnload: false,
          success: () => {
            established = true;
            this.established = janus;
            resolve(janus);
          },
          error: (message: string) => {
            if (!established) {
              reject(clientError('server_unreachable', 'serverUnreachable', message));
              return;
            }
            // janus.js reports a dropped WebSocket / failed long poll here after success. The
            // session's PeerConnections lead to a server that forgot them: closed here (locally,
            // no requests), not left `failed` until the page closes; flows attach anew.
            if (this.session === attempt) this.session = null;
            if (this.established === janus) this.established = null;
            janus.destroy({ cleanupHandles: true, notifyDestroyed: false });
            for (const listener of [...this.lostListeners]) listener();
          },
        });
      });
    })();
    this.session = attempt;
    // A failed attempt must not stick: the next click tries again.
    attempt.catch(() => {
      if (this.session === attempt) this.session = null;
    });
    return attempt;
  }

  /** Attaches a new janus.plugin.onair handle with `listener` receiving its events. */
  async attach(listener: ChannelListener): Promise<Channel> {
    const janus = await this.open();
    return await new Promise<Channel>((resolve, reject) => {
      const options: AttachOptions = {
        plugin: PLUGIN_NAME,
        opaqueId: `onair-${Math.random().toString(36).slice(2, 12)}`,
        success: (handle) => resolve(new Channel(handle)),
        // Janus answers 460 when the plugin is not loaded: a server set-up problem, not a network one.
        error: (message) => reject(/\b460\b/.test(message)
          ? clientError('server_misconfigured', 'serverMisconfigured', message)
          : clientError('server_unreachable', 'serverUnreachable', message)),
        onmessage: (message, jsep) => {
          const event = parsePluginMessage(message);
          if (event) listener.onEvent(event, jsep, transactionOf(message));
        },
        webrtcState: (up, reason) => listener.onWebrtcState?.(up, reason),
        iceState: (state) => listener.onIceState?.(state),
        onremotetrack: (track, _mid, on) => listener.onRemoteTrack?.(track, on),
        oncleanup: () => listener.onCleanup?.(),
        ondetached: () => listener.onDetached?.(),
      };
      janus.attach(options);
    });
  }
}

/** A request handed to Janus. */
export interface SentRequest {
  /** The Janus transaction its answer comes on ('' when it was not sent). */
  readonly transaction: string;
  /** Resolves when Janus acknowledged it. Rejects when it could not be delivered, and with the
   * plugin's error when the plugin refused it synchronously (551: too many messages of this
   * handle still waiting), because then no event follows. */
  readonly delivered: Promise<void>;
}

/** A janus.plugin.onair handle with promise-returning helpers. */
export class Channel {
  private closed = false;

  constructor(private readonly handle: PluginHandle) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request; the plugin answers it asynchronously, as an event on its transaction. */
  send(message: Record<string, unknown>, jsep?: Jsep): SentRequest {
    let transaction = '';
    const delivered = new Promise<void>((resolve, reject) => {
      if (this.closed) {
        reject(clientError('connection_lost', 'connectionGone', 'handle closed'));
        return;
      }
      transaction = transactionOfSend(() => this.handle.send({
        message,
        ...(jsep ? { jsep } : {}),
        success: (data?: unknown) => {
          const refusal = synchronousRefusal(data);
          if (refusal) reject(refusal);
          else resolve();
        },
        error: (error) => reject(clientError('connection_lost', 'connectionGone', error)),
      }));
    });
    return { transaction, delivered };
  }

  /** `tracks` adds media to the handle's PeerConnection; an ICE restart of an existing one passes
   * none (janus.js would add the tracks a second time). */
  createOffer(tracks: TrackSpec[], iceRestart = false): Promise<Jsep> {
    return new Promise<Jsep>((resolve, reject) => {
      this.handle.createOffer({ tracks, ...(iceRestart ? { iceRestart } : {}), success: resolve, error: (e) => reject(asOnAirError(e)) });
    });
  }

  createAnswer(jsep: Jsep, tracks: TrackSpec[]): Promise<Jsep> {
    return new Promise<Jsep>((resolve, reject) => {
      this.handle.createAnswer({ jsep, tracks, success: resolve, error: (e) => reject(asOnAirError(e)) });
    });
  }

  acceptAnswer(jsep: Jsep): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.handle.handleRemoteJsep({ jsep, success: () => resolve(), error: (e) => reject(asOnAirError(e)) });
    });
  }

  /** Closes the PeerConnection locally (no Janus `hangup` request: the plugin learns it from
   * the protocol request that preceded, or from the detach). */
  hangup(): void {
    if (!this.closed) this.handle.hangup(false);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.detach({ error: () => undefined });
  }
}
