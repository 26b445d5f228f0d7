// The body of POST /api/v1/rollouts and /api/v1/rollouts/preview: what an operator asks for,
// validated by the route's schema, stored with the rollout as `options` and answered back in its
// detail. Sent by the UI's new-rollout form and `afterpatch rollout preview|create`.
import Type, { type Static } from 'typebox';

const HostId = Type.String({ format: 'uuid' });
const GroupName = Type.String({ minLength: 1, maxLength: 100 });

export const RolloutOptions = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** Only members of these groups (default: every host, or `hosts`). */
    groups: Type.Optional(Type.Array(GroupName, { maxItems: 1000 })),
    /** Only these hosts (together with the members of `groups`). */
    hosts: Type.Optional(Type.Array(HostId, { maxItems: 100_000 })),
    /** Never touched by this rollout (still count for their groups' limits). */
    exclude: Type.Optional(Type.Array(HostId, { maxItems: 100_000 })),
    /** Not touched before `until`. */
    pins: Type.Optional(
      Type.Array(
        Type.Object(
          {
            hostId: HostId,
            until: Type.String({ format: 'date-time' }),
            reason: Type.Optional(Type.String({ maxLength: 1024 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100_000 },
      ),
    ),
    /** Not started before this instant (default: as soon as approved). */
    startAt: Type.Optional(Type.String({ format: 'date-time' })),
    /** Only reported by the plan: does it finish by then? */
    deadline: Type.Optional(Type.String({ format: 'date-time' })),
    /** false: hosts that need a reboot are left out. Default true. */
    allowReboot: Type.Optional(Type.Boolean()),
    /** For groups without their own delay: seconds between two step starts in a group. Default 0. */
    delayBetweenStepsSec: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    /** The agent gives up on a step after this long. Default 1800. */
    stepTimeoutSec: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
    /**
     * At most this many of the rollout's hosts out at once, whatever their groups say: an implicit
     * group over every host the rollout works on (hosts in no group get a limit too). Default 1.
     */
    maxParallel: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** Failed steps tolerated; one more halts the rollout. Default 0. */
    failureBudget: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export type RolloutOptions = Static<typeof RolloutOptions>;
