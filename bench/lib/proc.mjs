// SPDX-License-Identifier: GPL-3.0-or-later
// CPU time and memory of a process, read from /proc (Linux), for "what did Janus spend".
import { readFileSync, readdirSync } from 'node:fs';

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
 * CPU seconds per kind of thread of `pid`: thread names with their numbers replaced by "#"
 * (Janus names each handle's event loop "hloop <id>"; threads a plugin starts without a name
 * carry their creator's, "janus"). Threads that ended are not included.
 */
export function threadCpu(pid) {
  const groups = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+/g, '#');
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      groups[name] = (groups[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // the thread ended meanwhile
    }
  }
  return groups;
}

/**
 * A window over which a process's CPU is measured: `const w = cpuWindow(pid); ...; w.stop()`
 * gives { seconds (wall), cpu (CPU seconds), percent (of one core) }.
 */
export function cpuWindow(pid) {
  const startedAt = process.hrtime.bigint();
  const startCpu = cpuSeconds(pid);
  const startThreads = threadCpu(pid);
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      const cpu = cpuSeconds(pid) - startCpu;
      const threads = {};
      for (const [name, used] of Object.entries(threadCpu(pid))) {
        const spent = used - (startThreads[name] ?? 0);
        if (spent > 0) threads[name] = Number(spent.toFixed(2));
      }
      return { seconds, cpu, percent: (100 * cpu) / seconds, threads };
    },
  };
}

/** "name 40 %, other 30 %" for the biggest thread groups of a cpuWindow result. */
export function threadShares(window, count = 4) {
  const total = Object.values(window.threads).reduce((sum, v) => sum + v, 0);
  if (total <= 0) return '–';
  return Object.entries(window.threads)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, used]) => `\`${name}\` ${Math.round((100 * used) / total)} %`)
    .join(', ');
}

export const MiB = 1024 * 1024;
