// The plan input turned into indexed arrays that the scheduler, the lower bound and the plan
// checker all read: group members, allowed capacities, each host's step (action, operations,
// duration), when it may start at the earliest, whether it is offline, and the hosts that are
// not planned at all with the reason. Also the checks the schema cannot make: unknown names,
// duplicates, dependency cycles, unknown time zones, operation names a step would refuse.
import { Compile } from 'typebox/compile';
import { StepOperation } from '../../../shared/agent-protocol.js';
import type { PlanGroup, PlanHost, PlanInput, UnscheduledReason } from '../../../shared/rollout-plan.js';
import { maxOutAllowed } from './group-limits.js';
import { compareNames, resolveGroupMembers } from './group-membership.js';
import { PlanInputError } from './plan-input-error.js';
import { isValidTimeZone } from './windows.js';

export const DEFAULT_DURATION_SEC = Object.freeze({ restart: 60, reboot: 300 });
export const DEFAULT_HORIZON_DAYS = 30;
const DAY_MS = 86_400_000;

export interface PreparedFleet {
  input: PlanInput;
  startMs: number;
  /** Nothing starts after this instant; what would is `blocked`. */
  horizonEndMs: number;
  horizonDays: number;
  hosts: readonly PlanHost[];
  groups: readonly PlanGroup[];
  /** Per host: its group indexes, sorted by group name. */
  hostGroups: number[][];
  /** Per group: its member host indexes, in input order. */
  groupMembers: number[][];
  /** Per group: maxOutAllowed for its size. */
  allowed: number[];
  /** Per group: delay between step starts, ms. */
  delayMs: number[];
  /** Per group: 0 without dependencies, else 1 + the highest rank among those it depends on. */
  depRank: number[];
  /** Per host: the groups that must finish before it starts (dependsOn of all its groups). */
  hostDeps: number[][];
  /** Per host: until when it counts as out because it is offline (-Infinity: online; Infinity: no return). */
  offlineUntilMs: number[];
  /** Per host: the earliest start (input start, pin end, return from offline). */
  earliestMs: number[];
  durationMs: number[];
  action: ('restart' | 'reboot')[];
  operations: StepOperation[][];
  /** Per host: why it is not planned, or undefined for a candidate. */
  unscheduled: ({ reason: UnscheduledReason; detail: string } | undefined)[];
}

const stepOperation = Compile(StepOperation);

export function prepareFleet(input: PlanInput, options: { horizonDays?: number } = {}): PreparedFleet {
  const startMs = Date.parse(input.start);
  const horizonDays = options.horizonDays ?? DEFAULT_HORIZON_DAYS;
  const horizonEndMs = startMs + horizonDays * DAY_MS;
  const { hosts, groups } = input;
  const { membersOf, groupsOf } = resolveGroupMembers(groups, hosts);
  const groupIndex = new Map(groups.map((g, i) => [g.name, i]));
  const hostIndex = new Map(hosts.map((h, i) => [h.id, i]));

  groups.forEach((group, g) => {
    group.windows?.forEach((w, k) => {
      if (!isValidTimeZone(w.timeZone)) {
        throw new PlanInputError(`/groups/${g}/windows/${k}/timeZone`, `unknown time zone '${w.timeZone}'`);
      }
    });
  });
  const deps = groups.map((group, g) =>
    (group.dependsOn ?? []).map((name, k) => {
      const d = groupIndex.get(name);
      if (d === undefined) {
        throw new PlanInputError(
          `/groups/${g}/dependsOn/${k}`,
          `group '${group.name}' depends on unknown group '${name}'`,
        );
      }
      return d;
    }),
  );
  const depRank = dependencyRanks(groups, deps);

  const groupMembers = groups.map((g) => membersOf.get(g.name)!.map((id) => hostIndex.get(id)!));
  const hostGroups = hosts.map((h) =>
    groupsOf
      .get(h.id)!
      .map((name) => groupIndex.get(name)!)
      .sort((a, b) => compareNames(groups[a]!.name, groups[b]!.name)),
  );
  const allowed = groups.map((g, i) => maxOutAllowed(g.limit, groupMembers[i]!.length));
  const defaultDelay = input.defaults?.delayBetweenStepsSec ?? 0;
  const delayMs = groups.map((g) => (g.delayBetweenStepsSec ?? defaultDelay) * 1000);
  const hostDeps = hostGroups.map((gs) => [...new Set(gs.flatMap((g) => deps[g]!))].sort((a, b) => a - b));

  const restartSec = input.defaults?.durationSec?.restart ?? DEFAULT_DURATION_SEC.restart;
  const rebootSec = input.defaults?.durationSec?.reboot ?? DEFAULT_DURATION_SEC.reboot;
  const allowReboot = input.allowReboot ?? true;

  const offlineUntilMs: number[] = [];
  const earliestMs: number[] = [];
  const durationMs: number[] = [];
  const action: ('restart' | 'reboot')[] = [];
  const operations: StepOperation[][] = [];
  const unscheduled: PreparedFleet['unscheduled'] = [];
  hosts.forEach((host, h) => {
    const ops = stepOperations(host, h);
    const reboot = host.needs.reboot;
    action.push(reboot ? 'reboot' : 'restart');
    operations.push(ops);
    durationMs.push((host.durationSec ?? (reboot ? rebootSec : restartSec)) * 1000);
    const offline = host.online === false;
    const back =
      host.expectedOnlineAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(host.expectedOnlineAt);
    offlineUntilMs.push(
      offline ? (back <= startMs ? Number.NEGATIVE_INFINITY : back) : Number.NEGATIVE_INFINITY,
    );
    const pinnedUntil = host.pinnedUntil === undefined ? startMs : Date.parse(host.pinnedUntil);
    const earliest = Math.max(
      startMs,
      pinnedUntil,
      offline && back !== Number.POSITIVE_INFINITY ? back : startMs,
    );
    earliestMs.push(earliest);
    unscheduled.push(
      classify(host, ops.length, allowReboot, offline, back, pinnedUntil, horizonEndMs, horizonDays),
    );
  });

  return {
    input,
    startMs,
    horizonEndMs,
    horizonDays,
    hosts,
    groups,
    hostGroups,
    groupMembers,
    allowed,
    delayMs,
    depRank,
    hostDeps,
    offlineUntilMs,
    earliestMs,
    durationMs,
    action,
    operations,
    unscheduled,
  };
}

/** The step's operations: a reboot alone, or PID 1 re-exec first, then units, then containers. */
function stepOperations(host: PlanHost, h: number): StepOperation[] {
  const { needs } = host;
  if (needs.reboot) return [{ kind: 'reboot' }];
  const ops: StepOperation[] = [];
  if (needs.reexecPid1) ops.push({ kind: 'reexec-pid1' });
  needs.units.forEach((unit, k) => {
    const op: StepOperation = { kind: 'restart-unit', unit };
    if (!stepOperation.Check(op)) {
      throw new PlanInputError(
        `/hosts/${h}/needs/units/${k}`,
        `'${unit.slice(0, 80)}' is not a unit name a step may carry`,
      );
    }
    ops.push(op);
  });
  needs.containers.forEach((c, k) => {
    const op: StepOperation = { kind: 'restart-container', runtime: c.runtime, id: c.id };
    if (!stepOperation.Check(op)) {
      throw new PlanInputError(
        `/hosts/${h}/needs/containers/${k}`,
        `'${c.id.slice(0, 80)}' is not a container id a step may carry`,
      );
    }
    ops.push(op);
  });
  return ops;
}

function classify(
  host: PlanHost,
  operationCount: number,
  allowReboot: boolean,
  offline: boolean,
  backMs: number,
  pinnedUntilMs: number,
  horizonEndMs: number,
  horizonDays: number,
): { reason: UnscheduledReason; detail: string } | undefined {
  if (host.excluded) return { reason: 'excluded', detail: 'excluded from this rollout' };
  if (operationCount === 0) return { reason: 'nothing-to-do', detail: 'needs no restart and no reboot' };
  if (host.needs.reboot && !allowReboot) {
    return { reason: 'reboot-not-allowed', detail: 'needs a reboot and this rollout allows none' };
  }
  if (offline && backMs === Number.POSITIVE_INFINITY) {
    return { reason: 'offline', detail: 'offline with no expected return (counts as out for its groups)' };
  }
  if (offline && backMs > horizonEndMs) {
    return {
      reason: 'offline',
      detail: `offline until ${iso(backMs)}, beyond the ${horizonDays}-day horizon (counts as out for its groups)`,
    };
  }
  if (pinnedUntilMs > horizonEndMs) {
    return {
      reason: 'pinned',
      detail: `pinned until ${iso(pinnedUntilMs)}${host.pinReason ? `: ${host.pinReason}` : ''}`,
    };
  }
  return undefined;
}

/** Ranks by dependency depth; a cycle is an input error naming it. */
function dependencyRanks(groups: readonly PlanGroup[], deps: number[][]): number[] {
  const rank = new Array<number>(groups.length).fill(-1);
  const state = new Uint8Array(groups.length); // 0 new, 1 on the stack, 2 done
  for (let root = 0; root < groups.length; root++) {
    if (state[root] !== 0) continue;
    // Iterative depth-first search: dependency chains can be long.
    const stack: { g: number; next: number }[] = [{ g: root, next: 0 }];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const list = deps[top.g]!;
      if (top.next < list.length) {
        const d = list[top.next++]!;
        if (state[d] === 1) {
          const cycle = [
            ...stack.slice(stack.findIndex((s) => s.g === d)).map((s) => groups[s.g]!.name),
            groups[d]!.name,
          ];
          throw new PlanInputError(`/groups/${top.g}/dependsOn`, `dependency cycle: ${cycle.join(' -> ')}`);
        }
        if (state[d] === 0) {
          state[d] = 1;
          stack.push({ g: d, next: 0 });
        }
      } else {
        rank[top.g] = list.length === 0 ? 0 : 1 + Math.max(...list.map((d) => rank[d]!));
        state[top.g] = 2;
        stack.pop();
      }
    }
  }
  return rank;
}

const isoCache = new Map<number, string>();

/** ISO 8601 in UTC; cached because a plan repeats the same instants thousands of times. */
export function iso(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= 200_000) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
}
