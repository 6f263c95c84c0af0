// SPDX-License-Identifier: GPL-3.0-or-later
// A viewer's floating player for one watched target: waiting for approval, declined, playing,
// reconnecting, ended, error.
import { t } from '../i18n';
import { button, h, icon, phrase } from './dom';
import { widgetRoot } from './host';

export type PlayerState = 'connecting' | 'waiting' | 'declined' | 'playing' | 'reconnecting' | 'ended' | 'error';

export interface PlayerActions {
  /** Cancel while waiting, close at any time: both mean `leave`. */
  close(): void;
}

export class PlayerView {
  private readonly card: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly alert: SVGSVGElement;
  private readonly endedIcon: SVGSVGElement;
  private video: HTMLVideoElement;
  private readonly overlay: HTMLElement;
  private readonly spinner: HTMLElement;
  private readonly message: HTMLElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly unmuteButton: HTMLButtonElement;
  private stream = new MediaStream();
  private state: PlayerState = 'connecting';
  /** Signaling is being restored while (direct) media keeps playing. */
  private signalDown = false;
  private cancelHandoff: (() => void) | null = null;

  /** `targetName`: the broadcaster's name, as the player and its messages show it. */
  constructor(private readonly actions: PlayerActions, target: string, readonly targetName: string) {
    this.statusText = h('span', {}, t('connecting'));
    const badge = h('span', { class: 'badge', 'data-part': 'status', role: 'status' }, h('span', { class: 'dot' }), this.statusText);
    this.badge = badge;
    this.alert = icon('alert');
    this.endedIcon = icon('camera');
    const title = h('span', { class: 'title', 'data-part': 'title' }, h('bdi', { dir: 'auto' }, targetName));
    const close = button('close', t('close'), 'iconbtn', 'close');
    close.addEventListener('click', () => this.actions.close());
    this.video = h('video', { 'data-part': 'video', playsinline: true, autoplay: true, muted: true });
    this.video.muted = true;
    this.video.srcObject = this.stream;
    this.spinner = h('span', { class: 'spinner', 'aria-hidden': 'true' });
    this.message = h('p', { class: 'message', 'data-part': 'message', role: 'alert' });
    this.cancelButton = button('cancel', t('cancel'), 'ghost text');
    this.cancelButton.addEventListener('click', () => this.actions.close());
    this.overlay = h('div', { class: 'overlay', 'data-part': 'overlay' }, this.spinner, this.alert, this.endedIcon, this.message, this.cancelButton);
    this.unmuteButton = button('unmute', t('unmute'), 'unmute text', 'muted');
    this.unmuteButton.hidden = true;
    this.unmuteButton.addEventListener('click', () => this.unmute());
    const stage = h('div', { class: 'stage' }, this.video, this.overlay, this.unmuteButton);
    this.card = h('section', { class: 'card player', 'data-part': 'player', 'data-state': 'connecting', 'data-target': target, 'aria-label': targetName },
      h('header', { 'data-part': 'header' }, badge, title, close), stage);
    widgetRoot().dock.append(this.card);
    this.setState('connecting');
  }

  get element(): HTMLElement {
    return this.card;
  }

  setState(state: PlayerState, messageText?: string): void {
    this.state = state;
    this.card.setAttribute('data-state', state);
    const busy = state === 'connecting' || state === 'waiting' || state === 'reconnecting';
    this.spinner.hidden = !busy;
    this.cancelButton.hidden = state !== 'waiting' && state !== 'connecting';
    this.overlay.hidden = state === 'playing';
    const defaults: Partial<Record<PlayerState, string>> = {
      connecting: t('connecting'),
      reconnecting: t('reconnecting'),
      ended: t('endedStopped'),
    };
    if (messageText === undefined && state === 'waiting') this.message.replaceChildren(...phrase('waitingApproval', { name: this.targetName }));
    else this.message.textContent = messageText ?? defaults[state] ?? '';
    this.message.hidden = this.message.textContent === '';
    const labels: Partial<Record<PlayerState, string>> = {
      connecting: t('connecting'),
      playing: t('live'),
      reconnecting: t('reconnecting'),
    };
    this.statusText.textContent = state === 'playing' && this.signalDown ? t('reconnecting') : labels[state] ?? '';
    this.badge.hidden = this.statusText.textContent === '';
    this.alert.toggleAttribute('hidden', !(state === 'declined' || state === 'error'));
    this.endedIcon.toggleAttribute('hidden', state !== 'ended');
    this.updateUnmute();
  }

  /** "Reconnecting…" in the badge only: the video keeps playing (a direct connection does not
   * need the server). */
  setSignalDown(down: boolean): void {
    this.signalDown = down;
    this.card.toggleAttribute('data-reconnecting', down);
    this.setState(this.state);
  }

  /** Make-before-break: `next` plays in a second, transparent element on top of the current one,
   * so its first frame covers the old picture by itself; once a frame was presented the old element
   * goes. It waits as long as it takes (the current picture plays on meanwhile); a newer handoff,
   * clearMedia() or destroy() cancel it, and then it resolves false. */
  handoff(next: MediaStream): Promise<boolean> {
    this.cancelHandoff?.();
    const incoming = h('video', { class: 'next', playsinline: true, autoplay: true, muted: true });
    incoming.muted = true;
    incoming.srcObject = next;
    this.video.after(incoming);
    void incoming.play().catch(() => undefined);
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (rendered: boolean): void => {
        if (settled) return;
        settled = true;
        this.cancelHandoff = null;
        window.clearInterval(poll);
        if (!rendered || !incoming.isConnected) {
          incoming.remove();
          resolve(false);
          return;
        }
        incoming.muted = this.video.muted;
        incoming.classList.remove('next');
        incoming.setAttribute('data-part', 'video');
        this.video.remove();
        this.video = incoming;
        this.stream = next;
        void incoming.play().catch(() => {
          incoming.muted = true;
          void incoming.play().catch(() => undefined);
        });
        this.updateUnmute();
        resolve(true);
      };
      this.cancelHandoff = () => settle(false);
      incoming.requestVideoFrameCallback?.(() => settle(true));
      // Where requestVideoFrameCallback is missing: frames counted by the element itself.
      const poll = window.setInterval(() => {
        if (incoming.videoWidth > 0 && (incoming.getVideoPlaybackQuality?.().totalVideoFrames ?? 1) > 0) settle(true);
      }, 100);
    });
  }

  /** Drops a pending handoff: its stream is gone (the handle was replaced). */
  abandonHandoff(): void {
    this.cancelHandoff?.();
  }

  addTrack(track: MediaStreamTrack): void {
    if (this.stream.getTracks().includes(track)) return;
    for (const old of this.stream.getTracks()) {
      if (old.kind === track.kind && old.id !== track.id) this.stream.removeTrack(old);
    }
    this.stream.addTrack(track);
    // Re-assigning makes some browsers pick up the new track; muted autoplay is always allowed.
    this.video.srcObject = this.stream;
    void this.video.play().catch(() => undefined);
    this.updateUnmute();
  }

  removeTrack(track: MediaStreamTrack): void {
    this.stream.removeTrack(track);
    this.updateUnmute();
  }

  clearMedia(): void {
    this.cancelHandoff?.();
    for (const track of this.stream.getTracks()) this.stream.removeTrack(track);
    // Detach so the last frame does not linger behind the overlay; addTrack() re-attaches.
    this.video.srcObject = null;
    this.updateUnmute();
  }

  private unmute(): void {
    this.video.muted = false;
    void this.video.play().catch(() => {
      // The browser refused sound without a gesture it accepts: stay muted, keep the button.
      this.video.muted = true;
      this.updateUnmute();
    });
    this.updateUnmute();
  }

  private updateUnmute(): void {
    const hasAudio = this.stream.getAudioTracks().length > 0;
    this.unmuteButton.hidden = !(this.state === 'playing' && hasAudio && this.video.muted);
  }

  destroy(): void {
    this.cancelHandoff?.();
    this.video.srcObject = null;
    this.card.remove();
  }
}
