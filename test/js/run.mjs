// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the widget's unit tests (test/js/*.test.mjs) with node --test. The tests import the
// TypeScript sources under js/src directly; esbuild (already the widget's bundler) compiles each
// test with what it imports (janus-gateway too) into a temporary folder first, so no TypeScript
// loader is needed.
//
//   node test/js/run.mjs                  all of them
//   node test/js/run.mjs protocol ice     only test/js/protocol.test.mjs and ice.test.mjs
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const tests = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.test\.mjs$/, '')))
  .sort();
if (tests.length === 0) {
  console.error(`test/js: no test files${wanted.length ? ` named ${wanted.join(', ')}` : ''}`);
  process.exit(1);
}

const out = mkdtempSync(join(tmpdir(), 'onair-js-tests-'));
try {
  await build({
    entryPoints: tests.map((f) => join(here, f)),
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline', // failures point at the test and source lines, not the bundle's
    logLevel: 'warning',
  });
  const files = tests.map((f) => join(out, basename(f)));
  const run = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...files], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
