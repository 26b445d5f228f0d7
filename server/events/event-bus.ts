// The in-process event bus: the agent gateway, the rollout executor and the routes publish what
// changed; the executor reacts at once (no polling between "host verified" and the next dispatch)
// and the SSE route streams the public events to browsers. Listeners run synchronously in
// publish order and must not throw into the publisher: a throwing listener is logged and skipped.
import type { StepStatusPayload } from '../../shared/agent-protocol.js';

/** Events for the executor only (never streamed): agent traffic. */
export interface InternalEvents {
  'agent.hello': { hostId: string; bootId: string; kernelRelease: string };
  'agent.step-status': { hostId: string; status: StepStatusPayload };
  'agent.report': { hostId: string; seq: number; result: string };
  'agent.disconnected': { hostId: string };
}

/** Events streamed on GET /api/v1/events. */
export interface PublicEvents {
  'rollout.changed': { rolloutId: string; state: string; version: number; reason?: string };
  'step.changed': {
    rolloutId: string;
    stepId: string;
    hostId: string;
    hostname: string;
    state: string;
    agentState?: string | null;
    message?: string | null;
  };
  'host.changed': { hostId: string; online?: boolean; status?: string };
}

export type BusEvents = InternalEvents & PublicEvents;
export type BusEventName = keyof BusEvents;
export const PUBLIC_EVENT_NAMES = [
  'rollout.changed',
  'step.changed',
  'host.changed',
] as const satisfies ReadonlyArray<keyof PublicEvents>;

type Listener<K extends BusEventName> = (payload: BusEvents[K]) => void;

export class EventBus {
  private readonly listeners = new Map<BusEventName, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (err: unknown, event: string) => void = () => {}) {}

  publish<K extends BusEventName>(event: K, payload: BusEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<K>)(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends BusEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  listenerCount(event: BusEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
