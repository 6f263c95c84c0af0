// SPDX-License-Identifier: GPL-3.0-or-later
// i18n.ts as onair-media.js has it: onair.js' own, lent through MEDIA_HOOK, so the text tables
// travel once. js/build.mjs puts this file in the place of i18n.ts in the media half; a name the
// media half imports and this file lacks fails that build.
import type * as I18n from '../i18n';
import { borrow } from './hook';

export const { t, viewersLabel, widgetLanguage }: typeof I18n = borrow('i18n');
