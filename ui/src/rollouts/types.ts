// The rollout API's answers as the UI uses them: the types of the schemas the server answers with
// (shared/api/, shared/rollout-plan.ts), imported as types only so that the bundle carries no
// TypeBox code.
import type { RolloutGroup } from '../../../shared/api/groups.js';
import type { RolloutState } from '../../../shared/api/rollouts.js';
import type { GroupLimit } from '../../../shared/rollout-plan.js';

export type { HealthCheck, Outcome } from '../../../shared/agent-protocol.js';
export type { RolloutGroup } from '../../../shared/api/groups.js';
export type { RolloutOptions } from '../../../shared/api/rollout-options.js';
export type {
  RecordedStepEvidence,
  RolloutDetail,
  RolloutState,
  RolloutStep,
  RolloutStepState,
  RolloutSummary,
} from '../../../shared/api/rollouts.js';
export type {
  GroupLimit,
  MaintenanceWindow,
  Plan,
  PlannedStep,
  Weekday,
} from '../../../shared/rollout-plan.js';

/** What the group form sends: the group without what the server sets. */
export type GroupBody = Omit<RolloutGroup, 'id' | 'createdAt'>;

export const ACTIVE_STATES: readonly RolloutState[] = [
  'awaiting_approval',
  'approved',
  'running',
  'paused',
  'halted',
];

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
