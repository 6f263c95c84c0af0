// SPDX-License-Identifier: GPL-3.0-or-later
// Live/offline state of every target that has a watch button on the page, on one handle. The
// subscription is replaced (as the protocol defines) whenever the set of targets changes.
import { backoffDelay } from './flow';
import { presenceMap, type PluginEvent } from './protocol';

export interface PresenceListener {
  onEvent(event: PluginEvent): void;
}

export interface PresenceChannel {
  send(message: Record<string, unknown>): { delivered: Promise<void> };
  close(): void;
}

/** Where presence gets its handle: onair.js' own small Janus client (janus_lite.ts) at first, the
 * flows' janus.js session (connection.ts) once the page has loaded onair-media.js. */
export interface PresenceSource {
  attach(listener: PresenceListener): Promise<PresenceChannel>;
}

/** The protocol's limit per presence request. */
const MAX_IDS = 200;

export class Presence {
  private channel: PresenceChannel | null = null;
  private targets: string[] = [];
  private readonly live = new Map<string, boolean>();
  private attempt = 0;
  private timer = 0;
  private running = false;
  private dirty = false;
  /** Bumped when the session is lost, so events of the old handle are ignored. */
  private generation = 0;

  constructor(
    private readonly site: string,
    private source: PresenceSource,
    private readonly onChange: (changed: Map<string, boolean>) => void,
  ) {}

  /** undefined: not known yet. */
  isLive(target: string): boolean | undefined {
    return this.live.get(target);
  }

  /** Debounced: many buttons appearing at once give one request. */
  setTargets(targets: Iterable<string>): void {
    const next = [...new Set(targets)].sort();
    if (next.length > MAX_IDS) {
      console.warn(`onair.js: presence is limited to ${MAX_IDS} users per page; ${next.length - MAX_IDS} watch buttons stay hidden`);
      next.length = MAX_IDS;
    }
    if (next.join('\n') === this.targets.join('\n')) return;
    this.targets = next;
    this.schedule(30);
  }

  private schedule(ms: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.subscribe(), ms);
  }

  /** One request at a time; changes made meanwhile are sent right after. */
  private async subscribe(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.targets.length === 0 && !this.channel) return;
    this.running = true;
    this.dirty = false;
    const generation = this.generation;
    try {
      const channel = this.channel ?? await this.open();
      if (generation === this.generation) {
        this.channel = channel;
        await channel.send({ request: 'presence', site: this.site, users: this.targets }).delivered;
        this.attempt = 0;
      } else {
        channel.close(); // opened on a source presence has left meanwhile (moveTo schedules anew)
      }
    } catch {
      if (generation === this.generation) {
        this.channel?.close();
        this.channel = null;
        this.dirty = false;
        this.schedule(backoffDelay(this.attempt++));
      }
    } finally {
      this.running = false;
    }
    if (this.dirty) this.schedule(0);
  }

  private open(): Promise<PresenceChannel> {
    const generation = this.generation;
    return this.source.attach({
      onEvent: (event) => {
        if (generation !== this.generation) return;
        if (event.kind === 'error') {
          console.warn(`onair.js: presence: ${event.code} ${event.message}`);
        } else if (event.event === 'presence') {
          this.apply(presenceMap(event.data['users']));
        }
      },
    });
  }

  private apply(update: Map<string, boolean>): void {
    const changed = new Map<string, boolean>();
    for (const [user, live] of update) {
      if (this.live.get(user) !== live) changed.set(user, live);
      this.live.set(user, live);
    }
    if (changed.size > 0) this.onChange(changed);
  }

  /** Subscribes anew on `source`, keeping what is known: its answer brings every target's state. */
  moveTo(source: PresenceSource): void {
    this.source = source;
    this.generation++;
    this.channel = null;
    if (this.targets.length > 0) this.schedule(0);
  }

  /** The session dropped: presence is unknown until a new subscription answers. */
  connectionLost(): void {
    this.generation++;
    this.channel = null;
    const wentOffline = new Map<string, boolean>();
    for (const [user, live] of this.live) if (live) wentOffline.set(user, false);
    this.live.clear();
    if (wentOffline.size > 0) this.onChange(wentOffline);
    if (this.targets.length > 0) this.schedule(backoffDelay(this.attempt++));
  }
}
