// The body of POST/PUT /api/v1/groups, apart from the route so that `afterpatch groups apply`
// validates a group file against the very schema the server uses, without loading the server
// (typebox and shared/ only: no Prisma, no Fastify).
import Type, { type Static } from 'typebox';
import { HealthCheck } from '../../shared/agent-protocol.js';
import { Labels } from '../../shared/api/fields.js';
import { GroupLimit, MaintenanceWindow } from '../../shared/rollout-plan.js';
import { Uuid } from './schemas.js';

export const GroupFields = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' }),
  /** Hosts whose labels include all of these are members. */
  selector: Type.Optional(Type.Union([Labels, Type.Null()])),
  hostIds: Type.Optional(Type.Array(Uuid, { maxItems: 100_000 })),
  limit: GroupLimit,
  windows: Type.Optional(Type.Array(MaintenanceWindow, { maxItems: 64 })),
  dependsOn: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 256 })),
  protected: Type.Optional(Type.Boolean()),
  healthChecks: Type.Optional(Type.Array(HealthCheck, { maxItems: 32 })),
  holdSec: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  hooks: Type.Optional(Type.Boolean()),
  delayBetweenStepsSec: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0, maximum: 86_400 }), Type.Null()]),
  ),
};
export const GroupBody = Type.Object(GroupFields, { additionalProperties: false });
export type GroupBody = Static<typeof GroupBody>;
