// SPDX-License-Identifier: GPL-3.0-or-later
// Peer-to-peer media between the broadcaster and one viewer (media modes `p2p` and `auto`): a
// plain RTCPeerConnection (webrtc-adapter shims it) whose SDP and candidates travel inside plugin
// `signal` requests, never as Janus jsep. The broadcaster always offers, the viewer answers.
// Direct connections do not need Janus once they are up, so they outlive signaling outages.
import { IceWatchdog, type IceSettings } from './ice';
import { num, str } from './protocol';

function fingerprint(sdp: string): string {
  return /^a=fingerprint:(.*)$/m.exec(sdp)?.[1]?.trim() ?? '';
}

export interface DirectPeerEvents {
  /** Sends `{request: "signal", peer, ...body}`. */
  signal(body: Record<string, unknown>): void;
  /** ICE has been down for a while: the owner decides how to restart. */
  stalled(): void;
  /** ICE connected (again). */
  connected?(): void;
  track?(track: MediaStreamTrack): void;
}

export class DirectPeer {
  readonly pc: RTCPeerConnection;
  private readonly watchdog: IceWatchdog;
  private readonly pendingCandidates: RTCIceCandidateInit[] = [];
  private hasRemote = false;
  private closed = false;
  /** When the first ICE-restart offer of the current outage went out (0: connected since). */
  lastRestartAt = 0;
  /** When the offer that still waits for its answer went out (0: none waits). */
  private offeredAt = 0;
  /** A restart was asked for while an offer waited: it follows that offer's answer. */
  private restartWanted = false;

  /** `peer` is the plugin's pairing id; it changes when the pair is re-made after a reconnect. */
  constructor(public peer: string, ice: IceSettings, private readonly events: DirectPeerEvents) {
    this.pc = new RTCPeerConnection({ iceServers: ice.servers, iceTransportPolicy: ice.policy });
    this.watchdog = new IceWatchdog(() => events.stalled());
    this.pc.onicecandidate = (ev) => {
      const c = ev.candidate;
      this.send({ candidate: c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : null });
    };
    this.pc.oniceconnectionstatechange = () => {
      const state = this.pc.iceConnectionState;
      this.watchdog.update(state);
      if (state === 'connected' || state === 'completed') {
        this.lastRestartAt = 0;
        events.connected?.();
      }
    };
    this.pc.ontrack = (ev) => events.track?.(ev.track);
  }

  get alive(): boolean {
    const state = this.pc.iceConnectionState;
    return !this.closed && (state === 'connected' || state === 'completed');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get hasRemoteDescription(): boolean {
    return this.hasRemote;
  }

  /** The broadcaster's camera, send-only. */
  addStream(stream: MediaStream): void {
    for (const track of stream.getTracks()) this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  }

  tracks(): MediaStreamTrack[] {
    return this.pc.getReceivers().map((r) => r.track).filter((tr) => tr.readyState === 'live');
  }

  /** Broadcaster: a (re)offer; with `iceRestart` new ICE credentials on the same connection.
   * One negotiation at a time: a restart asked for while an offer still waits for its answer
   * goes out once that answer is applied (a second offer would meet the late answer in state
   * `stable`: "Cannot set remote answer"). */
  async offer(iceRestart = false): Promise<void> {
    if (this.closed) return;
    if (this.offeredAt !== 0) {
      this.restartWanted ||= iceRestart;
      return;
    }
    if (iceRestart && this.lastRestartAt === 0) this.lastRestartAt = Date.now();
    this.offeredAt = Date.now();
    try {
      const offer = await this.pc.createOffer({ iceRestart });
      await this.pc.setLocalDescription(offer);
      this.send({ sdp: { type: 'offer', sdp: this.pc.localDescription?.sdp ?? offer.sdp } });
    } catch (err) {
      this.offeredAt = 0;
      throw err;
    }
  }

  /** How long the current offer has waited for its answer (0: none waits). */
  get answerWaitMs(): number {
    return this.offeredAt === 0 ? 0 : Date.now() - this.offeredAt;
  }

  /** Whether a signalled offer belongs to this connection: the same DTLS certificate as before.
   * Chrome takes a new one on an existing connection without an error, but media stops. */
  fits(value: unknown): boolean {
    const current = this.pc.remoteDescription?.sdp;
    if (!current || typeof value !== 'object' || value === null) return true;
    return fingerprint(current) === fingerprint(str((value as Record<string, unknown>)['sdp']));
  }

  /** Applies a signalled `sdp`; a viewer answers an offer. Rejects when the browser refuses it. */
  async applyDescription(value: unknown): Promise<void> {
    if (this.closed || typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    const type = str(record['type']);
    if (type !== 'offer' && type !== 'answer') return;
    // An answer no offer waits for (a duplicate, or one to an offer a rebuild dropped) is stale.
    if (type === 'answer' && this.pc.signalingState !== 'have-local-offer') return;
    await this.pc.setRemoteDescription({ type, sdp: str(record['sdp']) });
    this.hasRemote = true;
    for (const candidate of this.pendingCandidates.splice(0)) await this.addCandidate(candidate);
    if (type === 'answer') {
      this.offeredAt = 0;
      if (this.restartWanted) {
        this.restartWanted = false;
        await this.offer(true);
      }
    } else {
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.send({ sdp: { type: 'answer', sdp: this.pc.localDescription?.sdp ?? answer.sdp } });
    }
  }

  /** A signalled candidate, or null for the end of the other side's candidates. */
  async applyCandidate(value: unknown): Promise<void> {
    if (this.closed) return;
    if (value === null || typeof value !== 'object') {
      if (this.hasRemote) await this.pc.addIceCandidate().catch(() => undefined);
      return;
    }
    const record = value as Record<string, unknown>;
    const candidate: RTCIceCandidateInit = {
      candidate: str(record['candidate']),
      sdpMid: typeof record['sdpMid'] === 'string' ? record['sdpMid'] : null,
      sdpMLineIndex: typeof record['sdpMLineIndex'] === 'number' ? num(record['sdpMLineIndex']) : null,
    };
    if (!this.hasRemote) this.pendingCandidates.push(candidate);
    else await this.addCandidate(candidate);
  }

  private async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    // A candidate of an older ICE generation (before a restart) is refused: harmless.
    await this.pc.addIceCandidate(candidate).catch(() => undefined);
  }

  private send(body: Record<string, unknown>): void {
    if (!this.closed) this.events.signal(body);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    this.pc.onicecandidate = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.ontrack = null;
    this.pc.close();
  }
}
