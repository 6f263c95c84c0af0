// SPDX-License-Identifier: GPL-3.0-or-later
// A broadcast or watch as the page-level controller holds it from the click on. Its card opens at
// once (the preview says Starting…, the player Connecting…) while onair-media.js loads
// (loader.ts); then the flow of the media half takes the card over and reports as this one. When
// the media half cannot be had, the card says why, and the next click tries again.
import type { BroadcastOptions } from './broadcast';
import { OnAirError, asOnAirError } from './errors';
import type { ButtonState, EventDetail, FlowHost, PageHost } from './flow';
import { t } from './i18n';
import type { MediaLoader } from './loader';
import type { BroadcastFlow, MediaSession, RunningFlow, WatchFlow } from './media_api';
import { str } from './protocol';
import { forgetConsent, forgetWatching } from './storage';
import { PlayerView } from './ui/player';
import { PreviewView } from './ui/preview';
import type { WatchOptions } from './watch';

/** How a flow ended before the media half took over. */
interface Outcome {
  state: ButtonState;
  detail: EventDetail;
  error: OnAirError;
}

abstract class LazyFlow<F extends RunningFlow> implements RunningFlow {
  /** The media half's flow, once it is there. */
  protected real: F | null = null;
  private outcome: Outcome | null = null;
  private closed = false;
  /** The media half's flow, or null when this one ended first. */
  private readonly ready: Promise<F | null>;

  protected constructor(
    readonly role: 'broadcast' | 'watch',
    protected readonly host: PageHost,
    readonly key: string,
    private readonly initial: EventDetail,
    loader: MediaLoader,
  ) {
    this.ready = loader.load().then(
      (media) => (this.outcome ? null : (this.real = this.create(media, this.relay(media)))),
      (error: unknown) => {
        if (!this.outcome) this.loadFailed(asOnAirError(error));
        return null;
      },
    );
  }

  get state(): ButtonState {
    return this.real?.state ?? this.outcome?.state ?? 'requesting';
  }

  get detail(): EventDetail {
    return this.real?.detail ?? this.outcome?.detail ?? this.initial;
  }

  get isOver(): boolean {
    return this.real ? this.real.isOver : this.outcome !== null;
  }

  connectionLost(): void {
    this.real?.connectionLost();
  }

  /** The media half's flow on the card this one opened. */
  protected abstract create(media: MediaSession, host: FlowHost): F;

  /** The card shows why, until the person closes it. */
  protected abstract loadFailed(error: OnAirError): void;

  /** What the media half's flow reports reaches the page as this flow's. */
  private relay(media: MediaSession): FlowHost {
    const host = this.host;
    return {
      config: host.config,
      connection: media.connection,
      changed: () => host.changed(this),
      emit: (type, detail) => host.emit(type, detail),
      finished: () => host.finished(this),
    };
  }

  /** Ends before the media half took over, as its flow would have. */
  protected end(state: ButtonState, detail: EventDetail, error?: OnAirError): void {
    this.outcome = {
      state,
      detail: { ...this.initial, ...detail },
      error: error ?? new OnAirError(str(detail['reason'], state), t('endedStopped')),
    };
    this.host.changed(this);
  }

  /** Closes the card once; false when it is closed already. */
  protected close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    return true;
  }

  /** `settled` on the media half's flow, or the reason this one ended without it. */
  protected onceReal(settled: (flow: F) => Promise<void>): Promise<void> {
    return this.ready.then((flow) => (flow ? settled(flow) : Promise.reject(this.outcome?.error)));
  }

  protected endWithError(error: OnAirError): void {
    this.end('error', { code: error.code, message: error.message, detail: error.detail }, error);
  }
}

export class LazyBroadcast extends LazyFlow<BroadcastFlow> implements BroadcastFlow {
  private readonly view: PreviewView;

  constructor(host: PageHost, loader: MediaLoader, private options: BroadcastOptions, private readonly resumed: boolean) {
    super('broadcast', host, options.user, { resumed }, loader);
    this.view = new PreviewView({
      stop: () => void this.stop(),
      close: () => this.dispose(),
      answer: (requestId, accept) => void this.answer(requestId, accept),
    }, options.user);
    host.changed(this);
  }

  protected create(media: MediaSession, host: FlowHost): BroadcastFlow {
    return media.broadcast(host, this.options, this.resumed, this.view);
  }

  protected loadFailed(error: OnAirError): void {
    forgetConsent(this.host.config.site, this.options.user);
    this.endWithError(error);
    this.view.showMessage(error.message);
    this.view.setState('error');
  }

  whenLive(): Promise<void> {
    return this.onceReal((flow) => flow.whenLive());
  }

  updateOptions(options: BroadcastOptions): void {
    this.options = { ...this.options, ...options };
    this.real?.updateOptions(options);
  }

  /** Prompts come from the media half's flow: there is one when one is answered. */
  async answer(requestId: string, accept: boolean): Promise<void> {
    await this.real?.answer(requestId, accept);
  }

  kick(viewer: string): Promise<void> {
    return this.onceReal((flow) => flow.kick(viewer));
  }

  async stop(): Promise<void> {
    if (this.real) {
      await this.real.stop();
      return;
    }
    if (!this.isOver) {
      forgetConsent(this.host.config.site, this.options.user);
      this.end('ended', { reason: 'stopped' });
    }
    this.dispose();
  }

  dispose(): void {
    if (this.real) this.real.dispose();
    else if (!this.isOver) void this.stop();
    else if (this.close()) {
      this.view.destroy();
      this.host.finished(this);
    }
  }
}

export class LazyWatch extends LazyFlow<WatchFlow> implements WatchFlow {
  private readonly view: PlayerView;

  constructor(host: PageHost, loader: MediaLoader, private options: WatchOptions) {
    super('watch', host, options.target, { user: options.user }, loader);
    const name = options.targetName || t('userFallback', { id: options.target });
    this.view = new PlayerView({ close: () => void this.leave() }, options.target, name);
    host.changed(this);
  }

  protected create(media: MediaSession, host: FlowHost): WatchFlow {
    return media.watch(host, this.options, this.view);
  }

  protected loadFailed(error: OnAirError): void {
    forgetWatching(this.host.config.site, this.options.target);
    this.endWithError(error);
    this.view.setState('error', error.message);
  }

  whenWatching(): Promise<void> {
    return this.onceReal((flow) => flow.whenWatching());
  }

  updateOptions(options: WatchOptions): void {
    this.options = { ...this.options, ...options };
    this.real?.updateOptions(options);
  }

  async leave(): Promise<void> {
    if (this.real) {
      await this.real.leave();
      return;
    }
    if (!this.close()) return;
    forgetWatching(this.host.config.site, this.options.target);
    if (!this.isOver) {
      this.end('requesting', { reason: 'left' });
      this.host.emit('left', { role: 'watch', target: this.key });
    }
    this.view.destroy();
    this.host.finished(this);
  }
}
