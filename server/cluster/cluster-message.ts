// What server instances send each other over the message bus. Kept generic: `to-host` carries a
// complete, already encoded server→agent frame (a scan request, a rollout step) for the instance
// holding that host's connection; `disconnect-host` closes a host's connection there (a revoked
// credential); `rollouts-changed` wakes the rollout executor of the instance
// holding the leader lock (something it decides on changed elsewhere); `events` carries public
// events made on the sender for the live views of the receiver (event-relay.ts). Every message is validated
// on receipt like any other input: another instance may run a different version.
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { MAX_FRAME_BYTES } from '../../shared/agent-protocol.js';
import { RelayedEvent } from '../events/public-events.js';

const Uuid = Type.String({ format: 'uuid', maxLength: 36 });

export const ToHostMessage = Type.Object(
  {
    kind: Type.Literal('to-host'),
    hostId: Uuid,
    /** A frame made by encodeMessage on the sending instance; decoded again before it is sent. */
    frame: Type.String({ minLength: 2, maxLength: MAX_FRAME_BYTES }),
  },
  { additionalProperties: false },
);

/** Close the host's connection on the instance holding it (its credential was revoked there). */
export const DisconnectHostMessage = Type.Object(
  {
    kind: Type.Literal('disconnect-host'),
    hostId: Uuid,
    code: Type.Integer({ minimum: 4000, maximum: 4999 }),
    reason: Type.String({ maxLength: 120 }),
  },
  { additionalProperties: false },
);

/** Carries nothing: the receiver reads what changed from the database. */
export const RolloutsChangedMessage = Type.Object(
  { kind: Type.Literal('rollouts-changed') },
  { additionalProperties: false },
);

/** At most this many events per bus message (each is ~100-300 bytes of JSON). */
export const MAX_EVENTS_PER_MESSAGE = 200;

/** Public events made on the sender, in the order they were made. */
export const EventsMessage = Type.Object(
  {
    kind: Type.Literal('events'),
    events: Type.Array(RelayedEvent, { minItems: 1, maxItems: MAX_EVENTS_PER_MESSAGE }),
  },
  { additionalProperties: false },
);

export const ClusterMessage = Type.Union([
  ToHostMessage,
  DisconnectHostMessage,
  RolloutsChangedMessage,
  EventsMessage,
]);
export type ClusterMessage = Static<typeof ClusterMessage>;

const validator = Compile(ClusterMessage);

/** The message, or undefined when `value` is not one this version understands. */
export function parseClusterMessage(value: unknown): ClusterMessage | undefined {
  return validator.Check(value) ? value : undefined;
}
