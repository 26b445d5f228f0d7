// What the executor knows at one instant, as plain data: the rollouts it may act on, their steps,
// the group snapshots taken at creation, and which hosts are up. Built from the database by
// load-executor-state.ts, read by the pure decideDispatch and verifyStep.
import type { GroupLimit, HostNeeds, MaintenanceWindow } from '../../shared/rollout-plan.js';

export type RolloutStateName =
  | 'awaiting_approval'
  | 'approved'
  | 'running'
  | 'paused'
  | 'halted'
  | 'completed'
  | 'cancelled';
export type StepStateName = 'pending' | 'dispatched' | 'succeeded' | 'failed' | 'skipped';

/** A group as the rollout saw it at creation: the executor never follows later edits. */
export interface GroupSnapshot {
  name: string;
  limit: GroupLimit;
  /** Every member host id, in or out of the rollout's scope: all of them count for the limit. */
  members: string[];
  windows: MaintenanceWindow[];
  dependsOn: string[];
  delayBetweenStepsSec: number;
  protected: boolean;
}

export interface ExecStep {
  id: string;
  rolloutId: string;
  hostId: string;
  hostname: string;
  position: number;
  state: StepStateName;
  action: string;
  groups: string[];
  dispatchedAt: Date | null;
  finishedAt: Date | null;
  timeoutSec: number;
  /** The learned or default duration estimate, for windows. */
  estimatedSec: number;
  /** Not dispatched before this instant. */
  pinnedUntil: Date | null;
}

export interface ExecRollout {
  id: string;
  state: RolloutStateName;
  startAt: Date;
  approvalExpiresAt: Date | null;
  groups: GroupSnapshot[];
  steps: ExecStep[];
}

export interface ExecState {
  rollouts: ExecRollout[];
  /** Hosts up: online in the database (any server instance) or connected here. */
  onlineHostIds: ReadonlySet<string>;
  /** Hosts whose agent is connected to THIS server (a step can be sent only to those). */
  connectedHostIds: ReadonlySet<string>;
}

/** The per-step facts verifyStep needs besides the agent's status. */
export interface StepForVerification {
  action: string;
  needs: HostNeeds;
  healthChecks: unknown[];
  bootIdAtDispatch: string | null;
  expectedKernel: string | null;
  reportSeqAtDispatch: bigint | null;
}
