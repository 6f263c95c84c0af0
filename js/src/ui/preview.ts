// SPDX-License-Identifier: GPL-3.0-or-later
// The broadcaster's floating preview: own camera, live badge, elapsed time, viewer count, stop,
// and one Allow/Deny prompt per pending watch request.
import { t, viewersLabel } from '../i18n';
import type { Person } from '../protocol';
import { button, formatDuration, h, icon, initials, phrase } from './dom';
import { makeDraggable } from './drag';
import { widgetRoot } from './host';

export type PreviewState = 'starting' | 'live' | 'reconnecting' | 'error' | 'ended';

export interface PreviewActions {
  stop(): void;
  close(): void;
  answer(requestId: string, accept: boolean): void;
}

interface PromptEntry {
  el: HTMLElement;
  timer: number;
}

export class PreviewView {
  private readonly card: HTMLElement;
  private readonly status: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly elapsed: HTMLElement;
  private readonly viewerCount: HTMLElement;
  private readonly viewerCountText: HTMLElement;
  private readonly video: HTMLVideoElement;
  private readonly stage: HTMLElement;
  private readonly message: HTMLElement;
  private readonly messageText: HTMLElement;
  private readonly prompts: HTMLElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly promptEntries = new Map<string, PromptEntry>();
  private readonly undrag: () => void;
  private startedAt = 0;
  private clock = 0;

  constructor(private readonly actions: PreviewActions, user: string) {
    this.statusText = h('span', {}, t('starting'));
    this.status = h('span', { class: 'badge', 'data-part': 'status', role: 'status' }, h('span', { class: 'dot' }), this.statusText);
    this.elapsed = h('span', { class: 'elapsed', 'data-part': 'elapsed', hidden: true }, '0:00');
    this.viewerCountText = h('span', {}, '0');
    this.viewerCount = h('span', { class: 'count', 'data-part': 'viewer-count', 'data-count': '0', title: viewersLabel(0) }, icon('eye'), this.viewerCountText);
    const header = h('header', { 'data-part': 'header' }, this.status, this.elapsed, h('span', { class: 'spacer' }), this.viewerCount);
    this.video = h('video', { 'data-part': 'video', playsinline: true, autoplay: true, muted: true, 'aria-label': t('preview') });
    this.video.muted = true;
    this.stage = h('div', { class: 'stage', hidden: true }, this.video);
    this.messageText = h('p', { class: 'message-text', style: 'margin:0' });
    this.message = h('div', { class: 'message', 'data-part': 'message', role: 'alert', hidden: true }, icon('alert'), this.messageText);
    this.prompts = h('div', { class: 'prompts', 'data-part': 'prompts', 'aria-live': 'polite' });
    this.stopButton = button('stop', t('stop'), 'primary text', 'stop');
    this.closeButton = button('close', t('close'), 'ghost text');
    this.closeButton.hidden = true;
    this.stopButton.addEventListener('click', () => this.actions.stop());
    this.closeButton.addEventListener('click', () => this.actions.close());
    const footer = h('footer', {}, this.stopButton, this.closeButton);
    this.card = h('section', { class: 'card preview', 'data-part': 'preview', 'data-state': 'starting', 'data-user': user, 'aria-label': t('preview') },
      header, this.stage, this.message, this.prompts, footer);
    widgetRoot().layer.append(this.card);
    this.undrag = makeDraggable(this.card, header, 'onair_preview_position');
  }

  get element(): HTMLElement {
    return this.card;
  }

  setState(state: PreviewState): void {
    this.card.setAttribute('data-state', state);
    const labels: Record<PreviewState, string> = {
      starting: t('starting'),
      live: t('live'),
      reconnecting: t('reconnecting'),
      error: t('notLive'),
      ended: t('broadcastEnded'),
    };
    this.statusText.textContent = labels[state];
    const over = state === 'error' || state === 'ended';
    this.stopButton.hidden = over;
    this.viewerCount.hidden = over;
    this.closeButton.hidden = !over;
    this.elapsed.hidden = !(state === 'live' || state === 'reconnecting') || this.startedAt === 0;
    if (over) {
      for (const id of [...this.promptEntries.keys()]) this.removePrompt(id);
      window.clearInterval(this.clock);
      this.clock = 0;
    }
  }

  setStream(stream: MediaStream | null): void {
    this.video.srcObject = stream;
    this.stage.hidden = stream === null;
    if (stream) void this.video.play().catch(() => undefined);
  }

  setStartedAt(epochSeconds: number): void {
    this.startedAt = epochSeconds > 0 ? epochSeconds : Date.now() / 1000;
    const tick = (): void => {
      this.elapsed.textContent = formatDuration(Date.now() / 1000 - this.startedAt);
    };
    tick();
    window.clearInterval(this.clock);
    this.clock = window.setInterval(tick, 1000);
  }

  setViewers(count: number): void {
    this.viewerCountText.textContent = String(count);
    this.viewerCount.setAttribute('data-count', String(count));
    this.viewerCount.title = viewersLabel(count);
    this.viewerCount.setAttribute('aria-label', viewersLabel(count));
  }

  showMessage(text: string | null): void {
    this.messageText.textContent = text ?? '';
    this.message.hidden = text === null;
  }

  addPrompt(requestId: string, viewer: Person, expiresIn: number): void {
    this.removePrompt(requestId);
    // Who asks: the token's name when the site's backend vouches for it, else the user id; a name
    // the viewer chose goes on a line of its own, marked as unverified.
    const verified = viewer.name !== '' && viewer.nameVerified;
    const who = verified ? phrase('wantsToWatch', { name: viewer.name }) : phrase('wantsToWatch', { name: t('viewerFallback', { id: viewer.user }) });
    const declared = viewer.name !== '' && !verified
      ? h('span', { class: 'declared-name', 'data-part': 'viewer-declared-name' }, ...phrase('selfDeclaredName', { name: viewer.name }))
      : null;
    const countdown = h('span', { class: 'countdown', 'data-part': 'countdown' });
    const fill = h('i');
    const allow = button('allow', t('allow'), 'primary text');
    const deny = button('deny', t('deny'), 'ghost text');
    const el = h('div', { class: 'prompt', 'data-part': 'prompt', 'data-request-id': requestId, 'data-viewer': viewer.user, role: 'group' },
      h('span', { class: 'avatar', 'aria-hidden': 'true', dir: 'auto' }, verified ? initials(viewer.name) : [...viewer.user].slice(0, 2).join('') || '?'),
      h('span', { class: 'prompt-text' }, h('strong', { 'data-part': 'viewer-name', 'data-verified': String(verified) }, ...who), declared, countdown),
      h('span', { class: 'bar' }, fill),
      h('span', { class: 'actions' }, deny, allow));
    const deadline = Date.now() + Math.max(1, expiresIn) * 1000;
    const total = Math.max(1, expiresIn);
    const tick = (): void => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      countdown.textContent = t('secondsLeft', { s: left });
      fill.style.transform = `scaleX(${left / total})`;
    };
    tick();
    const timer = window.setInterval(tick, 1000);
    const decide = (accept: boolean): void => {
      allow.disabled = true;
      deny.disabled = true;
      el.setAttribute('data-answered', accept ? 'allow' : 'deny');
      this.actions.answer(requestId, accept);
    };
    allow.addEventListener('click', () => decide(true));
    deny.addEventListener('click', () => decide(false));
    this.prompts.append(el);
    this.promptEntries.set(requestId, { el, timer });
  }

  removePrompt(requestId: string): void {
    const entry = this.promptEntries.get(requestId);
    if (!entry) return;
    window.clearInterval(entry.timer);
    entry.el.remove();
    this.promptEntries.delete(requestId);
  }

  destroy(): void {
    for (const id of [...this.promptEntries.keys()]) this.removePrompt(id);
    window.clearInterval(this.clock);
    this.undrag();
    this.video.srcObject = null;
    this.card.remove();
  }
}
