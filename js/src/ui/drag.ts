// SPDX-License-Identifier: GPL-3.0-or-later
// Lets the preview be dragged by its header; the position survives reloads within the tab.

const MARGIN = 12;

interface Position {
  left: number;
  top: number;
}

function clamp(card: HTMLElement, pos: Position): Position {
  const maxLeft = Math.max(MARGIN, window.innerWidth - card.offsetWidth - MARGIN);
  const maxTop = Math.max(MARGIN, window.innerHeight - card.offsetHeight - MARGIN);
  return {
    left: Math.min(Math.max(MARGIN, pos.left), maxLeft),
    top: Math.min(Math.max(MARGIN, pos.top), maxTop),
  };
}

function load(key: string): Position | null {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && 'left' in parsed && 'top' in parsed) {
      const { left, top } = parsed as { left: unknown; top: unknown };
      if (typeof left === 'number' && typeof top === 'number') return { left, top };
    }
  } catch {
    // Storage blocked (privacy mode, sandboxed iframe): fall back to the default corner.
  }
  return null;
}

function save(key: string, pos: Position): void {
  try {
    sessionStorage.setItem(key, JSON.stringify(pos));
  } catch {
    // Not fatal: the position just will not survive a reload.
  }
}

/** Places `card` (default: bottom-right) and makes `handle` drag it. Returns a disposer. */
export function makeDraggable(card: HTMLElement, handle: HTMLElement, storageKey: string): () => void {
  const place = (pos: Position | null): void => {
    if (!pos) {
      card.style.left = '';
      card.style.top = '';
      card.style.right = '20px';
      card.style.bottom = '20px';
      return;
    }
    const c = clamp(card, pos);
    card.style.right = 'auto';
    card.style.bottom = 'auto';
    card.style.left = `${c.left}px`;
    card.style.top = `${c.top}px`;
  };
  place(load(storageKey));
  requestAnimationFrame(() => place(load(storageKey)));

  let start: { x: number; y: number; left: number; top: number } | null = null;
  const onDown = (ev: PointerEvent): void => {
    if (ev.button !== 0 || (ev.target instanceof Element && ev.target.closest('button'))) return;
    const rect = card.getBoundingClientRect();
    start = { x: ev.clientX, y: ev.clientY, left: rect.left, top: rect.top };
    handle.setPointerCapture(ev.pointerId);
    ev.preventDefault();
  };
  const onMove = (ev: PointerEvent): void => {
    if (!start) return;
    place({ left: start.left + ev.clientX - start.x, top: start.top + ev.clientY - start.y });
  };
  const onUp = (ev: PointerEvent): void => {
    if (!start) return;
    start = null;
    if (handle.hasPointerCapture(ev.pointerId)) handle.releasePointerCapture(ev.pointerId);
    const rect = card.getBoundingClientRect();
    save(storageKey, { left: rect.left, top: rect.top });
  };
  const onResize = (): void => {
    if (card.style.left) place({ left: card.offsetLeft, top: card.offsetTop });
  };
  handle.addEventListener('pointerdown', onDown);
  handle.addEventListener('pointermove', onMove);
  handle.addEventListener('pointerup', onUp);
  handle.addEventListener('pointercancel', onUp);
  window.addEventListener('resize', onResize);
  return () => window.removeEventListener('resize', onResize);
}
