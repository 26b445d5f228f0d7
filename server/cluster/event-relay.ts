// Sends the public events made on this instance (rollout.changed, step.changed, host.changed) to
// every other live instance, and publishes theirs here as 'remote' (event-bus.ts), so a live view
// (GET /api/v1/events: the web UI, `afterpatch rollout follow`) sees every change whichever
// instance behind the load balancer it is connected to. Events are batched per `flushMs` (a
// 10,000-agent fleet makes ~170 host.changed a second: one bus message per peer per batch, not
// per event), and the list of peers is read again at most once per `peerTtlMs`. Delivery is at
// most once like every bus message (message-bus.ts): a live view re-reads its state whenever its
// stream reconnects, so a lost batch costs a late update, never a wrong one.

import { Compile } from 'typebox/compile';
import type { EventBus } from '../events/event-bus.js';
import { PUBLIC_EVENT_NAMES, RelayedEvent } from '../events/public-events.js';
import { MAX_EVENTS_PER_MESSAGE } from './cluster-message.js';

const isRelayable = Compile(RelayedEvent);
/**
 * Events kept while a send is slow (the database away): beyond this the oldest are dropped and
 * counted, so an outage costs live views some updates, never the server its memory.
 */
export const MAX_PENDING_EVENTS = 10_000;

export interface EventRelayOptions {
  events: EventBus;
  /** The other live instances' ids. */
  peers: () => Promise<string[]>;
  send: (instanceId: string, events: RelayedEvent[]) => Promise<void>;
  flushMs: number;
  peerTtlMs: number;
  logger: { warn(fields: object, message: string): void };
  now?: () => number;
}

export class EventRelay {
  private pending: RelayedEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private peerCache: { ids: string[]; at: number } | undefined;
  private stopped = false;
  private dropped = 0;
  private readonly offs: Array<() => void>;

  constructor(private readonly o: EventRelayOptions) {
    // Local events only: one relayed from a peer is never sent on again.
    this.offs = PUBLIC_EVENT_NAMES.map((name) =>
      o.events.on(name, (payload) => this.queue({ name, payload } as RelayedEvent)),
    );
  }

  /** Events another instance relayed: published here for the listeners that take remote ones. */
  receive(events: readonly RelayedEvent[]): void {
    for (const e of events) this.o.events.publish(e.name, e.payload, 'remote');
  }

  /** Sends what is queued now (the timer does it `flushMs` after the first queued event). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.sendPending().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.schedule();
    });
    return this.flushing;
  }

  /** Stops listening and sends what is still queued. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.offs) off();
    await this.flushing;
    await this.flush();
  }

  private queue(event: RelayedEvent): void {
    // Checked here as the receiver will check it: one event it would refuse must not cost the
    // whole batch it travels in.
    const { name } = event;
    if (!isRelayable.Check(event)) {
      this.o.logger.warn({ event: name }, 'public event not relayable (outside its schema); not relayed');
      return;
    }
    this.pending.push(event);
    if (this.pending.length > MAX_PENDING_EVENTS) {
      this.pending.shift();
      this.dropped++;
    }
    if (!this.timer && !this.flushing) this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.flush(), this.o.flushMs);
    this.timer.unref();
  }

  private async sendPending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    if (this.dropped > 0) {
      this.o.logger.warn({ dropped: this.dropped }, 'events not relayed: too many waiting for a slow send');
      this.dropped = 0;
    }
    const peers = await this.peers();
    for (let i = 0; i < batch.length; i += MAX_EVENTS_PER_MESSAGE) {
      const chunk = batch.slice(i, i + MAX_EVENTS_PER_MESSAGE);
      for (const peer of peers) {
        try {
          await this.o.send(peer, chunk);
        } catch (err) {
          this.o.logger.warn({ err, peer, events: chunk.length }, 'could not relay events to an instance');
        }
      }
    }
  }

  private async peers(): Promise<string[]> {
    const now = (this.o.now ?? Date.now)();
    if (this.peerCache && now - this.peerCache.at < this.o.peerTtlMs) return this.peerCache.ids;
    try {
      this.peerCache = { ids: await this.o.peers(), at: now };
    } catch (err) {
      // The database is away: keep the last list for another while (one warning per while, not
      // one per batch); with none yet, nobody is sent to until it answers.
      this.peerCache = { ids: this.peerCache?.ids ?? [], at: now };
      this.o.logger.warn({ err }, 'could not list the other server instances; relaying to the last known');
    }
    return this.peerCache.ids;
  }
}
