// The events streamed on GET /api/v1/events, as schemas: they are also relayed between server
// instances (server/cluster/event-relay.ts), and what another instance sends is input like any
// other, checked before it is published here (the other instance may run another version).
import Type, { type Static } from 'typebox';

const Id = Type.String({ maxLength: 64 });
const Text = Type.String({ maxLength: 1024 });
/** A step's message: the agent's (≤ 1024) or the server's verdict, which can list many units. */
const NullableMessage = Type.Union([Type.String({ maxLength: 16_384 }), Type.Null()]);

export const RolloutChangedEvent = Type.Object({
  rolloutId: Id,
  state: Id,
  version: Type.Integer({ minimum: 0 }),
  /** Who changed it: 'executor' for the executor's own transitions (it does not react to those). */
  reason: Type.Optional(Id),
});

export const StepChangedEvent = Type.Object({
  rolloutId: Id,
  stepId: Id,
  hostId: Id,
  hostname: Text,
  state: Id,
  agentState: Type.Optional(Type.Union([Id, Type.Null()])),
  message: Type.Optional(NullableMessage),
});

export const HostChangedEvent = Type.Object({
  hostId: Id,
  online: Type.Optional(Type.Boolean()),
  status: Type.Optional(Id),
});

export const PUBLIC_EVENT_SCHEMAS = {
  'rollout.changed': RolloutChangedEvent,
  'step.changed': StepChangedEvent,
  'host.changed': HostChangedEvent,
} as const;

export interface PublicEvents {
  'rollout.changed': Static<typeof RolloutChangedEvent>;
  'step.changed': Static<typeof StepChangedEvent>;
  'host.changed': Static<typeof HostChangedEvent>;
}
export type PublicEventName = keyof PublicEvents;
export const PUBLIC_EVENT_NAMES = Object.keys(PUBLIC_EVENT_SCHEMAS) as PublicEventName[];

/** One public event as relayed: its name and its payload. */
const relayed = <N extends PublicEventName, S extends (typeof PUBLIC_EVENT_SCHEMAS)[N]>(
  name: N,
  payload: S,
) => Type.Object({ name: Type.Literal(name), payload }, { additionalProperties: false });
export const RelayedEvent = Type.Union([
  relayed('rollout.changed', RolloutChangedEvent),
  relayed('step.changed', StepChangedEvent),
  relayed('host.changed', HostChangedEvent),
]);
export type RelayedEvent = Static<typeof RelayedEvent>;
