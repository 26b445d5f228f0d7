// Plans a rollout: one step per host (a reboot when the host needs one, which covers everything,
// else the restarts), placed by greedy, event-driven list scheduling so that at every instant
// every group's limit holds (hosts in a step plus offline members), every step starts and ends
// inside a window span of each of its groups, groups start only after the groups they depend on
// have finished, and steps in a group start at least the group's delay apart.
//
// Why it is correct and fast: time only moves forward and a step is only ever placed at the
// current instant, so a group's occupancy can only fall between now and any later instant until
// something else is placed. Checking the counter NOW therefore checks the whole step. Hosts that
// cannot start wait in exactly one place: parked on the group that refused them (woken, in
// priority order, only when that group frees a slot or its delay runs out), on the dependency
// they wait for (woken when it finishes), or as a timed wake-up (pin end, return from offline,
// next window span). Work is about (steps + wake-ups) × groups per host × log n, never
// hosts × groups × steps.
//
// A group that others depend on is finished for a host when all its members but that host itself
// have finished: a host in both `db` and `app` (app depends on db) goes with db, not never.
//
// Host priority, among those that could start at the same instant: lower dependency rank first,
// then the most constrained (the smallest ratio of allowed-out to hosts needing a step over its
// groups), then the longest step, then hostname (or id), then id. Documented in docs/plan.md.
import type {
  Plan,
  PlanInput,
  PlannedStep,
  StepWait,
  UnscheduledHost,
  WaitKind,
} from '../../../shared/rollout-plan.js';
import { limitDetail } from './group-limits.js';
import { compareNames } from './group-membership.js';
import { planLowerBoundSec } from './lower-bound.js';
import { MinHeap } from './min-heap.js';
import { iso, type PreparedFleet, prepareFleet } from './prepare-fleet.js';
import { type Span, windowSpans } from './windows.js';

export interface PlanRolloutOptions {
  /** How far ahead steps may be placed (default 30 days); what would start later is `blocked`. */
  horizonDays?: number;
}

const DAY_MS = 86_400_000;
const STEP_END = 0;
const BACK_ONLINE = 1;
const DELAY_OVER = 2;
const WAKE = 3;

interface Event {
  t: number;
  seq: number;
  kind: number;
  /** A host index, or a group index for DELAY_OVER. */
  i: number;
}

/**
 * One reason a host was held back. The sentence is only written when the plan is built: a host
 * may be refused many times, and formatting each refusal would dominate the planner's time.
 */
interface HeldBy {
  kind: WaitKind;
  /** Group index, -1 for pinned and offline. */
  g: number;
  untilMs: number;
  /** Until the host's next try (the end is not known yet). */
  open: boolean;
  /** limit: members out when first refused; window: the span start found. */
  n: number;
}

const PENDING = 0;
const STARTED = 1;
const BLOCKED = 2;
const NOT_PLANNED = 3;

/** Plans `input`; throws PlanInputError for an input that cannot be planned (with its JSON path). */
export function planRollout(input: PlanInput, options: PlanRolloutOptions = {}): Plan {
  const fleet = prepareFleet(input, options);
  const { hosts, groups, hostGroups, groupMembers, allowed, delayMs, durationMs, startMs, horizonEndMs } =
    fleet;
  const hostCount = hosts.length;
  const groupCount = groups.length;

  const state = new Uint8Array(hostCount);
  const startAt = new Float64Array(hostCount);
  const blockedDetail: (string | undefined)[] = new Array(hostCount);
  // What a waiting host is parked on, to explain it if it never starts: 0 nothing, 1 a dependency, 2 a limit.
  const waitingKind = new Uint8Array(hostCount);
  const waitingGroup = new Int32Array(hostCount);
  const waits: (HeldBy[] | undefined)[] = new Array(hostCount);

  const outCount = new Int32Array(groupCount);
  const permanentlyOut = new Int32Array(groupCount);
  const needing = new Int32Array(groupCount);
  const lastStart = new Float64Array(groupCount).fill(Number.NEGATIVE_INFINITY);
  const remaining = new Int32Array(groupCount);
  const finished = new Uint8Array(groupCount);
  const depWaiters: number[][] = groups.map(() => []);
  const parked: (MinHeap<number> | undefined)[] = new Array(groupCount);
  const spans = groupSpans(fleet);

  let seq = 0;
  const events = new MinHeap<Event>((a, b) => a.t < b.t || (a.t === b.t && a.seq < b.seq));
  const schedule = (t: number, kind: number, i: number) => events.push({ t, seq: seq++, kind, i });

  // Offline members count as out until they are back (for ever when no return is expected).
  for (let h = 0; h < hostCount; h++) {
    const until = fleet.offlineUntilMs[h]!;
    if (until <= startMs) continue;
    for (const g of hostGroups[h]!) {
      outCount[g]!++;
      if (until === Number.POSITIVE_INFINITY) permanentlyOut[g]!++;
    }
    if (until !== Number.POSITIVE_INFINITY) schedule(until, BACK_ONLINE, h);
  }
  for (let h = 0; h < hostCount; h++) {
    if (fleet.unscheduled[h]) {
      state[h] = NOT_PLANNED;
      continue;
    }
    for (const g of hostGroups[h]!) {
      needing[g]!++;
      remaining[g]!++;
    }
  }
  for (let g = 0; g < groupCount; g++) if (remaining[g] === 0) finished[g] = 1;

  const priority = hostPriorities(fleet, state, needing);
  const byPriority = (a: number, b: number) => priority[a]! < priority[b]!;
  const candidates = new MinHeap<number>(byPriority);

  for (let h = 0; h < hostCount; h++) {
    if (state[h] !== PENDING) continue;
    const hopeless = hostGroups[h]!.find((g) => allowed[g]! - permanentlyOut[g]! < 1);
    if (hopeless !== undefined) {
      block(h, hopelessDetail(hopeless));
      continue;
    }
    const host = hosts[h]!;
    if (host.pinnedUntil !== undefined && Date.parse(host.pinnedUntil) > startMs) {
      const until = Date.parse(host.pinnedUntil);
      addWait(h, 'pinned', -1, 0, until, false);
    }
    const back = fleet.offlineUntilMs[h]!;
    if (back > startMs) addWait(h, 'offline', -1, 0, back, false);
    schedule(fleet.earliestMs[h]!, WAKE, h);
  }

  const dirtyStamp = new Float64Array(groupCount).fill(Number.NaN);
  // Why a group was closed just before this instant: full, or inside its delay. A host taken
  // from the group's parked list is told that it waited for that, until now.
  const fullUntil = new Float64Array(groupCount).fill(Number.NaN);
  const delayUntil = new Float64Array(groupCount).fill(Number.NaN);
  // Reused for every instant: allocating them per instant showed up as garbage collection.
  const dirty: number[] = [];
  let t = startMs;
  const markDirty = (g: number) => {
    if (dirtyStamp[g] !== t) {
      dirtyStamp[g] = t;
      dirty.push(g);
    }
  };
  const open = new MinHeap<{ g: number; p: number }>((a, b) => a.p < b.p || (a.p === b.p && a.g < b.g));
  const offer = (g: number) => {
    const heap = parked[g];
    if (heap && heap.size > 0 && isOpen(g, t)) open.push({ g, p: priority[heap.peek()!]! });
  };
  while (events.size > 0) {
    t = events.peek()!.t;
    dirty.length = 0;
    while (events.size > 0 && events.peek()!.t === t) {
      const e = events.pop()!;
      if (e.kind === WAKE) candidates.push(e.i);
      else if (e.kind === DELAY_OVER) {
        if (lastStart[e.i]! + delayMs[e.i]! === t) delayUntil[e.i] = t;
        markDirty(e.i);
      } else {
        for (const g of hostGroups[e.i]!) {
          if (outCount[g]! >= allowed[g]!) fullUntil[g] = t;
          outCount[g]!--;
          markDirty(g);
          if (e.kind === STEP_END && --remaining[g]! <= 1) {
            // At one left, a waiter that is that last member itself may go (see the header).
            if (remaining[g] === 0) finished[g] = 1;
            for (const w of depWaiters[g]!) candidates.push(w);
            depWaiters[g] = [];
          }
        }
      }
    }
    // Everyone who may start now competes by priority: the hosts woken for this instant and
    // those parked on a group that gained room. Within one instant a group's room only shrinks,
    // so a group found closed is dropped for the rest of the instant.
    while (open.size > 0) open.pop();
    for (const g of dirty) offer(g);
    for (;;) {
      // Drop stale entries: a group that closed, or whose best parked host changed.
      while (open.size > 0) {
        const top = open.peek()!;
        const heap = parked[top.g]!;
        if (heap.size > 0 && isOpen(top.g, t) && priority[heap.peek()!] === top.p) break;
        open.pop();
        offer(top.g);
      }
      const fromGroup = open.peek();
      const woken = candidates.peek();
      if (fromGroup === undefined && woken === undefined) break;
      let h: number;
      if (fromGroup !== undefined && (woken === undefined || fromGroup.p < priority[woken]!)) {
        open.pop();
        h = parked[fromGroup.g]!.pop()!;
        if (fullUntil[fromGroup.g] === t) addWait(h, 'limit', fromGroup.g, allowed[fromGroup.g]!, t, false);
        if (delayUntil[fromGroup.g] === t) addWait(h, 'delay', fromGroup.g, 0, t, false);
        offer(fromGroup.g);
      } else h = candidates.pop()!;
      if (state[h] === PENDING) tryStart(h, t);
    }
  }

  // What still waits can never start: a dependency that cannot finish, or a limit filled for ever.
  for (let h = 0; h < hostCount; h++) {
    if (state[h] !== PENDING) continue;
    const on =
      waitingKind[h] === 0
        ? undefined
        : { kind: waitingKind[h] === 1 ? 'dependency' : 'limit', group: waitingGroup[h]! };
    if (on?.kind === 'dependency')
      block(h, `group '${groups[on.group]!.name}' cannot finish: ${unfinishedDetail(on.group)}`);
    else if (on?.kind === 'limit') block(h, hopelessDetail(on.group));
    else block(h, 'cannot start (no further event)');
  }

  return buildPlan(input, fleet, state, startAt, blockedDetail, waits, priority);

  function isOpen(g: number, t: number): boolean {
    return outCount[g]! < allowed[g]! && lastStart[g]! + delayMs[g]! <= t;
  }

  function tryStart(h: number, t: number): void {
    closeWaits(h, t);
    waitingKind[h] = 0;
    if (t > horizonEndMs) {
      block(h, `would not start within the ${fleet.horizonDays}-day horizon (${iso(horizonEndMs)})`);
      return;
    }
    for (const d of fleet.hostDeps[h]!) {
      if (finished[d] || (remaining[d] === 1 && hostGroups[h]!.includes(d))) continue;
      addWait(h, 'dependency', d, 0, t);
      waitingKind[h] = 1;
      waitingGroup[h] = d;
      depWaiters[d]!.push(h);
      return;
    }
    const fit = fitWindows(h, t);
    if (fit.start === undefined) {
      block(h, fit.detail);
      return;
    }
    if (fit.start > t) {
      const g = fit.group!;
      addWait(h, 'window', g, fit.start, fit.start, false);
      schedule(fit.start, WAKE, h);
      return;
    }
    for (const g of hostGroups[h]!) {
      const delayEnd = lastStart[g]! + delayMs[g]!;
      const full = outCount[g]! >= allowed[g]!;
      if (delayEnd > t) addWait(h, 'delay', g, 0, delayEnd, false);
      if (full) {
        addWait(h, 'limit', g, outCount[g]!, t);
        waitingKind[h] = 2;
        waitingGroup[h] = g;
      }
      if (full || delayEnd > t) {
        park(h, g);
        return;
      }
    }
    state[h] = STARTED;
    startAt[h] = t;
    for (const g of hostGroups[h]!) {
      outCount[g]!++;
      lastStart[g] = t;
      if (delayMs[g]! > 0) schedule(t + delayMs[g]!, DELAY_OVER, g);
    }
    schedule(t + durationMs[h]!, STEP_END, h);
  }

  function park(h: number, g: number): void {
    let heap = parked[g];
    if (!heap) {
      heap = new MinHeap<number>(byPriority);
      parked[g] = heap;
    }
    heap.push(h);
  }

  /** The earliest start at or after t where the step fits one span of every windowed group. */
  function fitWindows(h: number, t: number): { start?: number; group?: number; detail: string } {
    const d = durationMs[h]!;
    let candidate = t;
    let mover: number | undefined;
    for (let changed = true; changed; ) {
      changed = false;
      for (const g of hostGroups[h]!) {
        const list = spans[g];
        if (!list) continue;
        const s = nextFit(list, candidate, d);
        if (s === undefined || s > horizonEndMs) {
          return {
            detail: `${groups[g]!.name}: no maintenance window with room for ${d / 1000} s within the ${fleet.horizonDays}-day horizon`,
          };
        }
        if (s > candidate) {
          candidate = s;
          mover = g;
          changed = true;
        }
      }
    }
    return mover === undefined
      ? { start: candidate, detail: '' }
      : { start: candidate, group: mover, detail: '' };
  }

  /** Records that `kind` held h back; an open wait lasts until the next try, a closed one until `untilMs`. */
  function addWait(h: number, kind: WaitKind, g: number, n: number, untilMs: number, open = true): void {
    let list = waits[h];
    if (!list) {
      list = [];
      waits[h] = list;
    }
    for (const wait of list) {
      if (wait.kind === kind && wait.g === g) {
        if (untilMs > wait.untilMs) wait.untilMs = untilMs;
        if (open) wait.open = true;
        return;
      }
    }
    list.push({ kind, g, untilMs, open, n });
  }

  /** A reason seen at the last try held until this try. */
  function closeWaits(h: number, t: number): void {
    const list = waits[h];
    if (!list) return;
    for (const wait of list) {
      if (!wait.open) continue;
      if (t > wait.untilMs) wait.untilMs = t;
      wait.open = false;
    }
  }

  function block(h: number, detail: string): void {
    state[h] = BLOCKED;
    blockedDetail[h] = detail;
  }

  function hopelessDetail(g: number): string {
    const size = groupMembers[g]!.length;
    const group = { name: groups[g]!.name, limit: groups[g]!.limit, size };
    if (allowed[g] === 0)
      return `${group.name}: its limit allows no member out (${limitDetail(group, 0).split('(limit ')[1]!.slice(0, -1)})`;
    return `${group.name}: ${permanentlyOut[g]} members offline with no expected return fill the limit (${limitDetail(group, permanentlyOut[g]!).split('(limit ')[1]!.slice(0, -1)})`;
  }

  function unfinishedDetail(g: number): string {
    const members = groupMembers[g]!;
    const blocked = members.find((m) => state[m] === BLOCKED && waitingKind[m] === 0);
    if (blocked !== undefined) return `${hostLabel(blocked)} is blocked (${blockedDetail[blocked]})`;
    const waiting = members.find((m) => waitingKind[m] !== 0);
    if (waiting !== undefined) {
      const name = groups[waitingGroup[waiting]!]!.name;
      return waitingKind[waiting] === 1
        ? `${hostLabel(waiting)} waits for group '${name}'`
        : `${hostLabel(waiting)} waits for room in group '${name}'`;
    }
    return 'members cannot finish';
  }

  function hostLabel(h: number): string {
    return hosts[h]!.hostname ?? hosts[h]!.id;
  }
}

/** Smallest start s >= t with [s, s + d) inside one span, or undefined. */
function nextFit(list: readonly Span[], t: number, d: number): number | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.endMs <= t) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < list.length; i++) {
    const span = list[i]!;
    const s = Math.max(span.startMs, t);
    if (span.endMs - s >= d) return s;
  }
  return undefined;
}

/** Per group its window spans over the horizon (undefined: no windows, always open); shared by equal windows. */
function groupSpans(fleet: PreparedFleet): (Span[] | undefined)[] {
  const memo = new Map<string, Span[]>();
  return fleet.groups.map((group) => {
    if (!group.windows || group.windows.length === 0) return undefined;
    const key = JSON.stringify(group.windows);
    let list = memo.get(key);
    if (!list) {
      list = windowSpans(group.windows, fleet.startMs, fleet.horizonEndMs + 2 * DAY_MS);
      memo.set(key, list);
    }
    return list;
  });
}

function hostPriorities(fleet: PreparedFleet, state: Uint8Array, needing: Int32Array): Int32Array {
  const { hosts, hostGroups, allowed, depRank, durationMs } = fleet;
  const order: number[] = [];
  const rank = new Float64Array(hosts.length);
  const tightness = new Float64Array(hosts.length);
  for (let h = 0; h < hosts.length; h++) {
    if (state[h] !== PENDING) continue;
    order.push(h);
    let r = 0;
    let tight = Number.POSITIVE_INFINITY;
    for (const g of hostGroups[h]!) {
      r = Math.max(r, depRank[g]!);
      tight = Math.min(tight, allowed[g]! / Math.max(1, needing[g]!));
    }
    rank[h] = r;
    tightness[h] = tight;
  }
  order.sort(
    (a, b) =>
      rank[a]! - rank[b]! ||
      (tightness[a] === tightness[b] ? 0 : tightness[a]! < tightness[b]! ? -1 : 1) ||
      durationMs[b]! - durationMs[a]! ||
      compareNames(hosts[a]!.hostname ?? hosts[a]!.id, hosts[b]!.hostname ?? hosts[b]!.id) ||
      compareNames(hosts[a]!.id, hosts[b]!.id),
  );
  const priority = new Int32Array(hosts.length).fill(hosts.length);
  order.forEach((h, i) => {
    priority[h] = i;
  });
  return priority;
}

function buildPlan(
  input: PlanInput,
  fleet: PreparedFleet,
  state: Uint8Array,
  startAt: Float64Array,
  blockedDetail: (string | undefined)[],
  waits: (HeldBy[] | undefined)[],
  priority: Int32Array,
): Plan {
  const { hosts, groups, hostGroups, durationMs } = fleet;
  const started: number[] = [];
  const unscheduled: UnscheduledHost[] = [];
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h]!;
    if (state[h] === STARTED) started.push(h);
    else {
      const reason = fleet.unscheduled[h] ?? {
        reason: 'blocked' as const,
        detail: blockedDetail[h] ?? 'blocked',
      };
      unscheduled.push({
        hostId: host.id,
        ...(host.hostname === undefined ? {} : { hostname: host.hostname }),
        reason: reason.reason,
        detail: reason.detail,
      });
    }
  }
  started.sort((a, b) => startAt[a]! - startAt[b]! || priority[a]! - priority[b]!);
  let finishMs = fleet.startMs;
  let reboots = 0;
  const steps: PlannedStep[] = started.map((h, i) => {
    const host = hosts[h]!;
    const endMs = startAt[h]! + durationMs[h]!;
    finishMs = Math.max(finishMs, endMs);
    if (fleet.action[h] === 'reboot') reboots++;
    const stepWaits: StepWait[] = [...(waits[h] ?? [])]
      .sort((a, b) => a.untilMs - b.untilMs || compareNames(a.kind, b.kind) || a.g - b.g)
      .map((w) => ({
        kind: w.kind,
        ...(w.g < 0 ? {} : { group: groups[w.g]!.name }),
        until: iso(w.untilMs),
        detail: waitDetail(fleet, h, w),
      }));
    return {
      order: i + 1,
      hostId: host.id,
      ...(host.hostname === undefined ? {} : { hostname: host.hostname }),
      action: fleet.action[h]!,
      operations: fleet.operations[h]!,
      groups: hostGroups[h]!.map((g) => groups[g]!.name),
      plannedStart: iso(startAt[h]!),
      plannedEnd: iso(endMs),
      durationSec: durationMs[h]! / 1000,
      waits: stepWaits,
    };
  });
  const firstStart = started.length > 0 ? startAt[started[0]!]! : fleet.startMs;
  const summary: Plan['summary'] = {
    hosts: hosts.length,
    steps: steps.length,
    reboots,
    restarts: steps.length - reboots,
    startAt: iso(firstStart),
    finishAt: iso(finishMs),
    durationSec: (finishMs - fleet.startMs) / 1000,
    lowerBoundSec: planLowerBoundSec(fleet, started),
  };
  if (input.deadline !== undefined) {
    summary.deadline = input.deadline;
    summary.fitsDeadline = finishMs <= Date.parse(input.deadline);
  }
  const start = iso(fleet.startMs);
  return { version: 1, start, generatedAt: start, steps, unscheduled, summary };
}

/** The sentence for one wait: "web: 2 of 10 already out (limit maxOut 2)". */
function waitDetail(fleet: PreparedFleet, h: number, wait: HeldBy): string {
  const host = fleet.hosts[h]!;
  const group = fleet.groups[wait.g];
  switch (wait.kind) {
    case 'pinned':
      return `pinned until ${iso(wait.untilMs)}${host.pinReason ? `: ${host.pinReason}` : ''}`;
    case 'offline':
      return `offline, expected back at ${iso(wait.untilMs)}`;
    case 'dependency':
      return `waits for group '${group!.name}' to finish`;
    case 'delay':
      return `${group!.name}: ${fleet.delayMs[wait.g]! / 1000} s between step starts in this group`;
    case 'window':
      return `${group!.name}: the next maintenance window span with room for a ${fleet.durationMs[h]! / 1000} s step begins at ${iso(wait.n)}`;
    case 'limit':
      return limitDetail(
        { name: group!.name, limit: group!.limit, size: fleet.groupMembers[wait.g]!.length },
        wait.n,
      );
  }
}
