// SPDX-License-Identifier: GPL-3.0-or-later
// The broadcaster's side: register (or resume) the broadcast, capture the camera, publish, answer
// watch prompts, stop. Survives reloads (consent cookie) and connection drops (re-register: the
// plugin resumes the same broadcast and keeps the viewers).
import type { Channel } from './connection';
import { OnAirError, asOnAirError, clientError, mediaError, pluginError } from './errors';
import { MAX_RECONNECTS, MEDIA_DOWN_GRACE_MS, backoffDelay, delay, type ButtonState, type EventDetail, type Flow, type FlowHost } from './flow';
import { t } from './i18n';
import { bool, num, people, person, str, type PluginEvent } from './protocol';
import type { Jsep, TrackSpec } from 'janus-gateway';
import { Heartbeat } from './heartbeat';
import { forgetConsent, rememberConsent } from './storage';
import { PreviewView } from './ui/preview';

export interface BroadcastOptions {
  user: string;
  token?: string;
  name?: string;
}

const endedMessages: Record<string, Parameters<typeof t>[0]> = {
  taken_over: 'endedTakenOver',
  publish_timeout: 'endedPublishTimeout',
  admin: 'endedAdmin',
  hangup_timeout: 'endedHangup',
  stopped: 'endedStopped',
};

export class Broadcast implements Flow {
  readonly role = 'broadcast';
  readonly key: string;
  state: ButtonState = 'requesting';
  detail: EventDetail = {};

  private channel: Channel | null = null;
  private stream: MediaStream | null = null;
  private readonly view: PreviewView;
  /** Bumped on every (re)connection so callbacks of an abandoned handle are ignored. */
  private generation = 0;
  private lastRequest = '';
  private audio = false;
  private viewers = 0;
  private everLive = false;
  private reconnectAttempt = 0;
  private reconnecting = false;
  private over = false;
  private stopping: (() => void) | null = null;
  private finalError: OnAirError | null = null;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: OnAirError) => void }> = [];
  /** From `registered`; heartbeats run while live (evidence for airtime accounting). */
  private heartbeatInterval: unknown;
  private readonly heartbeat = new Heartbeat(() => this.channel?.send({ request: 'heartbeat' }) ?? null, 'broadcast');

  constructor(private readonly host: FlowHost, private options: BroadcastOptions, private readonly resumed: boolean) {
    this.key = options.user;
    this.view = new PreviewView({
      stop: () => void this.stop(),
      close: () => this.dispose(),
      answer: (requestId, accept) => void this.answer(requestId, accept),
    }, options.user);
    this.setState('requesting', { resumed });
  }

  get isOver(): boolean {
    return this.over;
  }

  /** Resolves once live; rejects with the error the widget shows. */
  whenLive(): Promise<void> {
    if (this.state === 'live') return Promise.resolve();
    if (this.over) return Promise.reject(this.finalError ?? new OnAirError('ended', t('endedStopped')));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** A newer click/API call for the same user refreshes the identity used on reconnects. */
  updateOptions(options: BroadcastOptions): void {
    this.options = { ...this.options, ...options };
  }

  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.fail(asOnAirError(err));
    }
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.heartbeat.stop(); // until the new handle is live again
    const channel = await this.host.connection.attach({
      onEvent: (event, jsep) => {
        if (generation === this.generation) this.onEvent(event, jsep);
      },
      onIceState: (state) => {
        if (generation === this.generation) this.onIceState(state);
      },
      onWebrtcState: (up) => {
        if (!up) this.onMediaDown(generation);
      },
    });
    if (generation !== this.generation || this.over) {
      channel.close();
      return;
    }
    this.channel = channel;
    await this.request({
      request: 'broadcast',
      site: this.host.config.site,
      user: this.options.user,
      ...(this.options.token ? { token: this.options.token } : {}),
      ...(this.options.name ? { name: this.options.name } : {}),
    });
  }

  private async request(body: Record<string, unknown>, jsep?: Jsep): Promise<void> {
    if (!this.channel) throw clientError('connection_lost', 'connectionGone');
    this.lastRequest = String(body['request']);
    this.heartbeat.otherRequestSent();
    await this.channel.send(body, jsep);
  }

  private onEvent(event: PluginEvent, jsep: Jsep | undefined): void {
    if (this.over) return;
    if (event.kind === 'error') {
      this.onPluginError(event.code, event.message);
      return;
    }
    const data = event.data;
    switch (event.event) {
      case 'registered':
        this.audio = bool(data['audio']);
        this.viewers = people(data['viewers']).length;
        this.view.setViewers(this.viewers);
        this.view.setStartedAt(num(data['started_at']));
        this.heartbeatInterval = data['heartbeat_interval'];
        this.detail = { ...this.detail, broadcastId: str(data['broadcast_id']), resumed: bool(data['resumed']) };
        void this.publish();
        break;
      case 'publishing':
        if (jsep) this.channel?.acceptAnswer(jsep).catch((err: unknown) => this.fail(asOnAirError(err)));
        break;
      case 'live':
        this.everLive = true;
        this.reconnectAttempt = 0;
        this.reconnecting = false;
        rememberConsent(this.host.config.site, this.options.user);
        this.view.showMessage(null);
        this.view.setState('live');
        this.heartbeat.start(this.heartbeatInterval);
        this.setState('live', { viewers: this.viewers });
        for (const w of this.waiters.splice(0)) w.resolve();
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
        if (event.event !== 'answered') this.host.emit(event.event, { role: 'broadcast', user: this.key, requestId: str(data['request_id']) });
        break;
      case 'viewer_joined':
      case 'viewer_left':
        this.viewers = num(data['viewers'], this.viewers);
        this.view.setViewers(this.viewers);
        this.detail = { ...this.detail, viewers: this.viewers };
        this.host.emit(event.event, { role: 'broadcast', user: this.key, viewer: person(data['viewer']), viewers: this.viewers });
        this.host.changed(this);
        break;
      case 'ended':
        this.onEnded(str(data['reason'], 'stopped'));
        break;
      case 'heartbeat':
        this.heartbeat.answered();
        break;
      default:
        break;
    }
  }

  private onPluginError(code: number, text: string): void {
    if (this.heartbeat.claimsError(code, text)) return;
    // A failed answer or kick concerns one prompt or viewer, not the broadcast.
    if (this.lastRequest === 'answer' || this.lastRequest === 'kick') {
      this.view.showMessage(pluginError(code, text).message);
      window.setTimeout(() => this.view.showMessage(null), 5000);
      return;
    }
    if (this.lastRequest === 'stop') {
      this.stopping?.();
      return;
    }
    this.fail(pluginError(code, text));
  }

  private async acquireMedia(): Promise<MediaStream> {
    const reusable = this.stream?.getVideoTracks().some((tr) => tr.readyState === 'live') &&
      (!this.audio || this.stream.getAudioTracks().some((tr) => tr.readyState === 'live'));
    if (this.stream && reusable) return this.stream;
    this.releaseMedia();
    if (!navigator.mediaDevices?.getUserMedia) {
      throw mediaError(Object.assign(new Error('navigator.mediaDevices is unavailable (insecure context?)'), { name: 'SecurityError' }));
    }
    try {
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
    try {
      const tracks: TrackSpec[] = [];
      for (const track of stream.getVideoTracks().slice(0, 1)) tracks.push({ type: 'video', capture: track, recv: false, dontStop: true });
      for (const track of stream.getAudioTracks().slice(0, 1)) tracks.push({ type: 'audio', capture: track, recv: false, dontStop: true });
      if (!this.channel) throw clientError('connection_lost', 'connectionGone');
      const offer = await this.channel.createOffer(tracks);
      if (generation !== this.generation || this.over) return;
      await this.request({ request: 'publish' }, offer);
    } catch (err) {
      if (generation !== this.generation || this.over) return;
      this.fail(asOnAirError(err));
    }
  }

  private onIceState(state: RTCIceConnectionState): void {
    if (this.over) return;
    if (state === 'failed') {
      this.reconnect();
    } else if (state === 'disconnected' && this.state === 'live') {
      this.view.setState('reconnecting');
    } else if ((state === 'connected' || state === 'completed') && this.state === 'live' && !this.reconnecting) {
      this.view.setState('live');
    }
  }

  /** Janus hung up our PeerConnection. If no `ended` explains it shortly (the plugin sends that
   * first when it ends the broadcast), the media path died: publish again. */
  private onMediaDown(generation: number): void {
    window.setTimeout(() => {
      if (generation === this.generation && !this.over && !this.stopping && this.state === 'live') this.reconnect();
    }, MEDIA_DOWN_GRACE_MS);
  }

  /** The Janus session is gone (server restart, network): start over on a new one. */
  connectionLost(): void {
    if (this.over || this.stopping) return;
    this.channel = null;
    this.reconnect();
  }

  private reconnect(): void {
    if (this.over || this.stopping) return;
    if (!this.everLive && !this.resumed) {
      this.fail(clientError('connection_lost', 'serverUnreachable'));
      return;
    }
    this.reconnecting = true;
    this.generation++;
    const old = this.channel;
    this.channel = null;
    old?.hangup();
    old?.close();
    this.view.setState('reconnecting');
    if (this.reconnectAttempt >= MAX_RECONNECTS) {
      this.fail(clientError('connection_lost', 'connectionGone'));
      return;
    }
    const attempt = this.reconnectAttempt++;
    void delay(backoffDelay(attempt)).then(async () => {
      if (this.over || this.stopping) return;
      try {
        await this.connect();
      } catch {
        this.reconnect();
      }
    });
  }

  private async answer(requestId: string, accept: boolean): Promise<void> {
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
    const key = endedMessages[reason] ?? 'endedStopped';
    this.finish('ended', { reason, message: t(key) });
    this.view.showMessage(t(key));
    this.view.setState('ended');
  }

  private onCameraStopped(): void {
    if (this.over || this.stopping) return;
    this.request({ request: 'stop' }).catch(() => undefined);
    this.fail(clientError('camera_stopped', 'cameraStopped'));
  }

  /** Ends the broadcast on the user's or the site's request. */
  async stop(): Promise<void> {
    if (this.over) {
      this.dispose();
      return;
    }
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
  private fail(error: OnAirError): void {
    if (this.over) return;
    forgetConsent(this.host.config.site, this.options.user);
    this.finish('error', { code: error.code, message: error.message, detail: error.detail }, error);
    this.view.showMessage(error.message);
    this.view.setState('error');
  }

  /** Common end: release media and the handle, settle promises, report the final state. */
  private finish(state: ButtonState, detail: EventDetail, error?: OnAirError): void {
    if (this.over) return;
    this.over = true;
    this.generation++;
    this.heartbeat.stop();
    this.releaseMedia();
    this.view.setStream(null);
    const channel = this.channel;
    this.channel = null;
    channel?.hangup();
    channel?.close();
    this.setState(state, detail);
    this.finalError = error ?? new OnAirError(str(detail['reason'], 'ended'), str(detail['message']) || t('endedStopped'));
    for (const w of this.waiters.splice(0)) w.reject(this.finalError);
  }

  private releaseMedia(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  private setState(state: ButtonState, detail: EventDetail): void {
    this.state = state;
    this.detail = { ...this.detail, ...detail };
    this.host.changed(this);
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
