// SPDX-License-Identifier: GPL-3.0-or-later
// js/build.mjs loads .css files as minified text.
declare module '*.css' {
  const text: string;
  export default text;
}
