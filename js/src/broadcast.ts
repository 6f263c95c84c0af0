// SPDX-License-Identifier: GPL-3.0-or-later
// The broadcaster's side: register (or resume) the broadcast, capture the camera, publish to the
// relay and/or send directly to peer-to-peer viewers, answer watch prompts, stop. Survives reloads
// (consent cookie), ICE drops (ICE restart) and connection drops (re-register: the plugin resumes
// the same broadcast and keeps the viewers; direct connections keep running meanwhile).
import type { Jsep, TrackSpec } from 'janus-gateway';
import { mediaError } from './camera_errors';
import { DirectPeer } from './direct';
import { endedMessage } from './ended';
import { OnAirError, asOnAirError, clientError, pluginError } from './errors';
import { SessionFlow, type EventDetail, type FlowHost } from './flow';
import { iceServerList, iceSettings, type IceSettings } from './ice';
import { bool, identityMembers, num, people, person, str, type PluginEvent } from './protocol';
import { forgetConsent, rememberConsent } from './storage';
import type { PreviewView } from './ui/preview';

export interface BroadcastOptions {
  user: string;
  token?: string;
  name?: string;
}

/** A direct connection whose ICE restart did not bring it back within this is rebuilt. */
const RESTART_PATIENCE_MS = 8000;

export class Broadcast extends SessionFlow {
  readonly role = 'broadcast';

  private stream: MediaStream | null = null;
  private audio = false;
  private simulcast = false;
  /** Publish to Janus (sfu, auto after `relay_needed`) rather than only to direct viewers. */
  private relay = true;
  private viewers = 0;
  private everLive = false;
  private stopping: (() => void) | null = null;
  /** Direct (peer-to-peer) connections by viewer user id. */
  private readonly peers = new Map<string, DirectPeer>();
  /** From `registered`; heartbeats run while live (evidence for airtime accounting). */
  private heartbeatInterval: unknown;

  /** `view`: the preview the page opened while onair-media.js loaded (lazy_flows.ts), whose
   * buttons lead here. */
  constructor(host: FlowHost, private options: BroadcastOptions, private readonly resumed: boolean, private readonly view: PreviewView) {
    super(host, options.user, 'broadcast');
    this.setState('requesting', { resumed });
  }

  /** Resolves once live; rejects with the error the widget shows. */
  whenLive(): Promise<void> {
    return this.whenState('live');
  }

  /** A newer click/API call for the same user refreshes the identity used on reconnects. */
  updateOptions(options: BroadcastOptions): void {
    this.options = { ...this.options, ...options };
  }

  protected async begin(): Promise<void> {
    await this.request({
      request: 'broadcast',
      site: this.host.config.site,
      user: this.options.user,
      ...identityMembers(this.options),
    });
  }

  protected canResume(): boolean {
    return this.everLive || this.resumed;
  }

  protected showReconnecting(on: boolean): void {
    if (on) this.view.setState('reconnecting');
    else if (this.state === 'live') this.view.setState('live');
  }

  protected onEvent(event: PluginEvent & { kind: 'result' }, jsep: Jsep | undefined): void {
    const data = event.data;
    switch (event.event) {
      case 'registered':
        this.audio = bool(data['audio']);
        this.simulcast = bool(data['simulcast']);
        // Without `relay` (an older plugin) every broadcast is relayed.
        this.relay = data['relay'] === undefined ? true : bool(data['relay']);
        this.host.connection.useIceServers(iceServerList(data['ice_servers']));
        this.viewers = people(data['viewers']).length;
        this.view.setViewers(this.viewers);
        this.view.setStartedAt(num(data['started_at']));
        this.heartbeatInterval = data['heartbeat_interval'];
        this.detail = { ...this.detail, broadcastId: str(data['broadcast_id']), resumed: bool(data['resumed']), media: str(data['media'], 'sfu') };
        this.reconcilePeers(data);
        void this.publish();
        break;
      case 'publishing':
        if (jsep) void this.acceptRelayAnswer(jsep);
        break;
      case 'live':
        this.everLive = true;
        this.recovered();
        rememberConsent(this.host.config.site, this.options.user);
        this.view.showMessage(null);
        this.view.setState('live');
        this.heartbeat.start(this.heartbeatInterval);
        this.setState('live', { viewers: this.viewers });
        this.settleWaiters();
        break;
      case 'relay_needed':
        // A second viewer in `auto`: publish to the relay while direct viewers keep watching.
        if (!this.relay) {
          this.relay = true;
          void this.publishRelay();
        }
        break;
      case 'peer':
        void this.pair(str(data['peer']), person(data['viewer']).user, iceSettings(data));
        break;
      case 'signal':
        void this.onSignal(str(data['peer']), data);
        break;
      case 'watch_request': {
        const requestId = str(data['request_id']);
        const viewer = person(data['viewer']);
        const expiresIn = num(data['expires_in'], 30);
        this.view.addPrompt(requestId, viewer, expiresIn);
        this.host.emit('watch_request', { role: 'broadcast', user: this.key, requestId, viewer, expiresIn });
        break;
      }
      case 'request_expired':
      case 'request_cancelled':
      case 'answered':
        this.view.removePrompt(str(data['request_id']));
        // The case labels above make the name one of the two notices.
        if (event.event !== 'answered') this.host.emit(event.event as 'request_expired' | 'request_cancelled', { role: 'broadcast', user: this.key, requestId: str(data['request_id']) });
        break;
      case 'viewer_joined':
      case 'viewer_left':
        this.viewers = num(data['viewers'], this.viewers);
        this.view.setViewers(this.viewers);
        this.host.emit(event.event as 'viewer_joined' | 'viewer_left', { role: 'broadcast', user: this.key, viewer: person(data['viewer']), viewers: this.viewers });
        this.setState(this.state, { viewers: this.viewers });
        break;
      case 'kicked':
        // Closed here whether or not the plugin's `bye` for it arrives.
        this.closePeer(str(data['viewer']));
        break;
      case 'ended':
        this.onEnded(str(data['reason'], 'stopped'));
        break;
      default:
        break;
    }
  }

  protected onRefused(request: string, code: number, text: string): void {
    // A failed answer or kick concerns one prompt or viewer, not the broadcast.
    if (request === 'answer' || request === 'kick') {
      this.view.showMessage(pluginError(code, text).message);
      window.setTimeout(() => this.view.showMessage(null), 5000);
      return;
    }
    if (request === 'stop' || this.stopping) {
      this.stopping?.();
      return;
    }
    this.fail(pluginError(code, text));
  }

  // ---- media --------------------------------------------------------------------------------

  private async acquireMedia(): Promise<MediaStream> {
    const reusable = this.stream?.getVideoTracks().some((tr) => tr.readyState === 'live') &&
      (!this.audio || this.stream.getAudioTracks().some((tr) => tr.readyState === 'live'));
    if (this.stream && reusable) return this.stream;
    this.releaseMedia();
    if (!navigator.mediaDevices?.getUserMedia) {
      throw mediaError(Object.assign(new Error('navigator.mediaDevices is unavailable (insecure context?)'), { name: 'SecurityError' }));
    }
    try {
      // 1280x720 lets Chrome send all three simulcast layers (it drops layers at lower sizes).
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
        audio: this.audio ? { echoCancellation: true, noiseSuppression: true } : false,
      });
      for (const track of stream.getVideoTracks()) {
        track.addEventListener('ended', () => this.onCameraStopped());
      }
      return stream;
    } catch (err) {
      throw mediaError(err);
    }
  }

  /** After `registered`: the camera, then the relay offer, or "my camera runs" (direct). */
  private async publish(): Promise<void> {
    const generation = this.generation;
    let stream: MediaStream;
    try {
      stream = await this.acquireMedia();
    } catch (err) {
      if (generation !== this.generation) return;
      // Tell the plugin at once rather than letting publish_timeout expire.
      this.request({ request: 'stop' }).catch(() => undefined);
      this.fail(asOnAirError(err));
      return;
    }
    if (generation !== this.generation || this.over) return;
    this.stream = stream;
    this.view.setStream(stream);
    if (this.relay) {
      await this.publishRelay();
      return;
    }
    this.request({ request: 'publish' }).catch((err: unknown) => {
      if (generation === this.generation) this.fail(asOnAirError(err));
    });
  }

  /** Publishes to Janus; `iceRestart` renegotiates the existing PeerConnection with new ICE
   * credentials instead of adding the tracks. */
  private async publishRelay(iceRestart = false): Promise<void> {
    const generation = this.generation;
    try {
      if (!this.channel) throw clientError('connection_lost', 'connectionGone');
      const tracks: TrackSpec[] = [];
      if (!iceRestart && this.stream) {
        for (const track of this.stream.getVideoTracks().slice(0, 1)) {
          tracks.push({ type: 'video', capture: track, recv: false, dontStop: true, ...(this.simulcast ? { simulcast: true } : {}) });
        }
        for (const track of this.stream.getAudioTracks().slice(0, 1)) tracks.push({ type: 'audio', capture: track, recv: false, dontStop: true });
      }
      this.relayNegotiationStarted();
      const offer = await this.channel.createOffer(tracks, iceRestart);
      if (generation !== this.generation || this.over) return;
      await this.request({ request: 'publish' }, offer);
    } catch (err) {
      if (generation !== this.generation || this.over) return;
      if (iceRestart) this.reconnect();
      else this.fail(asOnAirError(err));
    }
  }

  protected override onRelayPath(up: boolean): void {
    if (!up) this.view.setState('reconnecting');
    else if (this.state === 'live' && !this.reconnecting) this.view.setState('live');
  }

  /** The relay's answer to our offer; a restart that came due meanwhile goes out now. */
  private async acceptRelayAnswer(jsep: Jsep): Promise<void> {
    const generation = this.generation;
    try {
      await this.channel?.acceptAnswer(jsep);
    } catch (err) {
      if (generation === this.generation) this.fail(asOnAirError(err));
      return;
    }
    if (generation !== this.generation || this.over) return;
    this.relayNegotiationEnded();
  }

  /** A new offer with new ICE credentials on the same PeerConnection. */
  protected startRelayIceRestart(): void {
    void this.publishRelay(true);
  }

  /** Janus hung up our PeerConnection and no `ended` explains it: publish again. */
  protected override onRelayHungUp(): void {
    if (this.state === 'live' && this.relay) this.reconnect();
  }

  // ---- direct viewers -----------------------------------------------------------------------

  /** A (re-)paired direct viewer. A connection to the same viewer that still works is kept under
   * the new pairing id (the pair is re-made after every reconnect of either side). */
  private async pair(peerId: string, viewer: string, ice: IceSettings): Promise<void> {
    const existing = this.peers.get(viewer);
    if (existing?.alive) {
      existing.peer = peerId;
      return;
    }
    existing?.close();
    const stream = this.stream ?? await this.acquireMedia().catch(() => null);
    if (!stream || this.over) return;
    const peer: DirectPeer = new DirectPeer(peerId, ice, {
      signal: (body) => this.signal(peer, body),
      stalled: () => void this.restartPeer(viewer, peer, false),
    });
    peer.addStream(stream);
    this.peers.set(viewer, peer);
    await peer.offer().catch((err: unknown) => console.warn('onair.js: direct offer failed', err));
  }

  protected override connectedPeers(): string[] {
    return [...this.peers.values()].filter((peer) => peer.alive).map((peer) => peer.peer);
  }

  private signal(peer: DirectPeer, body: Record<string, unknown>): void {
    if (!this.channel) return; // signaling is down; an ICE restart follows once it is back
    this.request({ request: 'signal', peer: peer.peer, ...body }).catch(() => undefined);
  }

  private viewerOf(peerId: string): [string, DirectPeer] | undefined {
    return [...this.peers].find(([, peer]) => peer.peer === peerId);
  }

  private async onSignal(peerId: string, data: Record<string, unknown>): Promise<void> {
    const entry = this.viewerOf(peerId);
    if (!entry) return;
    const [viewer, peer] = entry;
    if (bool(data['bye'])) {
      peer.close();
      this.peers.delete(viewer);
    } else if (bool(data['restart'])) {
      await this.restartPeer(viewer, peer, true);
    } else if ('sdp' in data) {
      // An answer the connection cannot take (the viewer reloaded: other DTLS keys): start over.
      await peer.applyDescription(data['sdp']).catch(() => this.rebuildPeer(viewer, peer));
    } else if ('candidate' in data) {
      await peer.applyCandidate(data['candidate']);
    }
  }

  /** An ICE restart on the same connection, or a new connection when the viewer's side is new
   * (it asks although ours looks fine) or an earlier restart did not help. */
  private async restartPeer(viewer: string, peer: DirectPeer, asked: boolean): Promise<void> {
    if (peer.isClosed || this.peers.get(viewer) !== peer) return;
    // An ICE restart that did not help in time, or an offer whose answer never came (it was lost
    // with the signaling): a new connection rather than waiting on.
    const stale = (peer.lastRestartAt !== 0 && Date.now() - peer.lastRestartAt > RESTART_PATIENCE_MS) ||
      peer.answerWaitMs > RESTART_PATIENCE_MS;
    if ((asked && peer.alive) || stale) {
      this.rebuildPeer(viewer, peer);
      return;
    }
    await peer.offer(true).catch(() => this.rebuildPeer(viewer, peer));
  }

  private rebuildPeer(viewer: string, peer: DirectPeer): void {
    if (this.peers.get(viewer) !== peer) return;
    this.peers.delete(viewer);
    const ice: IceSettings = { servers: peer.pc.getConfiguration().iceServers ?? [], policy: peer.pc.getConfiguration().iceTransportPolicy ?? 'all' };
    peer.close();
    void this.pair(peer.peer, viewer, ice);
  }

  /** After a (re-)registration: a direct connection to a viewer the plugin no longer lets in
   * (kicked or removed while this page missed the `bye`) closes. Viewers whose consent stands
   * (`granted`) keep theirs: after a server restart they pair again. */
  private reconcilePeers(data: Record<string, unknown>): void {
    const granted = data['granted'];
    if (!Array.isArray(granted)) return; // a plugin that does not say
    const keep = new Set([...people(data['viewers']).map((p) => p.user), ...granted.map((u) => str(u))]);
    for (const viewer of [...this.peers.keys()]) {
      if (!keep.has(viewer)) this.closePeer(viewer);
    }
  }

  private closePeer(viewer: string): void {
    this.peers.get(viewer)?.close();
    this.peers.delete(viewer);
  }

  private closePeers(): void {
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
  }

  // ---- prompts, stop, end -------------------------------------------------------------------

  async answer(requestId: string, accept: boolean): Promise<void> {
    try {
      await this.request({ request: 'answer', request_id: requestId, accept });
    } catch (err) {
      this.view.removePrompt(requestId);
      this.view.showMessage(asOnAirError(err).message);
    }
  }

  /** Removes an accepted viewer (API only; the preview has no per-viewer list). */
  async kick(viewer: string): Promise<void> {
    await this.request({ request: 'kick', viewer });
  }

  private onEnded(reason: string): void {
    if (this.stopping) {
      this.stopping();
      return;
    }
    // taken_over: another tab of this user now owns the broadcast and the consent cookie.
    if (reason !== 'taken_over') forgetConsent(this.host.config.site, this.options.user);
    const message = endedMessage('broadcast', reason);
    this.finish('ended', { reason, message });
    this.view.showMessage(message);
    this.view.setState('ended');
  }

  private onCameraStopped(): void {
    if (this.over || this.stopping || this.pageLeaving) return;
    this.request({ request: 'stop' }).catch(() => undefined);
    this.fail(clientError('camera_stopped', 'cameraStopped'));
  }

  /** Ends the broadcast on the user's or the site's request. */
  async stop(): Promise<void> {
    if (this.over) {
      this.dispose();
      return;
    }
    this.closing = true;
    forgetConsent(this.host.config.site, this.options.user);
    if (this.channel && !this.channel.isClosed) {
      const ended = new Promise<void>((resolve) => {
        this.stopping = resolve;
        window.setTimeout(resolve, 3000);
      });
      this.request({ request: 'stop' }).catch(() => this.stopping?.());
      await ended;
    }
    this.finish('ended', { reason: 'stopped' });
    this.dispose();
  }

  /** Ends the attempt with `error` shown in the preview until the person closes it. */
  fail(error: OnAirError): void {
    if (this.over || this.pageLeaving) return;
    forgetConsent(this.host.config.site, this.options.user);
    this.finish('error', { code: error.code, message: error.message, detail: error.detail }, error);
    this.view.showMessage(error.message);
    this.view.setState('error');
  }

  /** Common end: release media and the handle, settle promises, report the final state. */
  private finish(state: 'ended' | 'error', detail: EventDetail, error?: OnAirError): void {
    if (this.over) return;
    this.closePeers();
    this.releaseMedia();
    this.view.setStream(null);
    this.finishSession(state, detail, error);
  }

  private releaseMedia(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  /** Closes the preview; the flow is forgotten. */
  dispose(): void {
    if (!this.over) {
      void this.stop();
      return;
    }
    this.view.destroy();
    this.host.finished(this);
  }
}
