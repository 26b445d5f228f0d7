// An independent check of a plan against its input, written without the scheduler's shortcuts:
// it sweeps the actual step intervals. Used by the property tests, the end-to-end rollout test and
// the executor's tests; a plan the planner produced must always come back with no violation.
// It reuses only the definitions (membership, maxOutAllowed, window spans), not the scheduling.
import type { Plan, PlanInput } from '../../../shared/rollout-plan.js';
import { maxOutAllowed } from './group-limits.js';
import { resolveGroupMembers } from './group-membership.js';
import { DEFAULT_DURATION_SEC } from './prepare-fleet.js';
import { windowSpans } from './windows.js';

export type ViolationKind =
  | 'unknown-host'
  | 'duplicate-host'
  | 'missing-host'
  | 'wrong-step'
  | 'too-early'
  | 'limit'
  | 'window'
  | 'dependency'
  | 'delay'
  | 'wrong-reason';

export interface Violation {
  kind: ViolationKind;
  hostId?: string;
  group?: string;
  detail: string;
}

export function verifyPlan(input: PlanInput, plan: Plan): Violation[] {
  const violations: Violation[] = [];
  const add = (v: Violation) => violations.push(v);
  const hostById = new Map(input.hosts.map((h) => [h.id, h]));
  const { membersOf } = resolveGroupMembers(input.groups, input.hosts);
  const startMs = Date.parse(input.start);
  const allowReboot = input.allowReboot ?? true;

  // Every host exactly once, in the steps or in unscheduled.
  const seen = new Set<string>();
  const stepOf = new Map<string, { s: number; e: number }>();
  for (const id of [...plan.steps.map((s) => s.hostId), ...plan.unscheduled.map((u) => u.hostId)]) {
    if (!hostById.has(id)) add({ kind: 'unknown-host', hostId: id, detail: `${id} is not in the input` });
    else if (seen.has(id))
      add({ kind: 'duplicate-host', hostId: id, detail: `${id} appears more than once` });
    seen.add(id);
  }
  for (const host of input.hosts) {
    if (!seen.has(host.id))
      add({ kind: 'missing-host', hostId: host.id, detail: `${host.id} is neither planned nor unscheduled` });
  }

  for (const step of plan.steps) {
    const host = hostById.get(step.hostId);
    if (!host) continue;
    const s = Date.parse(step.plannedStart);
    const e = Date.parse(step.plannedEnd);
    stepOf.set(host.id, { s, e });
    const needs = host.needs;
    const wrong = (detail: string) => add({ kind: 'wrong-step', hostId: host.id, detail });
    if (host.excluded) wrong('excluded host planned');
    if (needs.reboot !== (step.action === 'reboot'))
      wrong(`action ${step.action} but needs.reboot is ${needs.reboot}`);
    if (step.action === 'reboot' && !allowReboot) wrong('reboot planned though allowReboot is false');
    const expectedOps = needs.reboot
      ? 1
      : needs.units.length + needs.containers.length + (needs.reexecPid1 ? 1 : 0);
    if (step.operations.length !== expectedOps || expectedOps === 0)
      wrong(`${step.operations.length} operations, expected ${expectedOps}`);
    const duration =
      host.durationSec ??
      (needs.reboot
        ? (input.defaults?.durationSec?.reboot ?? DEFAULT_DURATION_SEC.reboot)
        : (input.defaults?.durationSec?.restart ?? DEFAULT_DURATION_SEC.restart));
    if (step.durationSec !== duration || e - s !== duration * 1000) {
      wrong(`runs ${(e - s) / 1000} s (durationSec ${step.durationSec}), expected ${duration} s`);
    }
    const earliest = Math.max(
      startMs,
      host.pinnedUntil ? Date.parse(host.pinnedUntil) : startMs,
      host.online === false
        ? host.expectedOnlineAt
          ? Date.parse(host.expectedOnlineAt)
          : Number.POSITIVE_INFINITY
        : startMs,
    );
    if (s < earliest)
      add({
        kind: 'too-early',
        hostId: host.id,
        detail: `starts at ${step.plannedStart}, before ${iso(earliest)}`,
      });
  }

  const reasonOk: Record<string, (h: PlanInput['hosts'][number]) => boolean> = {
    excluded: (h) => h.excluded === true,
    'nothing-to-do': (h) =>
      !h.needs.reboot && h.needs.units.length === 0 && h.needs.containers.length === 0 && !h.needs.reexecPid1,
    'reboot-not-allowed': (h) => h.needs.reboot && !allowReboot,
    offline: (h) => h.online === false,
    pinned: (h) => h.pinnedUntil !== undefined,
    blocked: () => true,
  };
  for (const u of plan.unscheduled) {
    const host = hostById.get(u.hostId);
    if (host && !reasonOk[u.reason]!(host)) {
      add({ kind: 'wrong-reason', hostId: u.hostId, detail: `unscheduled as '${u.reason}' without cause` });
    }
  }

  const blocked = new Set(plan.unscheduled.filter((u) => u.reason === 'blocked').map((u) => u.hostId));
  for (const group of input.groups) {
    const members = membersOf.get(group.name)!;
    const allowed = maxOutAllowed(group.limit, members.length);
    checkLimit(group.name, members, allowed);
    const memberSteps = members.filter((id) => stepOf.has(id)).map((id) => ({ id, ...stepOf.get(id)! }));
    // Delay between consecutive starts.
    const delayMs = (group.delayBetweenStepsSec ?? input.defaults?.delayBetweenStepsSec ?? 0) * 1000;
    const starts = memberSteps.map((m) => m.s).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) {
      if (starts[i]! - starts[i - 1]! < delayMs) {
        add({
          kind: 'delay',
          group: group.name,
          detail: `${group.name}: steps start ${(starts[i]! - starts[i - 1]!) / 1000} s apart at ${iso(starts[i]!)}, delay is ${delayMs / 1000} s`,
        });
      }
    }
    // Windows: each step inside one merged span.
    if (group.windows && group.windows.length > 0 && memberSteps.length > 0) {
      const from = Math.min(...memberSteps.map((m) => m.s));
      const to = Math.max(...memberSteps.map((m) => m.e));
      const spans = windowSpans(group.windows, from, to + 2 * 86_400_000);
      for (const m of memberSteps) {
        if (!spans.some((sp) => sp.startMs <= m.s && m.e <= sp.endMs)) {
          add({
            kind: 'window',
            hostId: m.id,
            group: group.name,
            detail: `${m.id} runs ${iso(m.s)}–${iso(m.e)} outside ${group.name}'s windows`,
          });
        }
      }
    }
    // Dependencies: every member of every group it depends on finished first, none blocked.
    for (const depName of group.dependsOn ?? []) {
      const depMembers = membersOf.get(depName) ?? [];
      for (const m of memberSteps) {
        // The other members of the group depended on: all finished before m starts, none blocked.
        for (const other of depMembers) {
          if (other === m.id) continue;
          const step = stepOf.get(other);
          if (step && step.e > m.s) {
            add({
              kind: 'dependency',
              hostId: m.id,
              group: group.name,
              detail: `${m.id} starts at ${iso(m.s)} before ${depName} finished (${other} ends ${iso(step.e)})`,
            });
          }
          if (blocked.has(other)) {
            add({
              kind: 'dependency',
              hostId: m.id,
              group: group.name,
              detail: `${m.id} planned though ${depName} cannot finish (${other} is blocked)`,
            });
          }
        }
      }
    }
  }
  return violations;

  /** Out at instant x: steps [s, e) and offline hosts [start, expectedOnlineAt) or for ever. */
  function checkLimit(name: string, members: string[], allowed: number): void {
    const startsAt: number[] = [];
    const endsAt: number[] = [];
    const stepStarts: { id: string; s: number }[] = [];
    for (const id of members) {
      const host = hostById.get(id)!;
      if (host.online === false) {
        const back = host.expectedOnlineAt ? Date.parse(host.expectedOnlineAt) : Number.POSITIVE_INFINITY;
        if (back > startMs) {
          startsAt.push(startMs);
          endsAt.push(back);
        }
      }
      const step = stepOf.get(id);
      if (step) {
        startsAt.push(step.s);
        endsAt.push(step.e);
        stepStarts.push({ id, s: step.s });
      }
    }
    startsAt.sort((a, b) => a - b);
    endsAt.sort((a, b) => a - b);
    // The count can only rise at a step's start: checking every step start checks every instant
    // at which a step is out.
    for (const { id, s } of stepStarts) {
      const out = countAtMost(startsAt, s) - countAtMost(endsAt, s);
      if (out > allowed) {
        add({
          kind: 'limit',
          hostId: id,
          group: name,
          detail: `${name}: ${out} out at ${iso(s)}, limit allows ${allowed}`,
        });
      }
    }
  }
}

/** How many values of the sorted array are <= x. */
function countAtMost(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
