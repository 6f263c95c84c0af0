// SPDX-License-Identifier: GPL-3.0-or-later
// Builds the widget as two minified IIFEs in js/dist/ (docs/widget.md, "Building"):
//   onair.js        the script tag: buttons, presence (its own small Janus client), texts, the
//                   widget's cards; what every page with a button downloads;
//   onair-media.js  janus.js and webrtc-adapter, unedited, with the broadcast and watch flows;
//                   onair.js loads it on the page's first broadcast or watch (js/src/loader.ts)
//                   and lends it its texts and error type (js/src/lent/).
// Each must stay within its gzipped budget, or the build fails.
import { build, transform } from 'esbuild';
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const pkg = JSON.parse(await readFile(join(here, '..', 'package.json'), 'utf8'));

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

// In the media half, each module with a stand-in in js/src/lent/ (i18n.ts, errors.ts) is that
// stand-in, which takes onair.js' copy at run time (media_api.ts, Lent): one copy on the wire.
const lentDir = join(src, 'lent');
const lent = new Set((await readdir(lentDir)).filter((f) => f !== 'hook.ts').map((f) => join(src, f)));
const borrowFromOnAirJs = {
  name: 'borrow-from-onair-js',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      const module = [path, `${path}.ts`].find((p) => lent.has(p));
      return module ? { path: join(lentDir, module.slice(src.length + 1)) } : undefined;
    });
  },
};

/** 45 KB: what a page with buttons downloads, and what a page that broadcasts or watches adds. */
const BUDGET = 45 * 1024;

const version = pkg.version ?? '0.0.0';

// janus.js (npm janus-gateway) opens with a UMD prologue: with an AMD loader on the page
// (RequireJS and friends) it would call define() instead of returning Janus, and with a global
// `module` it would set module.exports. Neither exists inside the bundle, so both names are
// defined away and the prologue returns the factory's value, without its text being touched.
const unedited = { define: 'undefined', module: 'undefined' };

const bundles = [
  {
    entry: 'main.ts',
    file: 'onair.js',
    banner: `/*! onair.js ${version} | GPL-3.0-or-later | onair-media.js, loaded on the first broadcast or watch, bundles janus.js and webrtc-adapter */`,
  },
  {
    entry: 'media.ts',
    file: 'onair-media.js',
    banner: `/*! onair-media.js ${version} | GPL-3.0-or-later | bundles janus.js (MIT, Meetecho) and webrtc-adapter (BSD-3-Clause) */`,
    define: unedited,
    plugins: [borrowFromOnAirJs],
  },
];

for (const bundle of bundles) {
  const outfile = join(here, 'dist', bundle.file);
  await build({
    entryPoints: [join(here, 'src', bundle.entry)],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    sourcemap: 'linked', // served next to the bundle (nginx serves both)
    banner: { js: bundle.banner },
    define: { __ONAIR_VERSION__: JSON.stringify(version), ...bundle.define },
    plugins: [cssAsText, ...(bundle.plugins ?? [])],
    logLevel: 'warning',
  });
  const code = await readFile(outfile);
  const gzipped = gzipSync(code, { level: 6 }).length; // as `gzip -c`
  console.log(`js/dist/${bundle.file}: ${code.length} bytes, ${gzipped} gzipped (budget ${BUDGET})`);
  if (gzipped > BUDGET) {
    console.error(`js/dist/${bundle.file} is over its budget: ${gzipped} bytes gzipped > ${BUDGET}`);
    process.exit(1);
  }
}
