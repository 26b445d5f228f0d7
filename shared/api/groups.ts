// The rollout groups API's answer: a group with every setting, defaults filled in. Served by
// server/routes/groups.ts (whose request body is server/routes/group-schema.ts); read by the UI
// and the CLI (`afterpatch groups`).
import Type, { type Static } from 'typebox';
import { HealthCheck } from '../agent-protocol.js';
import { GroupLimit, MaintenanceWindow } from '../rollout-plan.js';
import { DateTime, Labels } from './fields.js';

export const RolloutGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  selector: Type.Union([Labels, Type.Null()]),
  hostIds: Type.Array(Type.String()),
  limit: GroupLimit,
  windows: Type.Array(MaintenanceWindow),
  dependsOn: Type.Array(Type.String()),
  protected: Type.Boolean(),
  healthChecks: Type.Array(HealthCheck),
  holdSec: Type.Integer(),
  hooks: Type.Boolean(),
  delayBetweenStepsSec: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.Optional(DateTime),
});
export type RolloutGroup = Static<typeof RolloutGroup>;
