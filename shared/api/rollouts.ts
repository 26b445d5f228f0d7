// The rollouts API's answers: a rollout with its step counts, with its steps (and why pending
// steps wait), and a preview's plan. Served by server/routes/rollouts.ts; read by the UI and the
// CLI (`afterpatch rollout`).
import Type, { type Static } from 'typebox';
import { StepState as AgentStepState, StepEvidence } from '../agent-protocol.js';
import { Plan, PlannedStep } from '../rollout-plan.js';
import { DateTime, NullableDateTime } from './fields.js';
import { RolloutOptions } from './rollout-options.js';

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

/** A step's state on the server (prisma/schema.prisma StepState; the agent's own are finer). */
export const RolloutStepState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('dispatched'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('skipped'),
]);
export type RolloutStepState = Static<typeof RolloutStepState>;

/**
 * What the server recorded for a step (rollout_steps.evidence): the agent's last evidence and
 * status, the server's own checks of it (server/rollouts/verify-step.ts) and the verdict.
 */
export const RecordedStepEvidence = Type.Object({
  agent: Type.Optional(StepEvidence),
  agentState: Type.Optional(AgentStepState),
  agentMessage: Type.Optional(Type.String()),
  /** Each check the server made, by name, with what it found. */
  checks: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** The step ran out of time before a verified result. */
  timeout: Type.Optional(Type.Boolean()),
  /** The reason it settled as it did, one sentence. */
  verdict: Type.Optional(Type.String()),
});
export type RecordedStepEvidence = Static<typeof RecordedStepEvidence>;

export const RolloutStep = Type.Object({
  id: Type.String(),
  hostId: Type.String(),
  hostname: Type.String(),
  position: Type.Integer(),
  state: RolloutStepState,
  action: PlannedStep.properties.action,
  operations: PlannedStep.properties.operations,
  groups: Type.Array(Type.String()),
  dispatchedAt: NullableDateTime,
  finishedAt: NullableDateTime,
  agentState: Nullable(Type.String()),
  agentMessage: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  expectedKernel: Nullable(Type.String()),
  bootIdAtDispatch: Nullable(Type.String()),
  evidence: RecordedStepEvidence,
  hold: Nullable(StepHold),
});
export type RolloutStep = Static<typeof RolloutStep>;

export const RolloutDetail = Type.Object({
  ...RolloutSummary.properties,
  /** As created (or previewed) with. */
  options: RolloutOptions,
  /** The plan made at creation; the steps say where each host stands now. */
  plan: Plan,
  steps: Type.Array(RolloutStep),
});
export type RolloutDetail = Static<typeof RolloutDetail>;

/** The answer of POST /api/v1/rollouts/preview: the plan, nothing stored. */
export const RolloutPreview = Type.Object({ requiresAdmin: Type.Boolean(), plan: Plan });
export type RolloutPreview = Static<typeof RolloutPreview>;
