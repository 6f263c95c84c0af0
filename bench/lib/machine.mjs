// SPDX-License-Identifier: GPL-3.0-or-later
// What the benchmarks ran on: CPU, cores, memory, kernel and the versions of what was measured.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

// The first line a command prints (some, like `janus --version`, exit non-zero after printing it).
const firstLine = (command, args) => {
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  const line = `${run.stdout ?? ''}`.split('\n')[0].trim();
  return line || 'unknown';
};

export function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? model;
  } catch {
    // keep os.cpus()'
  }
  return {
    cpu: model.replace(/\s+/g, ' ').trim(),
    cores: cpus().length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    kernel: release(),
    janus: firstLine(process.env.ONAIR_JANUS_BIN || 'janus', ['--version']).replace(/^Janus version:\s*/, ''),
    chromium: firstLine(process.env.ONAIR_CHROMIUM || '/usr/bin/chromium', ['--version']),
    node: process.version,
  };
}

/** One line for the end of a benchmark's section. */
export function machineLine() {
  const m = machine();
  return `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB.`;
}
