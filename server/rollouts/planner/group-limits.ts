// How many members of a redundancy group may be out at once, and whether one more host may go
// out now. Pure: the planner uses it against planned occupancy, the rollout executor against the
// live state (hosts being worked on plus hosts that are offline), so both agree by construction.
import type { GroupLimit } from '../../../shared/rollout-plan.js';

/**
 * The most members that may be out at once. Every bound given must hold, so this is the smallest
 * of them; no bound means the whole group. `maxOutPercent` rounds down, but to at least 1 when it
 * is above 0 (10% of 5 hosts is 1, not 0: a percentage asks for progress); 0% allows none.
 */
export function maxOutAllowed(limit: GroupLimit, groupSize: number): number {
  let allowed = groupSize;
  if (limit.maxOut !== undefined) allowed = Math.min(allowed, limit.maxOut);
  if (limit.maxOutPercent !== undefined)
    allowed = Math.min(allowed, percentAllowed(limit.maxOutPercent, groupSize));
  if (limit.minUp !== undefined) allowed = Math.min(allowed, groupSize - limit.minUp);
  return Math.max(0, allowed);
}

function percentAllowed(percent: number, groupSize: number): number {
  if (percent <= 0 || groupSize === 0) return 0;
  // The epsilon keeps 30% of 10 at 3 despite 10 * 30 / 100 = 2.9999999999999996.
  return Math.max(1, Math.floor((groupSize * percent) / 100 + 1e-9));
}

/** Which bound decides `maxOutAllowed`, in words: "maxOut 2", "maxOutPercent 25% of 10", "minUp 8 of 10". */
export function describeLimit(limit: GroupLimit, groupSize: number): string {
  const allowed = maxOutAllowed(limit, groupSize);
  const parts: string[] = [];
  if (limit.maxOut !== undefined && limit.maxOut <= allowed) parts.push(`maxOut ${limit.maxOut}`);
  if (limit.maxOutPercent !== undefined && percentAllowed(limit.maxOutPercent, groupSize) <= allowed) {
    parts.push(`maxOutPercent ${limit.maxOutPercent}% of ${groupSize}`);
  }
  if (limit.minUp !== undefined && groupSize - limit.minUp <= allowed) {
    parts.push(`minUp ${limit.minUp} of ${groupSize}`);
  }
  return parts.length > 0 ? parts.join(', ') : `no limit, ${groupSize} members`;
}

/** One group as seen when deciding whether a host may go out. */
export interface GroupOccupancy {
  name: string;
  limit: GroupLimit;
  /** Members of the group. */
  size: number;
  /** Members out now: being worked on, or offline. */
  out: ReadonlySet<string>;
}

export interface FullGroup {
  name: string;
  out: number;
  allowed: number;
  /** "web: 2 of 10 already out (limit maxOut 2)". */
  detail: string;
}

/**
 * The groups of `hostId` that cannot take one more host out. Empty: the host may go. A host that
 * is already counted as out in a group (e.g. offline) does not add to it.
 */
export function groupsBlockingHost(hostId: string, groups: readonly GroupOccupancy[]): FullGroup[] {
  const full: FullGroup[] = [];
  for (const group of groups) {
    const allowed = maxOutAllowed(group.limit, group.size);
    const out = group.out.size;
    const after = group.out.has(hostId) ? out : out + 1;
    if (after > allowed) full.push({ name: group.name, out, allowed, detail: limitDetail(group, out) });
  }
  return full;
}

/** True when `hostId` may go out without breaking any of its groups' limits. */
export function canHostGoOut(hostId: string, groups: readonly GroupOccupancy[]): boolean {
  return groupsBlockingHost(hostId, groups).length === 0;
}

/** The sentence for a full group: "web: 2 of 10 already out (limit maxOut 2)". */
export function limitDetail(group: { name: string; limit: GroupLimit; size: number }, out: number): string {
  return `${group.name}: ${out} of ${group.size} already out (limit ${describeLimit(group.limit, group.size)})`;
}
