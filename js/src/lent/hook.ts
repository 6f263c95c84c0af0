// SPDX-License-Identifier: GPL-3.0-or-later
// The media half's side of MEDIA_HOOK (media_api.ts): what onair.js set before it loaded
// onair-media.js.
import { MEDIA_HOOK, type Lent, type MediaHook } from '../media_api';

/** onair.js' hook, or undefined when onair-media.js was loaded without onair.js. */
export function mediaHook(): MediaHook | undefined {
  return (window as unknown as Record<symbol, MediaHook | undefined>)[MEDIA_HOOK];
}

/** The module onair.js lends as `name`. Without onair.js, or from an onair.js of another build, it
 * may be missing: the stand-in is then empty rather than an error while the script runs, so that
 * such a media half still reaches media.ts, which says why it does not start (no onair.js), or
 * registers and is refused as media_outdated (loader.ts). Nothing of it is ever called. */
export function borrow<K extends keyof Lent>(name: K): Lent[K] {
  return mediaHook()?.lent?.[name] ?? ({} as Lent[K]);
}
