// SPDX-License-Identifier: GPL-3.0-or-later
// Finds data-onair buttons, now and later (single-page apps), and reports additions, removals
// and attribute changes. The controller decides what they mean.

export type ButtonKind = 'broadcast' | 'watch';

const SELECTOR = '[data-onair="broadcast"], [data-onair="watch"]';
const WATCHED_ATTRIBUTES = ['data-onair', 'data-onair-user', 'data-onair-target', 'data-onair-token', 'data-onair-name'];

export interface ButtonEvents {
  added(el: HTMLElement, kind: ButtonKind): void;
  removed(el: HTMLElement): void;
  /** An identity attribute changed (e.g. a new token, another target). */
  updated(el: HTMLElement, kind: ButtonKind): void;
}

export function buttonKind(el: Element): ButtonKind | null {
  const kind = el.getAttribute('data-onair');
  return kind === 'broadcast' || kind === 'watch' ? kind : null;
}

export class ButtonWatcher {
  private readonly known = new Set<HTMLElement>();
  private observer: MutationObserver | null = null;

  constructor(private readonly events: ButtonEvents) {}

  start(): void {
    this.scan();
    this.observer = new MutationObserver((records) => this.onMutations(records));
    this.observer.observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: WATCHED_ATTRIBUTES,
    });
  }

  buttons(): HTMLElement[] {
    return [...this.known];
  }

  private scan(): void {
    for (const el of document.querySelectorAll<HTMLElement>(SELECTOR)) this.add(el);
  }

  private add(el: HTMLElement): void {
    const kind = buttonKind(el);
    if (!kind || this.known.has(el)) return;
    this.known.add(el);
    this.events.added(el, kind);
  }

  private remove(el: HTMLElement): void {
    if (!this.known.delete(el)) return;
    this.events.removed(el);
  }

  private onMutations(records: MutationRecord[]): void {
    let removedSomething = false;
    for (const record of records) {
      if (record.type === 'childList') {
        // Only the added subtrees are searched, so busy pages (chats, feeds) stay cheap.
        for (const node of record.addedNodes) {
          if (!(node instanceof HTMLElement)) continue;
          if (node.matches(SELECTOR)) this.add(node);
          for (const el of node.querySelectorAll<HTMLElement>(SELECTOR)) this.add(el);
        }
        if (record.removedNodes.length > 0) removedSomething = true;
        continue;
      }
      const el = record.target;
      if (!(el instanceof HTMLElement)) continue;
      const kind = buttonKind(el);
      if (record.attributeName === 'data-onair') {
        if (this.known.has(el)) this.remove(el);
        if (kind && el.isConnected) this.add(el);
      } else if (kind && this.known.has(el)) {
        this.events.updated(el, kind);
      }
    }
    if (removedSomething) {
      for (const el of [...this.known]) if (!el.isConnected) this.remove(el);
    }
  }
}
