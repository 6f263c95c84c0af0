// SPDX-License-Identifier: GPL-3.0-or-later
// What OnAir.on listeners receive (docs/widget.md, "Events" and "JavaScript API"): one detail
// type per event name. Types only: nothing here reaches the bundle.
import type { ButtonState } from './flow';
import type { Person } from './protocol';

/** The fields a broadcast or watch keeps in its detail, each where it applies. */
export interface FlowFields {
  /** `error`: a plugin error_code or a client error code. */
  code?: number | string;
  /** `error`, `ended`, `declined`: the text the widget shows, in the page language. */
  message?: string;
  /** `error`: the server's or browser's own wording, for logs. */
  detail?: string;
  /** `ended` / `declined`: the protocol reason. */
  reason?: string;
  /** broadcast: viewers watching. */
  viewers?: number;
  /** The server connection or the relayed media's path is being restored. */
  reconnecting?: boolean;
  /** `sfu` or `p2p`. */
  media?: string;
  broadcastId?: string;
  resumed?: boolean;
  /** watch `requesting`: the pending request. */
  requestId?: string;
  expiresIn?: number;
  /** watch: the viewer's own user id. */
  user?: string;
}

/** A broadcast or watch changed state, or is reconnecting; also the detail of button events,
 * where a watch button without a watch has `live` from presence. */
export type StateDetail = FlowFields & { state: ButtonState; live?: boolean } & (
  | { role: 'broadcast'; user: string }
  | { role: 'watch'; target: string }
);

interface PromptGone {
  role: 'broadcast';
  user: string;
  requestId: string;
}

interface ViewerChange {
  role: 'broadcast';
  user: string;
  viewer: Person;
  viewers: number;
}

interface WatchNotice {
  role: 'watch';
  target: string;
}

/** Notifications that are not states: what a flow hands its host to emit. */
export interface NoticeDetails {
  watch_request: { role: 'broadcast'; user: string; requestId: string; viewer: Person; expiresIn: number };
  request_expired: PromptGone;
  request_cancelled: PromptGone;
  viewer_joined: ViewerChange;
  viewer_left: ViewerChange;
  interrupted: WatchNotice;
  resumed: WatchNotice;
  left: WatchNotice;
  presence: { role: 'watch'; target: string; live: boolean };
}

export type EventDetails = { [S in ButtonState | 'reconnecting']: StateDetail } & NoticeDetails;
export type EventName = keyof EventDetails;

/** What a listener receives: the event's detail plus `type` (the name, no prefix) and `site`. */
export type OnAirEvent<N extends EventName> = EventDetails[N] & { type: N; site: string };

/** `on()` takes an event name, the same with the `onair:` prefix, or `*` for every event. */
export type EventType = EventName | `onair:${EventName}` | '*';

export type EventOf<T extends EventType> = T extends `onair:${infer N extends EventName}`
  ? OnAirEvent<N>
  : T extends EventName
    ? OnAirEvent<T>
    : { [N in EventName]: OnAirEvent<N> }[EventName];

export type OnAirListener<T extends EventType> = (event: EventOf<T>) => void;

/** How listeners are kept, whatever they listen to. */
export type AnyListener = (event: OnAirEvent<EventName>) => void;
