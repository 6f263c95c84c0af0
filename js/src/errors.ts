// SPDX-License-Identifier: GPL-3.0-or-later
// One error type for everything a site or a person may see: plugin errors keep the numeric
// `error_code` of docs/protocol.md, client-side failures use the string codes below.
import { t, type StringKey } from './i18n';
import { parsePluginMessage } from './protocol';

export type ClientErrorCode =
  | 'server_unreachable'
  | 'server_misconfigured'
  | 'connection_lost'
  | 'webrtc_unsupported'
  | 'camera_denied'
  | 'camera_not_found'
  | 'camera_busy'
  | 'camera_constraints'
  | 'camera_insecure'
  | 'camera_failed'
  | 'camera_stopped'
  | 'media_failed'
  | 'media_unavailable'
  | 'media_outdated'
  | 'bad_options';

export class OnAirError extends Error {
  /** A plugin error_code (number) or a ClientErrorCode. */
  readonly code: number | string;
  /** The server's or browser's own wording, for logs; `message` is the translated text. */
  readonly detail: string;

  constructor(code: number | string, message: string, detail = '') {
    super(message);
    this.name = 'OnAirError';
    this.code = code;
    this.detail = detail;
  }
}

const pluginMessages: Record<number, StringKey> = {
  545: 'err545',
  546: 'err546',
  547: 'err547',
  548: 'err548',
  549: 'err549',
  550: 'err550',
  551: 'err551',
  552: 'err552',
  553: 'err553',
  554: 'err554',
};

/** A plugin `error_code`/`error` pair as a person-readable error. `name` fills "{name} is not live". */
export function pluginError(code: number, serverText: string, name = ''): OnAirError {
  const key = pluginMessages[code];
  const message = key ? t(key, { name: name || '?' }) : t('errOther', { detail: serverText || String(code) });
  return new OnAirError(code, message, serverText);
}

/** What janus.js hands a request's `success`: nothing for an ack, the plugin's data for a
 * synchronous answer. A synchronous refusal (551: too many messages of the handle still waiting)
 * is followed by no event, so the caller must see it here. */
export function synchronousRefusal(data: unknown): OnAirError | null {
  const answer = parsePluginMessage(data);
  return answer?.kind === 'error' ? pluginError(answer.code, answer.message) : null;
}

export function clientError(code: ClientErrorCode, key: StringKey, detail = ''): OnAirError {
  return new OnAirError(code, t(key), detail);
}

/** What a thrown value says, for `detail` and logs: an Error's message, anything else as text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `err` as it reaches the page: an OnAirError as it is, anything else as a failed connection. */
export function asOnAirError(err: unknown): OnAirError {
  return err instanceof OnAirError ? err : clientError('media_failed', 'mediaFailed', errorText(err));
}
