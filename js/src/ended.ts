// SPDX-License-Identifier: GPL-3.0-or-later
// What a person reads when the plugin ends their broadcast or watch: one table for the `ended`
// reasons of docs/protocol.md, for both sides.
import { t, type StringKey } from './i18n';

/** A side hears only some reasons: `removed` and `start_timeout` concern a viewer, and `restart`
 * ends only broadcasts whose broadcaster never came back after a server restart, so only their
 * viewers are told. An unknown reason reads as a plain end. */
const endedKeys = new Map<string, StringKey>([
  ['stopped', 'endedStopped'],
  ['removed', 'endedRemoved'],
  ['admin', 'endedAdmin'],
  ['hangup_timeout', 'endedHangup'],
  ['publish_timeout', 'endedPublishTimeout'],
  ['restart', 'endedHangup'],
  ['start_timeout', 'endedStartTimeout'],
]);

/** The text for `reason`, in the page language. `taken_over` says where each side's session
 * went on: the broadcast in the user's other tab, or the watch in the viewer's other tab. */
export function endedMessage(role: 'broadcast' | 'watch', reason: string): string {
  if (reason === 'taken_over') return t(role === 'broadcast' ? 'endedTakenOver' : 'endedWatchTakenOver');
  // A Map, not an object literal: a reason such as `constructor` finds nothing inherited.
  return t(endedKeys.get(reason) ?? 'endedStopped');
}
