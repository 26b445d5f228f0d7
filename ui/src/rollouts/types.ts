// The rollout API's answers as the UI uses them (shared/rollout-plan.ts and server/routes/
// {groups,rollouts}.ts are the reference; the UI keeps its own copy so that it imports no server code).
export interface GroupLimit {
  maxOut?: number;
  maxOutPercent?: number;
  minUp?: number;
}
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export interface MaintenanceWindow {
  days: Weekday[];
  start: string;
  end: string;
  timeZone: string;
}
export type HealthCheck =
  | { kind: 'http'; url: string; expectStatus?: number }
  | { kind: 'command'; name: string };
export interface RolloutGroup {
  id: string;
  name: string;
  selector: Record<string, string> | null;
  hostIds: string[];
  limit: GroupLimit;
  windows: MaintenanceWindow[];
  dependsOn: string[];
  protected: boolean;
  healthChecks: HealthCheck[];
  holdSec: number;
  hooks: boolean;
  delayBetweenStepsSec: number | null;
}
export type GroupBody = Omit<RolloutGroup, 'id'>;

export interface StepWait {
  kind: 'limit' | 'window' | 'dependency' | 'delay' | 'offline' | 'pinned';
  group?: string;
  until: string;
  detail: string;
}
export interface PlannedStep {
  order: number;
  hostId: string;
  hostname?: string;
  action: 'restart' | 'reboot';
  operations: Array<{ kind: string; unit?: string; id?: string; runtime?: string }>;
  groups: string[];
  plannedStart: string;
  plannedEnd: string;
  durationSec: number;
  waits: StepWait[];
}
export interface Plan {
  start: string;
  steps: PlannedStep[];
  unscheduled: Array<{ hostId: string; hostname?: string; reason: string; detail: string }>;
  summary: {
    hosts: number;
    steps: number;
    reboots: number;
    restarts: number;
    startAt: string;
    finishAt: string;
    durationSec: number;
    lowerBoundSec: number;
    deadline?: string;
    fitsDeadline?: boolean;
  };
}

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

export type RolloutState =
  | 'awaiting_approval'
  | 'approved'
  | 'running'
  | 'paused'
  | 'halted'
  | 'completed'
  | 'cancelled';
export const ACTIVE_STATES: readonly RolloutState[] = [
  'awaiting_approval',
  'approved',
  'running',
  'paused',
  'halted',
];

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
  counts: Record<string, number>;
}
export type StepState = 'pending' | 'dispatched' | 'succeeded' | 'failed' | 'skipped';
export interface Outcome {
  what: string;
  ok: boolean;
  detail?: string;
}
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
export interface RolloutStep {
  id: string;
  hostId: string;
  hostname: string;
  position: number;
  state: StepState;
  action: 'restart' | 'reboot';
  groups: string[];
  dispatchedAt: string | null;
  finishedAt: string | null;
  agentState: string | null;
  agentMessage: string | null;
  failureReason: string | null;
  expectedKernel: string | null;
  bootIdAtDispatch: string | null;
  evidence: StepEvidence;
  hold: { kind: string; group?: string; until?: string; detail: string } | null;
}
export interface RolloutDetail extends RolloutSummary {
  options: RolloutOptions;
  plan: Plan;
  steps: RolloutStep[];
}

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
