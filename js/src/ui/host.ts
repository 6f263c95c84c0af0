// SPDX-License-Identifier: GPL-3.0-or-later
// The single shadow host all widget UI lives in, created on first use.
import { widgetLanguage } from '../i18n';
import { h } from './dom';
import css from './widget.css';

export interface WidgetRoot {
  /** Where the broadcaster's preview goes (positioned by itself, draggable). */
  layer: HTMLElement;
  /** Where viewer players stack (bottom-left). */
  dock: HTMLElement;
}

let root: WidgetRoot | null = null;
let hostElement: HTMLElement | null = null;

export function widgetRoot(): WidgetRoot {
  if (root && hostElement?.isConnected) {
    hostElement.setAttribute('lang', widgetLanguage());
    return root;
  }
  const host = document.createElement('onair-widget');
  host.setAttribute('lang', widgetLanguage());
  // Open mode so tests (and assistive tooling) can reach in; the styles are isolated either way.
  const shadow = host.attachShadow({ mode: 'open' });
  const layer = h('div', { class: 'layer' });
  const dock = h('div', { class: 'dock', 'data-part': 'dock' });
  shadow.append(h('style', {}, css), layer, dock);
  document.body.append(host);
  hostElement = host;
  root = { layer, dock };
  return root;
}
