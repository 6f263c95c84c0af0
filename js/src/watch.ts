// SPDX-License-Identifier: GPL-3.0-or-later
// The viewer's side for one target: ask, wait for the broadcaster's answer, receive, leave.
// Survives the viewer's reload (sessionStorage; the plugin re-accepts without a prompt) and
// connection drops (watch again on a new handle).
import type { Jsep } from 'janus-gateway';
import type { Channel } from './connection';
import { OnAirError, asOnAirError, clientError, pluginError } from './errors';
import { MAX_RECONNECTS, MEDIA_DOWN_GRACE_MS, backoffDelay, delay, type ButtonState, type EventDetail, type Flow, type FlowHost } from './flow';
import { t, type StringKey } from './i18n';
import { num, str, type PluginEvent } from './protocol';
import { Heartbeat } from './heartbeat';
import { forgetWatching, rememberWatching } from './storage';
import { PlayerView } from './ui/player';

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

const endedKeys: Record<string, StringKey> = {
  stopped: 'endedStopped',
  removed: 'endedRemoved',
  admin: 'endedAdmin',
  hangup_timeout: 'endedHangup',
  publish_timeout: 'endedPublishTimeout',
};

const declinedKeys: Record<string, StringKey> = {
  denied: 'declinedDenied',
  timeout: 'declinedTimeout',
  ended: 'declinedEnded',
};

export class Watch implements Flow {
  readonly role = 'watch';
  readonly key: string;
  state: ButtonState = 'requesting';
  detail: EventDetail = {};

  private channel: Channel | null = null;
  private readonly view: PlayerView;
  private readonly displayName: string;
  private generation = 0;
  private lastRequest = '';
  private accepted = false;
  private interrupted = false;
  private reconnectAttempt = 0;
  private over = false;
  private leaving = false;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: OnAirError) => void }> = [];
  private finalError: OnAirError | null = null;
  /** Runs while watching (evidence for airtime accounting); interval from `watching`. */
  private readonly heartbeat = new Heartbeat(() => this.channel?.send({ request: 'heartbeat' }) ?? null, 'watch');

  constructor(private readonly host: FlowHost, private options: WatchOptions) {
    this.key = options.target;
    this.displayName = options.targetName || t('userFallback', { id: options.target });
    this.view = new PlayerView({ close: () => void this.leave() }, options.target, this.displayName);
    this.setState('requesting', { user: options.user });
  }

  get isOver(): boolean {
    return this.over;
  }

  whenWatching(): Promise<void> {
    if (this.state === 'watching') return Promise.resolve();
    if (this.over) return Promise.reject(this.finalError ?? new OnAirError(this.state, str(this.detail['message'])));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  updateOptions(options: WatchOptions): void {
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
    this.heartbeat.stop(); // until the new handle is watching again
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
      onRemoteTrack: (track, on) => {
        if (generation !== this.generation) return;
        if (on) this.view.addTrack(track);
        else this.view.removeTrack(track);
      },
    });
    if (generation !== this.generation || this.over) {
      channel.close();
      return;
    }
    this.channel = channel;
    await this.request({
      request: 'watch',
      site: this.host.config.site,
      target: this.options.target,
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
      if (this.heartbeat.claimsError(event.code, event.message)) return;
      if (this.lastRequest === 'leave') return;
      this.fail(pluginError(event.code, event.message, this.displayName));
      return;
    }
    const data = event.data;
    switch (event.event) {
      case 'waiting':
        this.view.setState('waiting');
        this.setState('requesting', { requestId: str(data['request_id']), expiresIn: num(data['expires_in'], 30) });
        break;
      case 'accepted':
        this.accepted = true;
        rememberWatching(this.host.config.site, this.options.target, this.options.user);
        this.view.setState('connecting');
        if (jsep) void this.answerOffer(jsep);
        else this.fail(clientError('media_failed', 'mediaFailed', 'accepted without an offer'));
        break;
      case 'watching':
        this.view.setState(this.interrupted ? 'reconnecting' : 'playing', this.interrupted ? t('interrupted') : undefined);
        this.heartbeat.start(data['heartbeat_interval']);
        this.setState('watching', {});
        for (const w of this.waiters.splice(0)) w.resolve();
        break;
      case 'interrupted':
        this.interrupted = true;
        this.view.setState('reconnecting', t('interrupted'));
        this.host.emit('interrupted', { role: 'watch', target: this.key });
        break;
      case 'resumed':
        this.interrupted = false;
        this.view.setState('playing');
        this.host.emit('resumed', { role: 'watch', target: this.key });
        break;
      case 'declined': {
        const reason = str(data['reason'], 'denied');
        const message = t(declinedKeys[reason] ?? 'declinedDenied', { name: this.displayName });
        this.finish('declined', { reason, message });
        this.view.setState('declined', message);
        break;
      }
      case 'ended': {
        const reason = str(data['reason'], 'stopped');
        const message = t(endedKeys[reason] ?? 'endedStopped');
        this.finish('ended', { reason, message });
        this.view.setState('ended', message);
        break;
      }
      case 'heartbeat':
        this.heartbeat.answered();
        break;
      default:
        break;
    }
  }

  private async answerOffer(offer: Jsep): Promise<void> {
    const generation = this.generation;
    try {
      if (!this.channel) throw clientError('connection_lost', 'connectionGone');
      const answer = await this.channel.createAnswer(offer, [
        { type: 'audio', capture: false, recv: true },
        { type: 'video', capture: false, recv: true },
      ]);
      if (generation !== this.generation || this.over) return;
      await this.request({ request: 'start' }, answer);
    } catch (err) {
      if (generation !== this.generation || this.over) return;
      this.fail(asOnAirError(err));
    }
  }

  private onIceState(state: RTCIceConnectionState): void {
    if (this.over) return;
    if (state === 'failed') {
      this.reconnect();
    } else if (state === 'disconnected' && this.state === 'watching') {
      this.view.setState('reconnecting');
    } else if (state === 'connected' || state === 'completed') {
      this.reconnectAttempt = 0;
      if (this.state === 'watching' && !this.interrupted) this.view.setState('playing');
    }
  }

  /** Janus hung up our PeerConnection. If no `ended` explains it shortly, the media path died:
   * watch again (the plugin re-accepts an accepted viewer at once). */
  private onMediaDown(generation: number): void {
    window.setTimeout(() => {
      if (generation === this.generation && !this.over && !this.leaving && this.state === 'watching') this.reconnect();
    }, MEDIA_DOWN_GRACE_MS);
  }

  connectionLost(): void {
    if (this.over || this.leaving) return;
    this.channel = null;
    this.reconnect();
  }

  private reconnect(): void {
    if (this.over || this.leaving) return;
    if (!this.accepted) {
      // Nothing was granted yet: a new request would just prompt the broadcaster again.
      this.fail(clientError('connection_lost', 'serverUnreachable'));
      return;
    }
    this.generation++;
    const old = this.channel;
    this.channel = null;
    old?.hangup();
    old?.close();
    this.view.clearMedia();
    this.view.setState('reconnecting');
    if (this.reconnectAttempt >= MAX_RECONNECTS) {
      this.fail(clientError('connection_lost', 'connectionGone'));
      return;
    }
    const attempt = this.reconnectAttempt++;
    void delay(backoffDelay(attempt)).then(async () => {
      if (this.over || this.leaving) return;
      try {
        await this.connect();
      } catch {
        this.reconnect();
      }
    });
  }

  /** Stops watching, or withdraws a pending request, and closes the player. */
  async leave(): Promise<void> {
    if (this.leaving) return;
    this.leaving = true;
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

  private fail(error: OnAirError): void {
    if (this.over) return;
    this.finalError = error;
    this.finish('error', { code: error.code, message: error.message, detail: error.detail });
    this.view.setState('error', error.message);
  }

  private finish(state: ButtonState, detail: EventDetail): void {
    if (this.over) return;
    this.over = true;
    this.generation++;
    this.heartbeat.stop();
    if (state !== 'error' || !this.accepted) forgetWatching(this.host.config.site, this.options.target);
    const channel = this.channel;
    this.channel = null;
    channel?.hangup();
    channel?.close();
    this.view.clearMedia();
    this.setState(state, detail);
    const error = this.finalError ?? new OnAirError(state, str(detail['message']) || state);
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  private setState(state: ButtonState, detail: EventDetail): void {
    this.state = state;
    this.detail = { ...this.detail, ...detail };
    this.host.changed(this);
  }
}
