// SPDX-License-Identifier: GPL-3.0-or-later
// What survives a reload: the broadcaster's camera consent (a first-party cookie, as the brief
// asks) and which targets this tab was watching (sessionStorage: per tab, gone with it).

/** Cookie names allow few characters: keep [A-Za-z0-9.-], hex-escape the rest as _xx_. */
function cookiePart(value: string): string {
  return value.replace(/[^A-Za-z0-9.-]/g, (c) => `_${(c.codePointAt(0) ?? 0).toString(16)}_`);
}

export function consentCookieName(site: string, user: string): string {
  return `onair_live_${cookiePart(site)}_${cookiePart(user)}`;
}

/** Consent lasts a working day: long enough for reloads and navigation, short enough that the
 * camera does not switch on by itself the next morning. */
const CONSENT_MAX_AGE = 8 * 3600;

export function rememberConsent(site: string, user: string): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${consentCookieName(site, user)}=1; Max-Age=${CONSENT_MAX_AGE}; Path=/; SameSite=Lax${secure}`;
}

export function forgetConsent(site: string, user: string): void {
  document.cookie = `${consentCookieName(site, user)}=; Max-Age=0; Path=/; SameSite=Lax`;
}

export function hasConsent(site: string, user: string): boolean {
  const name = consentCookieName(site, user);
  return document.cookie.split(';').some((part) => part.trim() === `${name}=1`);
}

function watchKey(site: string): string {
  return `onair_watching_${site}`;
}

function readWatching(site: string): Array<{ target: string; user: string }> {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(watchKey(site)) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((e): e is { target: string; user: string } =>
      typeof e === 'object' && e !== null && typeof (e as { target?: unknown }).target === 'string' &&
      typeof (e as { user?: unknown }).user === 'string');
  } catch {
    return [];
  }
}

function writeWatching(site: string, entries: Array<{ target: string; user: string }>): void {
  try {
    if (entries.length === 0) sessionStorage.removeItem(watchKey(site));
    else sessionStorage.setItem(watchKey(site), JSON.stringify(entries));
  } catch {
    // Storage blocked: a reload then simply does not re-watch by itself.
  }
}

export function rememberWatching(site: string, target: string, user: string): void {
  const entries = readWatching(site).filter((e) => e.target !== target);
  entries.push({ target, user });
  writeWatching(site, entries);
}

export function forgetWatching(site: string, target: string): void {
  writeWatching(site, readWatching(site).filter((e) => e.target !== target));
}

export function wasWatching(site: string, target: string, user: string): boolean {
  return readWatching(site).some((e) => e.target === target && e.user === user);
}
