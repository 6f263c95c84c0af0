// SPDX-License-Identifier: GPL-3.0-or-later
// What every benchmark shares: its command line, statistics, and how it writes its results.
//
// The contract with bench/run and bench/report.mjs (README, "Benchmarks"): bench/NAME/run.mjs
// accepts --smoke (tiny and quick: it only proves the benchmark can still run and measure) and
// --out DIR (default bench/results; bench/run passes a scratch folder for smoke runs), prints
// what it measured, and writes DIR/NAME.json (machine-readable) and DIR/NAME.md (its section of
// docs/benchmarks.md, starting with a "## " heading). It exits non-zero only when it could not
// run or measure, never because a number is slow.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = process.env.ONAIR_ROOT || new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

let outDir = null;

/** Where results go: --out DIR, else bench/results. */
export const resultsDir = () => outDir ?? join(ROOT, 'bench/results');

/**
 * `--smoke`, `--out DIR`, `--mode a,b`, `--runs N`, `--seconds N` (these three override defaults),
 * `--render` (rewrite NAME.md from the NAME.json already there, measuring nothing), `--baseline
 * FILE` (embed: another build's onair.js, measured in the same run).
 */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = { smoke: false, modes: null, runs: null, seconds: null, render: false, baseline: null };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      i += 1;
      return argv[i];
    };
    if (arg === '--smoke') args.smoke = true;
    else if (arg === '--render') args.render = true;
    else if (arg === '--out') outDir = resolve(value());
    else if (arg === '--mode') args.modes = value().split(',').filter(Boolean);
    else if (arg === '--runs') args.runs = Number(value());
    else if (arg === '--seconds') args.seconds = Number(value());
    else if (arg === '--baseline') args.baseline = resolve(value());
    else throw new Error(`unknown argument ${arg} (--smoke, --out DIR, --mode relay,p2p, --runs N, --seconds N, --render, --baseline FILE)`);
  }
  return args;
}

/** The q-quantile (0..1) of `values`, by linear interpolation; null when there are none. */
export function quantile(values, q) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** n, p50, p95, p99, min, max and mean of `values` (numbers; others are ignored). */
export function summarize(values) {
  const numbers = values.filter(Number.isFinite);
  const mean = numbers.length ? numbers.reduce((sum, v) => sum + v, 0) / numbers.length : null;
  return {
    n: numbers.length,
    p50: quantile(numbers, 0.5),
    p95: quantile(numbers, 0.95),
    p99: quantile(numbers, 0.99),
    min: numbers.length ? Math.min(...numbers) : null,
    max: numbers.length ? Math.max(...numbers) : null,
    mean,
  };
}

/** A number for a table: `digits` decimals, or "–" when there is none. */
export function fmt(value, digits = 0, unit = '') {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value.toFixed(digits)}${unit}`;
}

/** A markdown table. */
export function table(headers, rows) {
  const line = (cells) => `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Facts about the moment a benchmark ran, stored with its results. */
export function context(args) {
  return { date: new Date().toISOString(), smoke: args.smoke, loadavg_at_start: loadavg().map((v) => Number(v.toFixed(2))) };
}

/** The results a previous run wrote (for --render). */
export function readResults(name) {
  return JSON.parse(readFileSync(join(resultsDir(), `${name}.json`), 'utf8'));
}

/** Writes NAME.json and NAME.md into the results folder and says where. */
export function writeResults(name, data, markdown) {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), `${markdown.trim()}\n`);
  console.log(`${name}: results in ${join(dir, `${name}.json`)} and ${name}.md`);
}

/** Runs a benchmark's main(args), printing the failure and exiting 1 when it cannot measure. */
export function runMain(main) {
  let args;
  try {
    args = parseArgs();
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  main(args).then(
    () => process.exit(0),
    (error) => {
      console.error(error && error.stack ? error.stack : error);
      process.exit(1);
    },
  );
}
