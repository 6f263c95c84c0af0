// SPDX-License-Identifier: GPL-3.0-or-later
// errors.ts as onair-media.js has it: onair.js' own, lent through MEDIA_HOOK, so the error texts
// travel once and an error of either half is the one OnAirError class (`instanceof`,
// window.OnAirError). js/build.mjs puts this file in the place of errors.ts in the media half; a
// name the media half imports and this file lacks fails that build.
import type * as Errors from '../errors';
import { borrow } from './hook';

export const { OnAirError, asOnAirError, clientError, errorText, pluginError, synchronousRefusal }: typeof Errors =
  borrow('errors');
