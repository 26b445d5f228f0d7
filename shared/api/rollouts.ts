// The rollouts API's answers: a rollout with its step counts, with its steps (and why pending
// steps wait), and a preview's plan. Served by server/routes/rollouts.ts; read by the UI and the
// CLI (`afterpatch rollout`).
import Type, { type Static } from 'typebox';
import { Plan } from '../rollout-plan.js';
import { DateTime, NullableDateTime } from './fields.js';

export const RolloutState = Type.Union([
  Type.Literal('awaiting_approval'),
  Type.Literal('approved'),
  Type.Literal('running'),
  Type.Literal('paused'),
  Type.Literal('halted'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
]);
export type RolloutState = Static<typeof RolloutState>;
export const ROLLOUT_STATES: readonly RolloutState[] = RolloutState.anyOf.map((s) => s.const);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const RolloutSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  state: RolloutState,
  requiresAdmin: Type.Boolean(),
  createdBy: Nullable(Type.String()),
  approvedBy: Nullable(Type.String()),
  approvedAt: NullableDateTime,
  approvalExpiresAt: NullableDateTime,
  failureBudget: Type.Integer(),
  failures: Type.Integer(),
  haltReason: Nullable(Type.String()),
  createdAt: DateTime,
  startedAt: NullableDateTime,
  finishedAt: NullableDateTime,
  version: Type.Integer(),
  /** Steps per state. */
  counts: Type.Record(Type.String(), Type.Integer()),
});
export type RolloutSummary = Static<typeof RolloutSummary>;

/** Why a pending step has not been dispatched yet. */
export const StepHold = Type.Object({
  kind: Type.String(),
  group: Type.Optional(Type.String()),
  until: Type.Optional(DateTime),
  detail: Type.String(),
});
export type StepHold = Static<typeof StepHold>;

export const RolloutStep = Type.Object({
  id: Type.String(),
  hostId: Type.String(),
  hostname: Type.String(),
  position: Type.Integer(),
  state: Type.String(),
  action: Type.String(),
  operations: Type.Array(Type.Unknown()),
  groups: Type.Array(Type.String()),
  dispatchedAt: NullableDateTime,
  finishedAt: NullableDateTime,
  agentState: Nullable(Type.String()),
  agentMessage: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  expectedKernel: Nullable(Type.String()),
  bootIdAtDispatch: Nullable(Type.String()),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  hold: Nullable(StepHold),
});
export type RolloutStep = Static<typeof RolloutStep>;

export const RolloutDetail = Type.Object({
  ...RolloutSummary.properties,
  options: Type.Record(Type.String(), Type.Unknown()),
  plan: Type.Record(Type.String(), Type.Unknown()),
  steps: Type.Array(RolloutStep),
});
export type RolloutDetail = Static<typeof RolloutDetail>;

/** The answer of POST /api/v1/rollouts/preview: the plan, nothing stored. */
export const RolloutPreview = Type.Object({ requiresAdmin: Type.Boolean(), plan: Plan });
export type RolloutPreview = Static<typeof RolloutPreview>;
