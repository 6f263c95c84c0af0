// SPDX-License-Identifier: GPL-3.0-or-later
// Bundles the wrapper, janus.js and webrtc-adapter into one minified IIFE: js/dist/onair.js.
import { build, transform } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(await readFile(join(here, '..', 'package.json'), 'utf8'));

// Parts of janus.js onair.js never calls (data channels, DTMF, volume/bitrate meters, mute, screen
// sharing extensions, the deprecated `media` API, device listing, getUserMedia done by janus.js
// itself: onair.js always hands it tracks it captured). Their bodies are emptied to keep the bundle
// inside its budget; a signature that is not found fails the build.
const unusedJanusFunctions = [
  'function getBitrate(handleId, mid) {',
  'function getVolume(handleId, mid, remote, result) {',
  'function isMuted(handleId, mid, video) {',
  'function mute(handleId, mid, video, mute) {',
  'function sendDtmf(handleId, callbacks) {',
  'function sendData(handleId, callbacks) {',
  'function createDataChannel(handleId, dclabel, dcprotocol, incoming, pendingData) {',
  'function getInfo(callbacks) {',
  'function setBitrate(handleId, mid, bitrate) {',
  'async function replaceTracks(handleId, callbacks) {',
  'Janus.useOldDependencies = function (deps) {',
  'Janus.mediaToTracks = function(media) {',
  'Janus.isExtensionEnabled = function() {',
  'Janus.trackConstraints = function(track) {',
  'Janus.reattachMediaStream = function(to, from) {',
  'Janus.attachMediaStream = function(element, stream) {',
  'Janus.listDevices = function(callback, config) {',
];

/** Replaces the body of the function whose header is `signature` (ending in `{`) with `{}`. The
 * closing brace is found by counting braces outside strings and comments. */
function emptyBody(source, signature) {
  const start = source.indexOf(signature);
  if (start < 0) throw new Error(`janus.js: "${signature}" not found: update js/build.mjs`);
  let depth = 0;
  for (let i = start + signature.length - 1; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
    } else if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i);
    } else if (c === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i) + 1;
    } else if (c === '{') {
      depth++;
    } else if (c === '}' && --depth === 0) {
      return `${source.slice(0, start)}${signature}}${source.slice(i + 1)}`;
    }
  }
  throw new Error(`janus.js: no end found for "${signature}"`);
}

// janus.js opens with a UMD prologue that calls define() when the host page has an AMD loader
// (RequireJS and friends), which would leave the bundle without Janus. We always want the
// factory's return value, so the prologue is replaced; the build fails loudly if janus.js
// changes shape. Its chatty log/debug calls are marked pure so the minifier drops them (warn and
// error stay), which keeps the bundle inside its 45 KB gzipped budget.
const janusForBundle = {
  name: 'janus-for-bundle',
  setup(b) {
    b.onLoad({ filter: /janus-gateway[\\/]npm[\\/]dist[\\/]janus\.es\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const prologue = /var Janus = \(function \(factory\) \{[\s\S]*?\}\(function \(\) \{/;
      if (!prologue.test(source)) {
        throw new Error(`janus.js UMD prologue not found in ${args.path}: update js/build.mjs`);
      }
      const contents = unusedJanusFunctions.reduce(emptyBody, source)
        .replace(prologue, 'var Janus = (function (factory) { return factory(); }(function () {')
        .replace(/\bJanus\.(log|debug|vdebug|trace)\(/g, '/* @__PURE__ */ Janus.$1(');
      return { contents, loader: 'js' };
    });
  },
};

// The widget's stylesheet lives in a real .css file and is inlined as minified text.
const cssAsText = {
  name: 'css-as-text',
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const { code } = await transform(await readFile(args.path, 'utf8'), { loader: 'css', minify: true, target: 'chrome100' });
      return { contents: code.trim(), loader: 'text' };
    });
  },
};

const result = await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: join(here, 'dist', 'onair.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  platform: 'browser',
  legalComments: 'none',
  sourcemap: 'linked', // onair.js.map, served next to onair.js (nginx serves both)
  banner: { js: `/*! onair.js ${pkg.version ?? ''} | GPL-3.0-or-later | bundles janus.js (MIT, Meetecho) and webrtc-adapter (BSD-3-Clause) */` },
  define: { __ONAIR_VERSION__: JSON.stringify(pkg.version ?? '0.0.0') },
  plugins: [janusForBundle, cssAsText],
  metafile: true,
  logLevel: 'warning',
});

const out = Object.entries(result.metafile.outputs).find(([name]) => name.endsWith('onair.js'));
if (out) console.log(`js/dist/onair.js: ${out[1].bytes} bytes`);
