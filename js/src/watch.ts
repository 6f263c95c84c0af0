// SPDX-License-Identifier: GPL-3.0-or-later
// The viewer's side for one target: ask, wait for the broadcaster's answer, receive (from the relay
// or directly from the broadcaster), move from direct to relay without a click, leave. Survives
// the viewer's reload (sessionStorage; the plugin re-accepts without a prompt), ICE drops (ICE
// restart) and connection drops (watch again on a new handle; a direct connection keeps playing).
import type { Jsep } from 'janus-gateway';
import { DirectPeer } from './direct';
import { endedMessage } from './ended';
import { OnAirError, asOnAirError, clientError, pluginError } from './errors';
import { SessionFlow, type ButtonState, type EventDetail, type FlowHost } from './flow';
import { t, type StringKey } from './i18n';
import { iceServerList, iceSettings, type IceSettings } from './ice';
import { bool, identityMembers, num, str, type PluginEvent } from './protocol';
import { forgetWatching, rememberWatching } from './storage';
import type { PlayerView } from './ui/player';

export interface WatchOptions {
  /** The broadcaster's user id. */
  target: string;
  /** The viewer's own user id. */
  user: string;
  token?: string;
  /** The broadcaster's display name, shown in the player. */
  targetName?: string;
  /** The viewer's display name sent to the broadcaster (signed mode: the token's name wins). */
  name?: string;
}

const declinedKeys: Record<string, StringKey> = {
  denied: 'declinedDenied',
  timeout: 'declinedTimeout',
  ended: 'declinedEnded',
  full: 'err550',
};

/** A new direct connection asks for an offer when none came within this. */
const OFFER_WAIT_MS = 2500;

const RECV_TRACKS = [
  { type: 'audio' as const, capture: false, recv: true },
  { type: 'video' as const, capture: false, recv: true },
];

export class Watch extends SessionFlow {
  readonly role = 'watch';

  private accepted = false;
  private interrupted = false;
  /** Which path feeds the player. */
  private source: 'relay' | 'direct' | null = null;
  private direct: DirectPeer | null = null;
  private directIce: IceSettings = { servers: [], policy: 'all' };
  /** The pairing for which `start` went out (one per handle and pairing). */
  private startedFor = '';
  /** Relay tracks gathered while the direct path still plays (`switch`). */
  private incoming: MediaStream | null = null;
  private handingOff: MediaStream | null = null;
  /** The relay PeerConnection's ICE is connected (media can flow). */
  private relayUp = false;

  /** `view`: the player the page opened while onair-media.js loaded (lazy_flows.ts), whose
   * buttons lead here. */
  constructor(host: FlowHost, private options: WatchOptions, private readonly view: PlayerView) {
    super(host, options.target, 'watch');
    this.setState('requesting', { user: options.user });
  }

  whenWatching(): Promise<void> {
    return this.whenState('watching');
  }

  updateOptions(options: WatchOptions): void {
    this.options = { ...this.options, ...options };
  }

  protected async begin(): Promise<void> {
    this.startedFor = '';
    await this.request({
      request: 'watch',
      site: this.host.config.site,
      target: this.options.target,
      user: this.options.user,
      ...identityMembers(this.options),
    });
  }

  protected canResume(): boolean {
    return this.accepted;
  }

  private get directPlaying(): boolean {
    return this.source === 'direct' && this.direct?.alive === true;
  }

  protected showReconnecting(on: boolean): void {
    if (this.directPlaying) {
      this.view.setSignalDown(on);
      return;
    }
    this.view.setSignalDown(false);
    if (on) this.view.setState('reconnecting');
  }

  protected onRefused(_request: string, code: number, text: string): void {
    if (!this.closing) this.fail(pluginError(code, text, this.view.targetName));
  }

  protected onEvent(event: PluginEvent & { kind: 'result' }, jsep: Jsep | undefined): void {
    const data = event.data;
    switch (event.event) {
      case 'waiting':
        if (bool(data['resumed'])) {
          // Granted before; the broadcast waits for its broadcaster (a server restart): no prompt.
          if (!this.directPlaying) this.view.setState('reconnecting');
        } else {
          this.view.setState('waiting');
          this.setState('requesting', { requestId: str(data['request_id']), expiresIn: num(data['expires_in'], 30) });
        }
        break;
      case 'accepted':
        this.accepted = true;
        rememberWatching(this.host.config.site, this.options.target, this.options.user);
        this.host.connection.useIceServers(iceServerList(data['ice_servers']));
        if (str(data['media']) === 'p2p') {
          this.pairDirect(str(data['peer']), data);
        } else if (jsep) {
          if (!this.directPlaying && !this.reconnecting) this.view.setState('connecting');
          void this.answerRelay(jsep, this.source === 'direct');
        } else {
          this.fail(clientError('media_failed', 'mediaFailed', 'accepted without an offer'));
        }
        break;
      case 'switch':
        if (jsep) void this.answerRelay(jsep, this.source === 'direct');
        break;
      case 'restarting':
        if (jsep) void this.answerRestart(jsep);
        break;
      case 'signal':
        void this.onSignal(data);
        break;
      case 'watching':
        this.recovered();
        this.relayNegotiationEnded(); // the plugin took our answer
        if (this.interrupted && !this.directPlaying) this.view.setState('reconnecting', t('interrupted'));
        // Relayed media that has no path yet is not shown as live: "Connecting…" until ICE is up.
        else if (this.source === 'relay' && !this.relayUp) this.view.setState('connecting');
        else this.view.setState('playing');
        this.heartbeat.start(data['heartbeat_interval']);
        this.setState('watching', { media: str(data['media'], this.source === 'direct' ? 'p2p' : 'sfu') });
        this.settleWaiters();
        break;
      case 'interrupted':
        this.interrupted = true;
        if (this.directPlaying) this.view.setSignalDown(true);
        else this.view.setState('reconnecting', t('interrupted'));
        this.host.emit('interrupted', { role: 'watch', target: this.key });
        break;
      case 'resumed':
        this.interrupted = false;
        this.view.setSignalDown(this.reconnecting);
        if (this.state === 'watching') this.view.setState('playing');
        this.host.emit('resumed', { role: 'watch', target: this.key });
        break;
      case 'declined': {
        const reason = str(data['reason'], 'denied');
        const message = t(declinedKeys[reason] ?? 'declinedDenied', { name: this.view.targetName });
        this.finish('declined', { reason, message });
        this.view.setState('declined', message);
        break;
      }
      case 'ended': {
        const reason = str(data['reason'], 'stopped');
        const message = endedMessage('watch', reason);
        this.finish('ended', { reason, message });
        this.view.setState('ended', message);
        break;
      }
      default:
        break;
    }
  }

  // ---- relay --------------------------------------------------------------------------------

  /** Answers the relay's subscriber offer. With `handoff` a direct connection still plays: the
   * relayed picture replaces it once it renders, then the direct connection closes. */
  private async answerRelay(offer: Jsep, handoff: boolean): Promise<void> {
    const generation = this.generation;
    if (handoff) this.incoming = new MediaStream();
    else this.source = 'relay';
    this.relayUp = false;
    this.relayNegotiationStarted();
    try {
      if (!this.channel) throw clientError('connection_lost', 'connectionGone');
      const answer = await this.channel.createAnswer(offer, RECV_TRACKS);
      if (generation !== this.generation || this.over) return;
      await this.request({ request: 'start' }, answer);
    } catch (err) {
      if (generation !== this.generation || this.over) return;
      if (handoff) {
        // The direct path keeps playing; the relay is not needed for that.
        console.warn('onair.js: the move to the relay failed; staying on the direct connection', err);
        this.incoming = null;
        return;
      }
      this.fail(asOnAirError(err));
    }
  }

  protected override onRelayTrack(track: MediaStreamTrack, on: boolean): void {
    if (this.incoming) {
      if (!on) return; // a mute while the relay stream starts: it comes back with its first packets
      if (!this.incoming.getTracks().includes(track)) this.incoming.addTrack(track);
      // janus.js reports a track again after each mute/unmute: one handoff per relay stream.
      if (track.kind === 'video' && this.handingOff !== this.incoming) {
        this.handingOff = this.incoming;
        void this.completeHandoff(this.incoming);
      }
      return;
    }
    if (this.source !== 'relay') return;
    if (on) this.view.addTrack(track);
    else this.view.removeTrack(track);
  }

  private async completeHandoff(incoming: MediaStream): Promise<void> {
    const rendered = await this.view.handoff(incoming);
    if (!rendered || this.incoming !== incoming || this.over) return;
    this.incoming = null;
    this.source = 'relay';
    this.relayUp = true; // its picture rendered
    this.closeDirect(true);
    this.view.setSignalDown(false);
    this.view.setState('playing');
  }

  /** Answers the plugin's ICE-restart offer; `watching` ends the negotiation. */
  private async answerRestart(offer: Jsep): Promise<void> {
    const generation = this.generation;
    try {
      if (!this.channel) throw clientError('connection_lost', 'connectionGone');
      const answer = await this.channel.createAnswer(offer, []);
      if (generation !== this.generation || this.over) return;
      await this.request({ request: 'start' }, answer);
    } catch {
      if (generation === this.generation && !this.over) this.reconnect();
    }
  }

  protected override relayCarriesMedia(): boolean {
    return this.source === 'relay';
  }

  protected override onRelayPath(up: boolean): void {
    this.relayUp = up;
    if (!up) this.view.setState('reconnecting');
    else if (this.state === 'watching' && !this.interrupted && !this.reconnecting) this.view.setState('playing');
  }

  /** Asks the plugin for an offer that restarts ICE (answered by `restarting`). */
  protected startRelayIceRestart(): void {
    this.relayNegotiationStarted();
    this.request({ request: 'ice_restart' }).catch(() => this.relayNegotiationEnded());
  }

  /** Janus hung up our PeerConnection and no `ended` explains it: watch again (the plugin
   * re-accepts an accepted viewer at once). */
  protected override onRelayHungUp(): void {
    if (this.state === 'watching' && this.source === 'relay') this.reconnect();
  }

  protected override reconnect(): void {
    this.relayUp = false;
    this.incoming = null;
    this.view.abandonHandoff();
    if (this.source === 'relay') this.view.clearMedia();
    super.reconnect();
  }

  // ---- direct -------------------------------------------------------------------------------

  /** A (re-)pairing with the broadcaster. A direct connection that still plays is kept under the
   * new pairing id; otherwise a new one waits for the broadcaster's offer. */
  private pairDirect(peerId: string, data: Record<string, unknown>): void {
    this.directIce = iceSettings(data);
    if (this.direct?.alive) {
      this.direct.peer = peerId;
      this.startIfFlowing();
      return;
    }
    if (this.source !== 'relay') this.source = 'direct';
    if (!this.directPlaying && !this.reconnecting) this.view.setState('connecting');
    const peer = this.newDirect(peerId);
    window.setTimeout(() => {
      if (this.direct === peer && !peer.hasRemoteDescription) this.signalDirect(peer, { restart: true });
    }, OFFER_WAIT_MS);
  }

  /** Replaces the direct connection with a new one waiting for the broadcaster's offer. */
  private newDirect(peerId: string): DirectPeer {
    this.closeDirect(false);
    const peer: DirectPeer = new DirectPeer(peerId, this.directIce, {
      signal: (body) => this.signalDirect(peer, body),
      stalled: () => this.signalDirect(peer, { restart: true }),
      connected: () => this.startIfFlowing(),
      track: (track) => {
        if (this.source === 'direct' && this.direct === peer) this.view.addTrack(track);
        track.addEventListener('unmute', () => this.startIfFlowing(), { once: true });
      },
    });
    this.direct = peer;
    return peer;
  }

  protected override connectedPeers(): string[] {
    return this.direct?.alive ? [this.direct.peer] : [];
  }

  private signalDirect(peer: DirectPeer, body: Record<string, unknown>): void {
    if (!this.channel || peer.isClosed) return;
    this.request({ request: 'signal', peer: peer.peer, ...body }).catch(() => undefined);
  }

  private async onSignal(data: Record<string, unknown>): Promise<void> {
    const peer = this.direct;
    if (!peer || peer.peer !== str(data['peer'])) return;
    if (bool(data['bye'])) {
      this.closeDirect(false);
      return;
    }
    if (bool(data['restart'])) return; // only the broadcaster restarts
    if ('sdp' in data) {
      // An offer from a new connection of the broadcaster (other DTLS keys) goes to a new one here.
      const target = peer.fits(data['sdp']) ? peer : this.newDirect(peer.peer);
      await target.applyDescription(data['sdp']).catch(() => this.newDirect(peer.peer).applyDescription(data['sdp']))
        .catch((err: unknown) => console.warn('onair.js: direct offer refused', err));
    } else if ('candidate' in data) {
      await peer.applyCandidate(data['candidate']);
    }
  }

  /** `start` without jsep once the direct connection delivers video. */
  private startIfFlowing(): void {
    const peer = this.direct;
    if (!peer || !peer.alive || !this.channel || this.over) return;
    const video = peer.tracks().find((tr) => tr.kind === 'video');
    if (!video || video.muted) return;
    for (const track of peer.tracks()) if (this.source === 'direct') this.view.addTrack(track);
    const binding = `${this.generation}:${peer.peer}`;
    if (this.startedFor === binding || this.source !== 'direct') return;
    this.startedFor = binding;
    this.request({ request: 'start' }).catch(() => {
      this.startedFor = '';
    });
  }

  /** `bye`: tells the broadcaster this side closed (after the move to the relay). */
  private closeDirect(sayBye: boolean): void {
    const peer = this.direct;
    if (!peer) return;
    if (sayBye) this.signalDirect(peer, { bye: true });
    peer.close();
    this.direct = null;
  }

  // ---- leave, end ---------------------------------------------------------------------------

  /** Stops watching, or withdraws a pending request, and closes the player. */
  async leave(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    forgetWatching(this.host.config.site, this.options.target);
    if (!this.over && this.channel) {
      await this.request({ request: 'leave' }).catch(() => undefined);
    }
    const wasOver = this.over;
    this.finish(this.state === 'watching' ? 'ended' : this.state, { reason: 'left' });
    if (!wasOver) this.host.emit('left', { role: 'watch', target: this.key });
    this.view.destroy();
    this.host.finished(this);
  }

  fail(error: OnAirError): void {
    if (this.over || this.pageLeaving) return;
    this.finalError = error;
    this.finish('error', { code: error.code, message: error.message, detail: error.detail });
    this.view.setState('error', error.message);
  }

  private finish(state: ButtonState, detail: EventDetail): void {
    if (this.over) return;
    this.incoming = null;
    this.closeDirect(false);
    if (state !== 'error' || !this.accepted) forgetWatching(this.host.config.site, this.options.target);
    this.view.setSignalDown(false);
    this.view.clearMedia();
    this.finishSession(state, detail);
  }
}
