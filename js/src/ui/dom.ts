// SPDX-License-Identifier: GPL-3.0-or-later
// A tiny element builder: the widget is small enough not to need a framework.
import { t, type StringKey } from '../i18n';

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

const icons = {
  eye: '<path d="M1.5 12S5.5 4.5 12 4.5 22.5 12 22.5 12 18.5 19.5 12 19.5 1.5 12 1.5 12Z"/><circle cx="12" cy="12" r="3.2"/>',
  close: '<path d="M6 6l12 12M18 6L6 18"/>',
  stop: '<rect x="6.5" y="6.5" width="11" height="11" rx="2"/>',
  muted: '<path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z"/><path d="M16 9.5l5 5M21 9.5l-5 5"/>',
  alert: '<path d="M12 3.5 2.5 20h19z"/><path d="M12 10v4.5M12 17.2v.3"/>',
  camera: '<rect x="2.5" y="6.5" width="13" height="11" rx="2"/><path d="M15.5 10.5l6-3.5v10l-6-3.5"/>',
};

export type IconName = keyof typeof icons;

export function icon(name: IconName): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.innerHTML = icons[name];
  return svg;
}

export function button(part: string, label: string, className: string, iconName?: IconName): HTMLButtonElement {
  const el = h('button', { type: 'button', 'data-part': part, class: className, 'aria-label': label, title: label });
  if (iconName) el.append(icon(iconName));
  if (className.includes('text') || !iconName) el.append(h('span', {}, label));
  return el;
}

export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const mm = String(minutes).padStart(hours > 0 ? 2 : 1, '0');
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function initials(name: string): string {
  const letters = name.trim().split(/\s+/).slice(0, 2).map((w) => [...w][0] ?? '').join('');
  return letters.toUpperCase() || '?';
}

/** A translated text whose `{placeholders}` are user-given values (names, ids), each in its own
 * <bdi dir="auto">: a right-to-left name, or one with stray bidi characters, cannot reorder the
 * widget's own words around it. Its textContent is t(key, vars). */
export function phrase(key: StringKey, vars: Record<string, string>): Node[] {
  return t(key).split(/(\{\w+\})/).filter((part) => part !== '').map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    const value = name === undefined ? undefined : vars[name];
    return value === undefined ? document.createTextNode(part) : h('bdi', { dir: 'auto' }, value);
  });
}
