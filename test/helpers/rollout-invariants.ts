// The rollout invariants, checked from the AUDIT TRAIL alone (pure: events and groups in,
// violations out), so that an end-to-end test can judge a rollout after the fact, across server
// crashes, without trusting the executor's own bookkeeping:
// - every step is dispatched at most once and settled at most once, and never settled before it
//   was dispatched;
// - a host has at most one step out at a time;
// - at no instant are more hosts of a group out than the group's limit allows. A host counts as
//   out from its dispatch until its step succeeded; a failed step keeps it out until its rollout
//   is over (halted does not end it: a failed host is not known to be up), as the executor counts.
// Deliberately independent of server/rollouts (its own limit arithmetic), so a bug there cannot
// hide itself here.

export interface AuditRecord {
  id?: string;
  action: string;
  targetId: string | null;
  /** When it was recorded, as GET /api/v1/audit answers it. */
  at?: string;
  /** The same, as the audit_events row names it (database reads). */
  createdAt?: string;
  details: Record<string, unknown>;
}

export interface GroupLimitSpec {
  name: string;
  /** Host ids of the members (as snapshotted when the rollout was created). */
  members: readonly string[];
  maxOut?: number;
  maxOutPercent?: number;
  minUp?: number;
}

export interface OutInterval {
  stepId: string;
  rolloutId: string;
  hostId: string;
  from: number;
  /** Infinity: still out at the end of the trail. */
  to: number;
  outcome: 'succeeded' | 'failed' | 'in-flight';
}

const END_ACTIONS = new Set(['rollout.complete', 'rollout.cancel']);

/** The most hosts of a group that may be out at once (every bound given must hold). */
export function allowedOut(group: GroupLimitSpec): number {
  const size = group.members.length;
  let allowed = size;
  if (group.maxOut !== undefined) allowed = Math.min(allowed, group.maxOut);
  if (group.maxOutPercent !== undefined) {
    const byPercent =
      group.maxOutPercent <= 0 || size === 0
        ? 0
        : Math.max(1, Math.floor((size * group.maxOutPercent) / 100 + 1e-9));
    allowed = Math.min(allowed, byPercent);
  }
  if (group.minUp !== undefined) allowed = Math.min(allowed, size - group.minUp);
  return Math.max(0, allowed);
}

/**
 * The instant of an event: the transition's own `details.at` when it has one, else when it was
 * recorded. Throws rather than guess: a NaN instant compares false with everything, which would
 * silently count nobody out and let every trail pass.
 */
function at(event: AuditRecord): number {
  const explicit = event.details.at;
  const value = typeof explicit === 'string' ? explicit : (event.at ?? event.createdAt);
  const ms = Date.parse(value ?? '');
  if (Number.isNaN(ms))
    throw new Error(
      `audit event ${event.action} ${event.targetId ?? ''} has no usable time (${String(value)})`,
    );
  return ms;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Dispatch → settle intervals per step, plus the violations of "once" found on the way. */
export function outIntervals(events: readonly AuditRecord[]): {
  intervals: OutInterval[];
  violations: string[];
} {
  const violations: string[] = [];
  const sorted = [...events].sort((a, b) => at(a) - at(b));
  const rolloutEnd = new Map<string, number>();
  for (const e of sorted) {
    if (END_ACTIONS.has(e.action) && e.targetId && !rolloutEnd.has(e.targetId))
      rolloutEnd.set(e.targetId, at(e));
  }
  const byStep = new Map<string, OutInterval>();
  for (const e of sorted) {
    const stepId = e.targetId ?? '';
    if (e.action === 'rollout.step.dispatch') {
      if (byStep.has(stepId)) {
        violations.push(`step ${stepId} (host ${text(e.details.hostname)}) dispatched more than once`);
        continue;
      }
      byStep.set(stepId, {
        stepId,
        rolloutId: text(e.details.rolloutId),
        hostId: text(e.details.hostId),
        from: at(e),
        to: Number.POSITIVE_INFINITY,
        outcome: 'in-flight',
      });
    } else if (e.action === 'rollout.step.succeed' || e.action === 'rollout.step.fail') {
      const interval = byStep.get(stepId);
      if (!interval) {
        violations.push(`step ${stepId} settled (${e.action}) without a dispatch`);
        continue;
      }
      if (interval.outcome !== 'in-flight') {
        violations.push(`step ${stepId} settled more than once (${interval.outcome}, then ${e.action})`);
        continue;
      }
      if (e.action === 'rollout.step.succeed') {
        interval.outcome = 'succeeded';
        interval.to = at(e);
      } else {
        interval.outcome = 'failed';
        interval.to = rolloutEnd.get(interval.rolloutId) ?? Number.POSITIVE_INFINITY;
      }
    }
  }
  return { intervals: [...byStep.values()], violations };
}

/** Every violation of the rollout invariants in the trail; empty when it holds. */
export function checkRolloutInvariants(
  events: readonly AuditRecord[],
  groups: readonly GroupLimitSpec[],
): string[] {
  const { intervals, violations } = outIntervals(events);
  const outAt = (instant: number) => intervals.filter((i) => i.from <= instant && instant < i.to);

  for (const interval of intervals) {
    // A count can only rise at a dispatch: checking at every dispatch instant covers all instants.
    const out = outAt(interval.from);
    const sameHost = out.filter((o) => o.hostId === interval.hostId);
    if (sameHost.length > 1) {
      violations.push(
        `host ${interval.hostId} had ${sameHost.length} steps out at ${new Date(interval.from).toISOString()}: ${sameHost.map((o) => o.stepId).join(', ')}`,
      );
    }
    const hostsOut = new Set(out.map((o) => o.hostId));
    for (const group of groups) {
      if (!group.members.includes(interval.hostId)) continue;
      const inGroup = group.members.filter((m) => hostsOut.has(m));
      const allowed = allowedOut(group);
      if (inGroup.length > allowed) {
        violations.push(
          `group ${group.name}: ${inGroup.length} hosts out (allowed ${allowed}) at ${new Date(interval.from).toISOString()}: ${inGroup.join(', ')}`,
        );
      }
    }
  }
  return violations;
}
