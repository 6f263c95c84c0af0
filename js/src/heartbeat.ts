// SPDX-License-Identifier: GPL-3.0-or-later
// Periodic `heartbeat` requests while a broadcast is live or a viewer watches (docs/billing.md):
// the plugin's evidence that the person is still there, and the only evidence in peer-to-peer
// mode. A heartbeat that fails is logged and the next tick tries again; it never ends the flow.
import { num } from './protocol';

/** Seconds between heartbeats when the plugin's answer does not say (contract default). */
export const DEFAULT_HEARTBEAT_INTERVAL = 15;

/** janus.js delivers answers without their transaction, so an error cannot name its request.
 * Errors that arrive while heartbeats are unanswered and no other request was sent after the
 * latest one are taken as a heartbeat's: those are logged instead of ending the flow. */
export class Heartbeat {
  private timer: number | null = null;
  private unanswered = 0;
  private latestSendWasHeartbeat = false;

  /** `send` posts one heartbeat; it returns null when there is no handle to send on. */
  constructor(private readonly send: () => Promise<void> | null, private readonly label: string) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** (Re)starts with the interval from a `registered` / `watching` answer. */
  start(intervalField: unknown): void {
    this.stop();
    const seconds = num(intervalField, DEFAULT_HEARTBEAT_INTERVAL);
    const interval = seconds > 0 ? seconds : DEFAULT_HEARTBEAT_INTERVAL;
    this.timer = window.setInterval(() => this.beat(), interval * 1000);
  }

  stop(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.unanswered = 0;
    this.latestSendWasHeartbeat = false;
  }

  /** Another request went out on the handle: errors from now on are not ours. */
  otherRequestSent(): void {
    this.latestSendWasHeartbeat = false;
  }

  /** The plugin answered a heartbeat ({ "event": "heartbeat" }). */
  answered(): void {
    if (this.unanswered > 0) this.unanswered--;
  }

  /** Whether a plugin error answers a heartbeat; if so it is logged and swallowed. */
  claimsError(code: number, message: string): boolean {
    if (this.unanswered === 0 || !this.latestSendWasHeartbeat) return false;
    this.unanswered--;
    console.warn(`onair.js: ${this.label} heartbeat refused (${code} ${message}); retrying in the next interval`);
    return true;
  }

  private beat(): void {
    const sent = this.send();
    if (!sent) return;
    this.unanswered++;
    this.latestSendWasHeartbeat = true;
    sent.catch((err: unknown) => {
      if (this.unanswered > 0) this.unanswered--;
      const detail = err instanceof Error ? err.message : String(err);
      console.warn(`onair.js: ${this.label} heartbeat not sent (${detail}); retrying in the next interval`);
    });
  }
}
