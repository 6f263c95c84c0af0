// SPDX-License-Identifier: GPL-3.0-or-later
// CPU time and memory of a process, read from /proc (Linux), for "what did Janus spend".
import { readFileSync } from 'node:fs';

// USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux we run on.
const CLOCK_TICKS = 100;

/** User + system CPU seconds `pid` has used so far (all its threads). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after it are space-separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

/** Resident memory of `pid` in bytes (VmRSS), and its peak (VmHWM). */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0);
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024, threads: Number((status.match(/^Threads:\s+(\d+)/m) || [])[1] || 0) };
}

/**
 * A window over which a process's CPU is measured: `const w = cpuWindow(pid); ...; w.stop()`
 * gives { seconds (wall), cpu (CPU seconds), percent (of one core) }.
 */
export function cpuWindow(pid) {
  const startedAt = process.hrtime.bigint();
  const startCpu = cpuSeconds(pid);
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const cpu = cpuSeconds(pid) - startCpu;
      return { seconds, cpu, percent: (100 * cpu) / seconds };
    },
  };
}

export const MiB = 1024 * 1024;
