// The rollout API's answers as the UI uses them: the types of the schemas the server answers with
// (shared/api/, shared/rollout-plan.ts), imported as types only so that the bundle carries no
// TypeBox code. Where the UI knows more than a route's schema says, the type is narrowed here.
import type { RolloutGroup } from '../../../shared/api/groups.js';
import type {
  RolloutDetail as RolloutDetailAnswer,
  RolloutState,
  RolloutStep as RolloutStepAnswer,
} from '../../../shared/api/rollouts.js';
import type { GroupLimit, Plan, PlannedStep } from '../../../shared/rollout-plan.js';

export type { HealthCheck } from '../../../shared/agent-protocol.js';
export type { RolloutGroup } from '../../../shared/api/groups.js';
export type { RolloutState, RolloutSummary } from '../../../shared/api/rollouts.js';
export type {
  GroupLimit,
  MaintenanceWindow,
  Plan,
  PlannedStep,
  Weekday,
} from '../../../shared/rollout-plan.js';

/** What the group form sends: the group without what the server sets. */
export type GroupBody = Omit<RolloutGroup, 'id' | 'createdAt'>;

// The body of POST /api/v1/rollouts/preview and /api/v1/rollouts (server/rollouts/rollout-options.ts).
export interface RolloutOptions {
  name: string;
  groups?: string[];
  hosts?: string[];
  exclude?: string[];
  startAt?: string;
  deadline?: string;
  allowReboot?: boolean;
  delayBetweenStepsSec?: number;
  stepTimeoutSec?: number;
  maxParallel?: number;
  failureBudget?: number;
}

export const ACTIVE_STATES: readonly RolloutState[] = [
  'awaiting_approval',
  'approved',
  'running',
  'paused',
  'halted',
];

/** A step's state column (prisma/schema.prisma StepState). */
export type StepState = 'pending' | 'dispatched' | 'succeeded' | 'failed' | 'skipped';
export interface Outcome {
  what: string;
  ok: boolean;
  detail?: string;
}
/** What the executor records for a step: the agent's evidence, the server's checks, the verdict. */
export interface StepEvidence {
  agent?: {
    bootIdBefore?: string;
    bootIdAfter?: string;
    kernelRelease?: string;
    reportSeq?: number | string;
    operations?: Outcome[];
    hooks?: Outcome[];
    healthChecks?: Outcome[];
  };
  checks?: Record<string, unknown>;
  verdict?: string;
}
// The route's schema says strings and a record: they hold the step state column, the planner's
// action and the executor's evidence.
export type RolloutStep = Omit<RolloutStepAnswer, 'state' | 'action' | 'evidence'> & {
  state: StepState;
  action: PlannedStep['action'];
  evidence: StepEvidence;
};
// The route's schema says records: they hold the options the rollout was created with and its plan.
export type RolloutDetail = Omit<RolloutDetailAnswer, 'options' | 'plan' | 'steps'> & {
  options: RolloutOptions;
  plan: Plan;
  steps: RolloutStep[];
};

/** Settled steps over all steps, in percent (an empty rollout is done). */
export function progressOf(counts: Record<string, number>): { done: number; total: number; percent: number } {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const done = (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.skipped ?? 0);
  return { done, total, percent: total === 0 ? 100 : Math.floor((done / total) * 100) };
}

export const STATE_TEXT: Record<RolloutState, string> = {
  awaiting_approval: 'awaiting approval',
  approved: 'approved',
  running: 'running',
  paused: 'paused',
  halted: 'halted',
  completed: 'completed',
  cancelled: 'cancelled',
};

export function limitText(limit: GroupLimit | undefined): string {
  if (!limit) return '—';
  const parts = [];
  if (limit.maxOut !== undefined) parts.push(`≤ ${limit.maxOut} out`);
  if (limit.maxOutPercent !== undefined) parts.push(`≤ ${limit.maxOutPercent}% out`);
  if (limit.minUp !== undefined) parts.push(`≥ ${limit.minUp} up`);
  return parts.join(', ') || 'no limit';
}

export function durationText(sec: number): string {
  if (sec < 90) return `${Math.round(sec)} s`;
  if (sec < 5400) return `${Math.round(sec / 60)} min`;
  if (sec < 172_800) return `${(sec / 3600).toFixed(1)} h`;
  return `${(sec / 86_400).toFixed(1)} d`;
}
