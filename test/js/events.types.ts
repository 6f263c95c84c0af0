// SPDX-License-Identifier: GPL-3.0-or-later
// Type-level tests of OnAir.on's event map (js/src/events.ts), checked by `npm run typecheck`:
// each listener sees its event's documented detail, and a wrong field does not compile.
import type { OnAirApi } from '../../js/src/main';

export function usesTheEventMap(api: OnAirApi): Array<() => void> {
  return [
    api.on('watch_request', (d) => {
      const id: string = d.requestId;
      const verified: boolean = d.viewer.nameVerified;
      const left: number = d.expiresIn;
      const type: 'watch_request' = d.type;
      const site: string = d.site;
      void [id, verified, left, type, site];
      // @ts-expect-error a prompt has no target
      void d.target;
    }),
    api.on('onair:viewer_left', (d) => {
      const count: number = d.viewers;
      const type: 'viewer_left' = d.type; // the name without its prefix
      void [count, type];
    }),
    api.on('error', (d) => {
      const code: number | string | undefined = d.code;
      void code;
      if (d.role === 'broadcast') void (d.user satisfies string);
      else void (d.target satisfies string);
    }),
    api.on('presence', (d) => void (d.live satisfies boolean)),
    api.on('left', (d) => void (d.target satisfies string)),
    api.on('*', (d) => {
      if (d.type === 'viewer_joined') void (d.viewer.user satisfies string);
      // @ts-expect-error only some events have a viewer
      void d.viewer;
    }),
    // @ts-expect-error not an event
    api.on('viewer_arrived', () => undefined),
    // @ts-expect-error a presence detail has no viewers count
    api.on('presence', (d) => void (d.viewers satisfies number)),
  ];
}
