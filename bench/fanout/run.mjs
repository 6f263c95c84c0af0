#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// Fan-out benchmark: one simulated broadcaster and N simulated viewers (bench/loadgen, GStreamer
// webrtcbin) through a real Janus running the release OnAir plugin, Janus' VideoRoom and Janus'
// Streaming plugin (with and without helper threads). For every target and audience size it
// measures Janus' CPU and memory per viewer, loss and the forwarding delay, and reports them as
// ratios to VideoRoom. Runs inside a private network namespace (bench/lib/netns.sh).
//
//   node bench/fanout/run.mjs            full run, writes bench/results/fanout.{json,md}
//   node bench/fanout/run.mjs --smoke    N=2 for a few seconds per target; exit 1 if any fails
//
// Options: --levels 10,50,100,200  --step 100  --max 1000  --seconds 10  --warmup 3
//          --targets onair,videoroom,streaming,streaming-threads  --budget 540 (seconds)
//          --out DIR (default bench/results; --smoke: a temporary folder)
//          --full-receive (viewers run rtpbin's jitter buffer and send receiver reports)
//          --viewer-stack webrtcbin|nice (the loadgen's viewers: GStreamer webrtcbin, the default,
//          or libnice + OpenSSL + libsrtp2 on one thread; see bench/loadgen/README.md)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
process.env.ONAIR_ROOT ??= ROOT;
const { Janus } = await import('../../test/lib/janus.mjs');

const JANUS_PLUGINS = process.env.ONAIR_JANUS_PLUGINS || '/usr/lib/x86_64-linux-gnu/janus/plugins';
const SITE = { key: 'bench', secret: 'bench-site-secret-0123456789', identity: 'open', audio: true, max_broadcasts: 10, max_viewers: 100000 };
// What each measured target is: the loadgen target and its extra flags.
const TARGETS = {
  onair: { loadgen: 'onair', label: 'OnAir' },
  videoroom: { loadgen: 'videoroom', label: 'VideoRoom' },
  streaming: { loadgen: 'streaming', label: 'Streaming', flags: ['--streaming-threads', '0'] },
  'streaming-threads': { loadgen: 'streaming', label: 'Streaming, 2 helper threads', flags: ['--streaming-threads', '2'] },
};
const LOSS_LIMIT = 0.01;
// The load generator's viewer stacks (--viewer-stack), as the report describes them.
const STACKS = {
  webrtcbin: {
    what: 'GStreamer webrtcbin',
    observed: "the viewer's rtpbin input (after SRTP, before the jitter buffer)",
    threads: 'webrtcbin: ICE, DTLS, RTP session and jitter-buffer threads',
  },
  nice: {
    what: 'libnice + OpenSSL DTLS + libsrtp2 on one thread, with receiver reports and REMB every second',
    observed: 'the viewer right after SRTP decryption',
    threads: 'every viewer shares the main loop',
  },
};

function parseArgs(argv) {
  const options = {
    smoke: false, levels: [10, 50, 100, 200], step: 100, max: 1000, seconds: 10, warmup: 3,
    targets: Object.keys(TARGETS), budget: 540, out: null, fullReceive: false, viewerStack: 'webrtcbin',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${flag}`);
      return argv[++i];
    };
    if (flag === '--smoke') options.smoke = true;
    else if (flag === '--full-receive') options.fullReceive = true;
    else if (flag === '--viewer-stack') options.viewerStack = value();
    else if (flag === '--levels') options.levels = value().split(',').map(Number);
    else if (flag === '--step') options.step = Number(value());
    else if (flag === '--max') options.max = Number(value());
    else if (flag === '--seconds') options.seconds = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--targets') options.targets = value().split(',');
    else if (flag === '--budget') options.budget = Number(value());
    else if (flag === '--out') options.out = resolve(value());
    else if (flag === '-h' || flag === '--help') {
      const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2);
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${flag}`);
  }
  for (const target of options.targets) if (!TARGETS[target]) throw new Error(`unknown target ${target}`);
  if (!STACKS[options.viewerStack]) throw new Error(`unknown viewer stack ${options.viewerStack}`);
  if (options.smoke) Object.assign(options, { levels: [2], max: 2, seconds: 2, warmup: 1, budget: 50 });
  options.out ??= options.smoke ? mkdtempSync(join(tmpdir(), 'onair-fanout-smoke-')) : join(ROOT, 'bench/results');
  return options;
}

// Janus with the release OnAir plugin plus VideoRoom and Streaming, each with a fresh config.
class BenchJanus extends Janus {
  writeConfig() {
    const conf = super.writeConfig();
    const plugins = join(this.dir, 'plugins');
    for (const name of ['libjanus_videoroom.so', 'libjanus_streaming.so']) symlinkSync(join(JANUS_PLUGINS, name), join(plugins, name));
    writeFileSync(join(conf, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
    writeFileSync(join(conf, 'janus.plugin.streaming.jcfg'), 'general: {\n\trtp_port_range = "41000-41999"\n}\n');
    return conf;
  }
}

function releasePlugin() {
  const build = process.env.ONAIR_BUILD_RELEASE ?? join(ROOT, 'build/release');
  const path = process.env.ONAIR_PLUGIN_RELEASE_SO ?? join(build, '.libs/libjanus_onair.so');
  if (!existsSync(path)) throw new Error(`release plugin not built: ${path} (run scripts/setup)`);
  return path;
}

function loadgenPath() {
  const build = process.env.ONAIR_BUILD_RELEASE ?? join(ROOT, 'build/release');
  const path = process.env.ONAIR_LOADGEN ?? join(build, 'onair-loadgen');
  if (!existsSync(path)) {
    throw new Error(`${path} missing: install the GStreamer packages (scripts/deps/apt.txt), rerun scripts/setup --force, then make -C ${build} onair-loadgen`);
  }
  return path;
}

// utime + stime of a process in seconds, its resident memory and thread count.
function processUsage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpu_s: (Number(fields[11]) + Number(fields[12])) / ticks, // fields 14 and 15 of stat
    rss_kb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]),
    threads: Number(/Threads:\s+(\d+)/.exec(status)[1]),
  };
}

// One loadgen run against a fresh Janus: Janus' usage sampled when the loadgen says the broadcast
// is up (before viewers), and at the edges of its measuring window.
async function measure(target, viewers, options) {
  // The plugin's own timeouts, not the tests' short ones: a loaded machine is slow to start media.
  const general = { request_timeout: 30, publish_timeout: 30, resume_grace: 20, watch_rate: 60 };
  const janus = new BenchJanus({ plugin: releasePlugin(), sites: [SITE], general, debugLevel: 3 });
  await janus.start();
  const pid = janus.process.pid;
  const spec = TARGETS[target];
  const joinTimeout = Math.ceil(20 + viewers * 0.25);
  const args = [
    '--target', spec.loadgen, '--viewers', String(viewers), '--seconds', String(options.seconds),
    '--warmup', String(options.warmup), '--join-timeout', String(joinTimeout), '--janus', janus.wsUrl,
    '--site', SITE.key, ...(spec.flags ?? []), ...(options.fullReceive ? ['--full-receive'] : []),
    '--viewer-stack', options.viewerStack,
  ];
  const started = Date.now();
  const child = spawn(loadgenPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const limit = (joinTimeout + options.warmup + options.seconds + 30) * 1000;
  const killer = setTimeout(() => child.kill('SIGKILL'), limit);
  const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const samples = {};
  let summary = null;
  let joined = null;
  for await (const line of createInterface({ input: child.stdout })) {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.event === 'publishing') samples.idle = processUsage(pid);
    else if (event.event === 'joined') joined = event;
    else if (event.event === 'window_start') samples.start = processUsage(pid);
    else if (event.event === 'window_end') samples.end = processUsage(pid);
    else if (event.event === 'summary') summary = event;
  }
  const exit = await exited;
  clearTimeout(killer);
  try {
    await janus.close();
  } catch (error) {
    stderr += `\n${error.message}`;
  }
  const result = { target, viewers, wall_s: (Date.now() - started) / 1000, exit: exit.code ?? exit.signal, joined };
  if (!summary || !samples.start || !samples.end) {
    return { ...result, failed: true, error: stderr.trim().split('\n').slice(-5).join('\n') || 'no summary' };
  }
  const cpu = samples.end.cpu_s - samples.start.cpu_s;
  const window = summary.window_s;
  const receiving = Math.max(summary.receiving, 1);
  const forwarded = summary.received.total;
  return {
    ...result,
    failed: false,
    janus: {
      cpu_s: cpu,
      cpu_percent: (100 * cpu) / window,
      cpu_percent_per_viewer: (100 * cpu) / window / receiving,
      cpu_us_per_packet: forwarded ? (cpu * 1e6) / forwarded : null,
      rss_kb_idle: samples.idle?.rss_kb ?? null,
      rss_kb: samples.end.rss_kb,
      rss_kb_per_viewer: samples.idle ? (samples.end.rss_kb - samples.idle.rss_kb) / receiving : null,
      threads: samples.end.threads,
    },
    loss: summary.loss,
    loadgen: summary,
  };
}

function machine() {
  const cpu = cpus();
  let janusVersion = '';
  try {
    // The Janus the benchmark ran (ONAIR_JANUS_BIN, see README), else Debian's package.
    const bin = process.env.ONAIR_JANUS_BIN;
    janusVersion = bin && bin !== '/usr/bin/janus'
      ? execFileSync(bin, ['--version'], { encoding: 'utf8' }).split('\n')[0].replace(/^Janus version:\s*/, '')
      : execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'janus'], { encoding: 'utf8' });
  } catch { /* not a Debian package */ }
  let gstreamer = '';
  try {
    gstreamer = execFileSync('pkg-config', ['--modversion', 'gstreamer-1.0'], { encoding: 'utf8' }).trim();
  } catch { /* no pkg-config */ }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return {
    host: hostname(), kernel: release(), cpu_model: cpu[0]?.model, cpus: cpu.length,
    memory_gb: Math.round(totalmem() / 2 ** 30), load_average_at_start: load,
    versions: { janus: janusVersion, gstreamer, node: process.version },
  };
}

const fmt = (value, digits = 2) => (value === null || value === undefined || Number.isNaN(value) ? '–' : Number(value).toFixed(digits));

function ratio(value, base) {
  return value !== null && value !== undefined && base ? value / base : null;
}

// Per level, each target against VideoRoom at the same audience size.
export function ratios(runs) {
  const out = [];
  // Only runs that delivered (loss under the limit): an overloaded run measures the overload.
  const usable = (r) => !r.failed && !r.superseded && r.loss < LOSS_LIMIT;
  for (const run of runs.filter((r) => usable(r) && r.target !== 'videoroom')) {
    const base = runs.find((r) => usable(r) && r.target === 'videoroom' && r.viewers === run.viewers);
    if (!base) continue;
    out.push({
      target: run.target, viewers: run.viewers,
      cpu: ratio(run.janus.cpu_percent_per_viewer, base.janus.cpu_percent_per_viewer),
      rss: ratio(run.janus.rss_kb_per_viewer, base.janus.rss_kb_per_viewer),
      delay_p50: ratio(run.loadgen.delay_ms.p50, base.loadgen.delay_ms.p50),
      delay_p99: ratio(run.loadgen.delay_ms.p99, base.loadgen.delay_ms.p99),
    });
  }
  return out;
}

function largestUnderLimit(runs, target) {
  const good = runs.filter((r) => r.target === target && !r.failed && r.loss < LOSS_LIMIT).map((r) => r.viewers);
  return good.length ? Math.max(...good) : 0;
}

export function markdown(report) {
  const { parameters: p, machine: m } = report;
  const stack = p.viewer_stack ?? 'webrtcbin';
  const lines = [];
  lines.push('## Fan-out: Janus CPU and memory per viewer, loss, forwarding delay', '');
  lines.push(`One simulated broadcaster (VP8 ${p.media.width}x${p.media.height} ${p.media.fps} fps at ${p.media.video_kbps} kbit/s, keyframe every ${p.media.keyframe_seconds} s, plus Opus ${p.media.audio_kbps} kbit/s) and N simulated viewers (\`bench/loadgen --viewer-stack ${stack}\`: ${STACKS[stack].what}; real Janus signaling, ICE and DTLS-SRTP, no decoding), through one Janus ${m.versions.janus} per run with the release OnAir plugin, VideoRoom and Streaming. Streaming is fed plain RTP by the same broadcaster pipeline (an RTP mountpoint created through its API, as an encoder would feed it), with 0 and with 2 helper threads. Each run: join, ${p.warmup} s warm-up, ${p.seconds} s measured window; N grows until loss reaches ${LOSS_LIMIT * 100}% or N = ${p.max}.`, '');
  lines.push(`Machine: ${m.cpu_model}, ${m.cpus} cores, ${m.memory_gb} GB, Linux ${m.kernel}; GStreamer ${m.versions.gstreamer}, Node ${m.versions.node}; load average at start ${m.load_average_at_start}. The load generator runs on the same cores as Janus.`, '');
  lines.push(`Janus CPU is utime+stime of the Janus process over the window (\`/proc/PID/stat\`), in % of one core; memory is Janus RSS growth from before the first viewer to the end of the window; loss is 1 − received / (sent × N) over the window (whole outages count); delay is from the broadcaster's payloader to ${STACKS[stack].observed}, matched by payload hash, so it includes both WebRTC stacks on top of what Janus adds.`, '');
  lines.push('| target | N | Janus CPU % | CPU %/viewer | µs CPU/packet | RSS KB/viewer | loss % | seq loss % | delay p50 ms | delay p99 ms | jitter video p50 ms | loadgen CPU % |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of report.runs) {
    if (r.failed) {
      lines.push(`| ${TARGETS[r.target].label}${r.superseded ? ' (retried)' : ''} | ${r.viewers} | failed: ${String(r.error).replace(/\|/g, '/').split('\n')[0].slice(0, 80)} |||||||||||`);
      continue;
    }
    const s = r.loadgen;
    lines.push(`| ${TARGETS[r.target].label}${r.superseded ? ' (retried)' : ''} | ${r.viewers} | ${fmt(r.janus.cpu_percent, 1)} | ${fmt(r.janus.cpu_percent_per_viewer, 3)} | ${fmt(r.janus.cpu_us_per_packet, 2)} | ${fmt(r.janus.rss_kb_per_viewer, 0)} | ${fmt(r.loss * 100, 2)} | ${fmt(s.seq_loss * 100, 2)} | ${fmt(s.delay_ms.p50)} | ${fmt(s.delay_ms.p99)} | ${fmt(s.jitter_ms.video.p50)} | ${fmt(s.loadgen.cpu_percent, 0)} |`);
  }
  lines.push('', `Ratios to VideoRoom at the same N, where both lost under ${LOSS_LIMIT * 100}% (below 1: cheaper or faster than VideoRoom):`, '');
  lines.push('| target | N | CPU/viewer | RSS/viewer | delay p50 | delay p99 |', '|---|---:|---:|---:|---:|---:|');
  for (const q of report.ratios) lines.push(`| ${TARGETS[q.target].label} | ${q.viewers} | ${fmt(q.cpu)} | ${fmt(q.rss)} | ${fmt(q.delay_p50)} | ${fmt(q.delay_p99)} |`);
  const costs = report.runs.filter((r) => !r.failed && !r.superseded && r.loss < LOSS_LIMIT && r.loadgen.joined >= 10);
  if (costs.length) {
    const biggest = costs.reduce((a, b) => (b.viewers > a.viewers ? b : a));
    const g = biggest.loadgen;
    const cost = g.loadgen;
    // Older results lack the broadcaster-alone baseline: their per-viewer share includes the encoder.
    const measured = cost.broadcaster_cpu_percent !== undefined;
    const cpu = measured
      ? `of which the broadcaster alone (VP8 encoder and its webrtcbin) ${fmt(cost.broadcaster_cpu_percent, 0)}% and the main loop (signaling${stack === 'nice' ? ', and all of the viewers' : ''}) ${fmt(cost.main_thread_cpu_percent, 1)}%; per viewer ${fmt(cost.cpu_percent_per_viewer, 3)}% of a core (all but the broadcaster)${stack === 'nice' ? `, ${fmt(cost.main_thread_cpu_percent / g.joined, 3)}% (the main loop)` : ''}`
      : `with the broadcaster's encoder; at most ${fmt(cost.cpu_percent / g.joined, 2)}% of a core per viewer`;
    const rss = cost.rss_kb_per_viewer ?? (cost.rss_kb - g.loadgen_rss_kb_idle) / g.joined;
    const threads = cost.threads_per_viewer ?? (cost.threads - 10) / g.joined;
    lines.push('', `Load generator cost (${TARGETS[biggest.target].label}, N = ${biggest.viewers}, ${stack} viewers): ${fmt(cost.cpu_percent, 0)}% CPU in all, ${cpu}, ${fmt(rss / 1024, 2)} MB and ${fmt(threads, measured ? 1 : 0)} threads per viewer (${STACKS[stack].threads}). The two viewer stacks of the load generator (\`--viewer-stack webrtcbin|nice\`) are compared side by side in \`bench/loadgen/README.md\`.`);
  }
  lines.push('', `Largest audience under ${LOSS_LIMIT * 100}% loss: ${Object.entries(report.largest_under_1pct).map(([t, n]) => `${TARGETS[t].label} ${n}`).join(', ')}${report.stopped_by_budget ? ' (the time budget stopped the run before loss was reached for some targets)' : ''}.`, '');
  lines.push(`Reproduce: \`${report.command}\` (as root: it makes a private network namespace; ${fmt(report.duration_s, 0)} s here). Raw numbers: \`bench/results/fanout.json\`.`, '');
  return lines.join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!process.env.ONAIR_NETNS) {
    // Re-run inside a private network namespace: media never touches the machine's interfaces.
    const child = spawn(join(ROOT, 'bench/lib/netns.sh'), [process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    return;
  }
  releasePlugin();
  loadgenPath();
  const started = Date.now();
  const report = {
    benchmark: 'fanout', date: new Date().toISOString(), machine: machine(),
    command: `node bench/fanout/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    parameters: {
      levels: options.levels, step: options.step, max: options.max, seconds: options.seconds, warmup: options.warmup,
      targets: options.targets, loss_limit: LOSS_LIMIT, budget_s: options.budget, full_receive: options.fullReceive, viewer_stack: options.viewerStack,
      media: { width: 640, height: 360, fps: 30, video_kbps: 500, audio_kbps: 32, keyframe_seconds: 2 },
    },
    runs: [],
  };
  // Interleave targets level by level, so a time budget cuts every target at the same N.
  const active = new Set(options.targets);
  let stoppedByBudget = false;
  const levels = [...options.levels];
  while (levels.length && levels.at(-1) < options.max) levels.push(Math.min(options.max, levels.at(-1) + options.step));
  for (const viewers of levels.filter((n) => n <= options.max)) {
    for (const target of options.targets) {
      if (!active.has(target)) continue;
      if ((Date.now() - started) / 1000 > options.budget) {
        stoppedByBudget = true;
        break;
      }
      let run = await measure(target, viewers, options);
      if ((run.failed || run.loss >= LOSS_LIMIT) && !options.smoke) {
        // One retry: on a shared machine a single stall elsewhere can spoil a window.
        report.runs.push({ ...run, superseded: true });
        run = { ...(await measure(target, viewers, options)), attempt: 2 };
      }
      report.runs.push(run);
      const line = run.failed
        ? `${target} N=${viewers}: FAILED ${run.error}`
        : `${target} N=${viewers}: janus ${fmt(run.janus.cpu_percent, 1)}% cpu (${fmt(run.janus.cpu_percent_per_viewer, 3)}%/viewer), ${fmt(run.janus.rss_kb_per_viewer, 0)} KB/viewer, loss ${fmt(run.loss * 100, 2)}%, delay p50 ${fmt(run.loadgen.delay_ms.p50)} p99 ${fmt(run.loadgen.delay_ms.p99)} ms, loadgen ${fmt(run.loadgen.loadgen.cpu_percent, 0)}% cpu (${fmt(run.loadgen.loadgen.cpu_percent_per_viewer, 3)}%/viewer, main loop ${fmt(run.loadgen.loadgen.main_thread_cpu_percent, 1)}%), ${fmt(run.wall_s, 0)} s`;
      console.error(line);
      if (run.failed || run.loss >= LOSS_LIMIT) active.delete(target);
    }
    if (stoppedByBudget || !active.size) break;
  }
  report.stopped_by_budget = stoppedByBudget;
  report.largest_under_1pct = Object.fromEntries(options.targets.map((t) => [t, largestUnderLimit(report.runs, t)]));
  report.ratios = ratios(report.runs);
  report.duration_s = (Date.now() - started) / 1000;
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'fanout.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(options.out, 'fanout.md'), markdown(report));
  console.error(`wrote ${relative(process.cwd(), join(options.out, 'fanout.json'))} and fanout.md in ${fmt(report.duration_s, 0)} s`);
  if (options.smoke) {
    // Media must reach every viewer of every target; numbers are not judged.
    const broken = options.targets.filter((t) => !report.runs.some((r) => r.target === t && !r.failed && r.loadgen.receiving === r.viewers && r.loss < 0.5));
    if (broken.length) {
      console.error(`smoke: no media delivered for ${broken.join(', ')}`);
      process.exit(1);
    }
    console.error('smoke: every target delivered media to every viewer');
  }
}

// Run as a program; imported (to re-render a report with markdown()), do nothing.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error.stack ?? error);
    process.exit(1);
  });
}
