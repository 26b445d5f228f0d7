// The shapes of the server's group and rollout answers that the CLI reads (server/routes/groups.ts
// and rollouts.ts are the reference; the OpenAPI document at /docs/json has every field).
import type { Plan } from '../../shared/rollout-plan.js';

export interface GroupDefinition {
  id: string;
  name: string;
  selector: Record<string, string> | null;
  hostIds: string[];
  limit: { maxOut?: number; maxOutPercent?: number; minUp?: number };
  windows: Array<{ days: string[]; start: string; end: string; timeZone: string }>;
  dependsOn: string[];
  protected: boolean;
  healthChecks: Array<Record<string, unknown>>;
  holdSec: number;
  hooks: boolean;
  delayBetweenStepsSec: number | null;
  createdAt?: string;
}

export const ROLLOUT_STATES = [
  'awaiting_approval',
  'approved',
  'running',
  'paused',
  'halted',
  'completed',
  'cancelled',
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export interface RolloutSummary {
  id: string;
  name: string;
  state: RolloutState;
  requiresAdmin: boolean;
  createdBy: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  approvalExpiresAt: string | null;
  failureBudget: number;
  failures: number;
  haltReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  version: number;
  /** Steps per state. */
  counts: Record<string, number>;
}

export interface StepHold {
  kind: string;
  group?: string;
  until?: string;
  detail: string;
}

export interface RolloutStep {
  id: string;
  hostId: string;
  hostname: string;
  position: number;
  state: string;
  action: string;
  groups: string[];
  dispatchedAt: string | null;
  finishedAt: string | null;
  agentState: string | null;
  agentMessage: string | null;
  failureReason: string | null;
  expectedKernel: string | null;
  evidence: Record<string, unknown>;
  hold: StepHold | null;
}

export interface RolloutDetail extends RolloutSummary {
  options: Record<string, unknown>;
  plan: Partial<Plan> & Record<string, unknown>;
  steps: RolloutStep[];
}

export interface RolloutPreview {
  requiresAdmin: boolean;
  plan: Plan;
}

/** What `rollout follow` waits for: completed is success, the others need a person. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'cancelled', 'halted']);
