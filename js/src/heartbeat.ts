// SPDX-License-Identifier: GPL-3.0-or-later
// Periodic `heartbeat` requests while a broadcast is live or a viewer watches (docs/billing.md):
// the plugin's evidence that the person is still there, and the only evidence in peer-to-peer
// mode. A heartbeat that fails is logged and the next tick tries again; it never ends the flow.
import { errorText } from './errors';
import { num } from './protocol';

/** Seconds between heartbeats when the plugin's answer does not say (contract default). */
export const DEFAULT_HEARTBEAT_INTERVAL = 15;

/** A heartbeat that is refused is logged by the flow (flow.ts pairs answers with requests). */
export class Heartbeat {
  private timer: number | null = null;

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
  }

  private beat(): void {
    this.send()?.catch((err: unknown) => {
      console.warn(`onair.js: ${this.label} heartbeat not sent (${errorText(err)}); retrying in the next interval`);
    });
  }
}
