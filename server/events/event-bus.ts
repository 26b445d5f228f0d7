// The in-process event bus: the agent gateway, the rollout executor and the routes publish what
// changed; the executor reacts at once (no polling between "host verified" and the next dispatch)
// and the SSE route streams the public events to browsers. Listeners run synchronously in
// publish order and must not throw into the publisher: a throwing listener is logged and skipped.
// An event is 'local' (made here) or 'remote' (made on another server instance and relayed,
// server/cluster/event-relay.ts): only listeners that ask for remote events get those, so the
// executor never reacts twice to one change and the relay never sends an event back.
import type { StepStatusPayload } from '../../shared/agent-protocol.js';
import type { PublicEvents } from './public-events.js';

/** Events for the executor only (never streamed): agent traffic. */
export interface InternalEvents {
  'agent.hello': { hostId: string; bootId: string; kernelRelease: string };
  'agent.step-status': { hostId: string; status: StepStatusPayload };
  'agent.report': { hostId: string; seq: number; result: string };
  'agent.disconnected': { hostId: string };
  /** Another server instance changed rollout state (cluster-plugin.ts): the leader decides again. */
  'cluster.rollouts-changed': Record<string, never>;
}

export type BusEvents = InternalEvents & PublicEvents;
export type BusEventName = keyof BusEvents;

type Listener<K extends BusEventName> = (payload: BusEvents[K]) => void;
export type EventOrigin = 'local' | 'remote';

interface Subscription {
  listener: Listener<never>;
  remoteToo: boolean;
}

export class EventBus {
  private readonly subscriptions = new Map<BusEventName, Set<Subscription>>();

  constructor(private readonly onListenerError: (err: unknown, event: string) => void = () => {}) {}

  publish<K extends BusEventName>(event: K, payload: BusEvents[K], origin: EventOrigin = 'local'): void {
    for (const { listener, remoteToo } of this.subscriptions.get(event) ?? []) {
      if (origin === 'remote' && !remoteToo) continue;
      try {
        (listener as Listener<K>)(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  /**
   * Subscribes to the events made on this instance, and with `remoteToo` also to those relayed
   * from the others (what a live view wants); returns the unsubscribe function.
   */
  on<K extends BusEventName>(
    event: K,
    listener: Listener<K>,
    options: { remoteToo?: boolean } = {},
  ): () => void {
    let set = this.subscriptions.get(event);
    if (!set) {
      set = new Set();
      this.subscriptions.set(event, set);
    }
    const subscription: Subscription = {
      listener: listener as Listener<never>,
      remoteToo: options.remoteToo ?? false,
    };
    set.add(subscription);
    return () => set.delete(subscription);
  }

  listenerCount(event: BusEventName): number {
    return this.subscriptions.get(event)?.size ?? 0;
  }
}
