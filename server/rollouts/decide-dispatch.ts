// The executor's one decision, PURE (state + now in, actions out; no clock, no I/O): which
// pending steps to dispatch now, why each other one waits, which in-flight steps timed out, which
// approvals expired, which rollouts start or are finished. Built on the planner's own limit and
// window functions, so the plan and the execution agree on what a limit means.
//
// A host counts as OUT of every group it belongs to from dispatch until its step is verified,
// while it is offline, and while its step has failed in a rollout that is not over (a failed host
// is not known to be up). Out-counts span every rollout: two rollouts never add up past a limit.

import type { ExecRollout, ExecState, ExecStep, GroupSnapshot } from './executor-state.js';
import { type GroupOccupancy, groupsBlockingHost } from './planner/group-limits.js';
import { nextWindowSpan } from './planner/windows.js';

/** Seconds after a step's own timeout before the server gives up on hearing from the agent. */
export const TIMEOUT_GRACE_SEC = 30;

export type HoldKind = 'limit' | 'window' | 'dependency' | 'delay' | 'offline' | 'pinned' | 'busy';

export interface Hold {
  stepId: string;
  rolloutId: string;
  hostId: string;
  kind: HoldKind;
  group?: string;
  until?: Date;
  detail: string;
}

export interface DispatchDecision {
  dispatch: ExecStep[];
  holds: Hold[];
  /** In-flight steps past their timeout (plus grace): to be marked failed. */
  timedOut: ExecStep[];
  /** Approved rollouts whose approval expired before they started. */
  expireApproval: string[];
  /** Approved rollouts whose start time has come. */
  start: string[];
  /** Running rollouts with every step settled. */
  complete: string[];
}

const SETTLED = new Set(['succeeded', 'failed', 'skipped']);
const NOT_OVER = new Set(['running', 'paused', 'halted']);

export function decideDispatch(state: ExecState, now: Date): DispatchDecision {
  const nowMs = now.getTime();
  const decision: DispatchDecision = {
    dispatch: [],
    holds: [],
    timedOut: [],
    expireApproval: [],
    start: [],
    complete: [],
  };

  for (const rollout of state.rollouts) {
    if (rollout.state !== 'approved') continue;
    if (rollout.approvalExpiresAt && rollout.approvalExpiresAt.getTime() <= nowMs)
      decision.expireApproval.push(rollout.id);
    else if (rollout.startAt.getTime() <= nowMs) decision.start.push(rollout.id);
  }
  const starting = new Set(decision.start);
  const active = state.rollouts.filter((r) => r.state === 'running' || starting.has(r.id));

  // Hosts out now, across every rollout; and per group, the last dispatch time (for delays).
  const busyHosts = new Set<string>();
  const failedHosts = new Set<string>();
  const lastStartInGroup = new Map<string, number>();
  for (const rollout of state.rollouts) {
    for (const step of rollout.steps) {
      if (step.state === 'dispatched') {
        busyHosts.add(step.hostId);
        if (
          step.dispatchedAt &&
          nowMs - step.dispatchedAt.getTime() > (step.timeoutSec + TIMEOUT_GRACE_SEC) * 1000
        )
          decision.timedOut.push(step);
      }
      if (step.state === 'failed' && NOT_OVER.has(rollout.state)) failedHosts.add(step.hostId);
      if (step.dispatchedAt) {
        for (const group of step.groups) {
          const key = groupKey(rollout.id, group);
          lastStartInGroup.set(key, Math.max(lastStartInGroup.get(key) ?? 0, step.dispatchedAt.getTime()));
        }
      }
    }
  }
  const isOut = (hostId: string) =>
    busyHosts.has(hostId) || failedHosts.has(hostId) || !state.onlineHostIds.has(hostId);

  for (const rollout of active) {
    const groups = new Map(rollout.groups.map((g) => [g.name, g]));
    // Out-sets per group of this rollout's snapshot, updated as this round dispatches.
    const outSets = new Map<string, Set<string>>();
    for (const group of rollout.groups) outSets.set(group.name, new Set(group.members.filter(isOut)));
    const unfinishedInGroup = unfinishedMembers(rollout, groups);

    const pending = rollout.steps
      .filter((s) => s.state === 'pending')
      .sort((a, b) => a.position - b.position);
    if (pending.length === 0 && rollout.steps.every((s) => SETTLED.has(s.state))) {
      decision.complete.push(rollout.id);
      continue;
    }
    for (const step of pending) {
      const hold = holdFor(
        step,
        rollout,
        groups,
        outSets,
        unfinishedInGroup,
        lastStartInGroup,
        busyHosts,
        state,
        nowMs,
      );
      if (hold) {
        decision.holds.push(hold);
        continue;
      }
      decision.dispatch.push(step);
      busyHosts.add(step.hostId);
      for (const name of step.groups) {
        outSets.get(name)?.add(step.hostId);
        lastStartInGroup.set(groupKey(rollout.id, name), nowMs);
      }
    }
  }
  return decision;
}

function holdFor(
  step: ExecStep,
  rollout: ExecRollout,
  groups: Map<string, GroupSnapshot>,
  outSets: Map<string, Set<string>>,
  unfinishedInGroup: Map<string, number>,
  lastStartInGroup: Map<string, number>,
  busyHosts: Set<string>,
  state: ExecState,
  nowMs: number,
): Hold | undefined {
  const base = { stepId: step.id, rolloutId: rollout.id, hostId: step.hostId };
  if (step.pinnedUntil && step.pinnedUntil.getTime() > nowMs) {
    return {
      ...base,
      kind: 'pinned',
      until: step.pinnedUntil,
      detail: `pinned until ${step.pinnedUntil.toISOString()}`,
    };
  }
  if (busyHosts.has(step.hostId)) {
    return { ...base, kind: 'busy', detail: `${step.hostname} has a step in flight in another rollout` };
  }
  if (!state.connectedHostIds.has(step.hostId)) {
    return { ...base, kind: 'offline', detail: `${step.hostname}'s agent is not connected` };
  }
  for (const name of step.groups) {
    const group = groups.get(name);
    if (!group) continue;
    for (const dependency of group.dependsOn) {
      const left = unfinishedInGroup.get(dependency) ?? 0;
      if (left > 0) {
        return {
          ...base,
          kind: 'dependency',
          group: name,
          detail: `${name} waits for ${dependency}: ${left} host(s) not done`,
        };
      }
    }
  }
  for (const name of step.groups) {
    const group = groups.get(name);
    if (!group || group.windows.length === 0) continue;
    const span = nextWindowSpan(group.windows, nowMs, { minDurationSec: step.estimatedSec });
    if (!span || span.start.getTime() > nowMs) {
      return {
        ...base,
        kind: 'window',
        group: name,
        ...(span ? { until: span.start } : {}),
        detail: span
          ? `${name}: outside its windows until ${span.start.toISOString()}`
          : `${name}: no window long enough within a year`,
      };
    }
  }
  for (const name of step.groups) {
    const group = groups.get(name);
    if (!group || group.delayBetweenStepsSec <= 0) continue;
    const last = lastStartInGroup.get(groupKey(rollout.id, name));
    if (last !== undefined && last + group.delayBetweenStepsSec * 1000 > nowMs) {
      const until = new Date(last + group.delayBetweenStepsSec * 1000);
      return {
        ...base,
        kind: 'delay',
        group: name,
        until,
        detail: `${name}: next step not before ${until.toISOString()}`,
      };
    }
  }
  const occupancy: GroupOccupancy[] = [];
  for (const name of step.groups) {
    const group = groups.get(name);
    if (group)
      occupancy.push({
        name,
        limit: group.limit,
        size: group.members.length,
        out: outSets.get(name) ?? new Set(),
      });
  }
  const blocking = groupsBlockingHost(step.hostId, occupancy);
  const first = blocking[0];
  if (first) return { ...base, kind: 'limit', group: first.name, detail: first.detail };
  return undefined;
}

/** Per group, the members of this rollout whose steps are not yet done (for dependencies). */
function unfinishedMembers(rollout: ExecRollout, groups: Map<string, GroupSnapshot>): Map<string, number> {
  const left = new Map<string, number>();
  for (const name of groups.keys()) left.set(name, 0);
  for (const step of rollout.steps) {
    if (step.state === 'succeeded' || step.state === 'skipped') continue;
    for (const name of step.groups) left.set(name, (left.get(name) ?? 0) + 1);
  }
  return left;
}

function groupKey(rolloutId: string, group: string): string {
  return `${rolloutId}\u0000${group}`;
}
