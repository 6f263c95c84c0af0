// SPDX-License-Identifier: GPL-3.0-or-later
// The little of a page the widget's pure parts read, for node: <html lang> (i18n.ts reads it on
// every call), a `window` whose timers are node's, and per-tab sessionStorage.

/** Sets the page language as <html lang="…"> would; null: no lang attribute. */
export function setPageLanguage(lang) {
  globalThis.document = { documentElement: { getAttribute: (name) => (name === 'lang' ? lang : null) } };
}

/** `window.setTimeout` and friends are node's own timers (which node:test can mock). */
export function useNodeWindow() {
  globalThis.window = globalThis;
}

/** A fresh, empty sessionStorage with the Storage methods storage.ts calls. */
export function freshSessionStorage() {
  const items = new Map();
  globalThis.sessionStorage = {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
  return items;
}
