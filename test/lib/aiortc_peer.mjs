// SPDX-License-Identifier: GPL-3.0-or-later
// Drives test/lib/aiortc_peer.py (a real WebRTC stack, Debian's python3-aiortc) from Node tests.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'aiortc_peer.py');
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-aiortc (not a pyenv one on PATH)

// Whether real media can flow here: aiortc is installed and we run inside the test namespace
// (Janus ignores loopback for ICE, and media must stay on namespace-private addresses).
export function mediaAvailable() {
  if (!process.env.ONAIR_NETNS) return 'media tests need the test network namespace (ONAIR_NETNS=1, see scripts/test)';
  if (!existsSync('/usr/lib/python3/dist-packages/aiortc')) return 'python3-aiortc is not installed';
  return null;
}

export class AiortcPeer {
  constructor(label = 'peer') {
    this.label = label;
    this.nextId = 1;
    this.pending = new Map();
    this.events = [];
    this.stderr = '';
    this.process = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr.on('data', (chunk) => { this.stderr += chunk; });
    this.exited = once(this.process, 'exit');
    createInterface({ input: this.process.stdout }).on('line', (line) => this.onLine(line));
  }

  onLine(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message.event) {
      this.events.push(message);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${this.label}: ${message.error}\n${this.stderr.slice(-2000)}`));
    else waiter.resolve(message);
  }

  command(cmd, fields = {}, timeoutMs = 20000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no reply to ${cmd} in ${timeoutMs} ms\n${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => { clearTimeout(timer); resolve(value); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.process.stdin.write(`${JSON.stringify({ id, cmd, ...fields })}\n`);
    });
  }

  async offer({ audio = true } = {}) {
    return (await this.command('offer', { audio })).offer;
  }
  async applyAnswer(jsep) {
    await this.command('answer', { sdp: jsep.sdp });
  }
  async accept(jsep) {
    return (await this.command('accept', { sdp: jsep.sdp })).answer;
  }
  stats() {
    return this.command('stats');
  }

  // Waits until at least `count` more video frames than `from` were decoded.
  async waitFrames(count, { from = 0, timeoutMs = 15000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let stats;
    while (Date.now() < deadline) {
      stats = await this.stats();
      if (stats.video_frames >= from + count) return stats;
      await sleep(200);
    }
    throw new Error(`${this.label}: ${stats?.video_frames} video frames (wanted ${from + count}); ${JSON.stringify(stats)}\n${this.stderr.slice(-2000)}`);
  }

  // Resolves with the frame count after `ms`, to check that video does not flow.
  async framesAfter(ms) {
    await sleep(ms);
    return (await this.stats()).video_frames;
  }

  async close() {
    if (this.process.exitCode !== null) return;
    try {
      await this.command('close', {}, 5000);
    } catch {
      // fall through to the kill below
    }
    this.process.stdin.end();
    const timer = sleep(3000).then(() => this.process.kill('SIGKILL'));
    await Promise.race([this.exited, timer]);
  }
}
