// SPDX-License-Identifier: GPL-3.0-or-later
// What a broadcaster reads when the camera cannot be had. Only the media half asks for a camera,
// so this lives apart from errors.ts, which onair.js lends it (lent/errors.ts): onair.js does not
// carry code it never runs.
import { OnAirError, errorText } from './errors';
import { t } from './i18n';

/** Maps a getUserMedia failure (a DOMException, or a TypeError when mediaDevices is missing). */
export function mediaError(err: unknown): OnAirError {
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err)
    ? String((err as { name: unknown }).name)
    : '';
  const detail = errorText(err);
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return new OnAirError('camera_denied', t('camNotAllowed'), detail);
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return new OnAirError('camera_not_found', t('camNotFound'), detail);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new OnAirError('camera_busy', t('camNotReadable'), detail);
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return new OnAirError('camera_constraints', t('camOverconstrained'), detail);
    case 'SecurityError':
      return new OnAirError('camera_insecure', t('camSecurity'), detail);
    default:
      return new OnAirError('camera_failed', t('camOther', { detail: detail || name || '?' }), detail);
  }
}
