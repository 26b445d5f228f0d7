// A lower bound on how long any valid plan of the same steps takes (summary.lowerBoundSec), so a
// reader can tell a slow plan from a fleet that cannot go faster. Each term is a bound on its own:
// - a host cannot end before its earliest start (pin, return from offline) plus its duration;
// - a group whose limit lets `cap` members out at once (minus members offline for good) runs its
//   n steps in at most `cap` parallel chains, one of them with ceil(n / cap) steps, each at least
//   the group's shortest step; with a delay, its last step starts (n - 1) delays after the first;
// - a group starts only after the groups it depends on have finished, so its bound adds to theirs.
// Windows are ignored (they can only lengthen a plan), so the bound stays valid, not tight.
import type { PreparedFleet } from './prepare-fleet.js';

export function planLowerBoundSec(fleet: PreparedFleet, scheduled: readonly number[]): number {
  const { startMs, earliestMs, durationMs, groups, groupMembers, allowed, delayMs, depRank, offlineUntilMs } =
    fleet;
  const isScheduled = new Uint8Array(fleet.hosts.length);
  let bound = 0;
  for (const h of scheduled) {
    isScheduled[h] = 1;
    bound = Math.max(bound, earliestMs[h]! - startMs + durationMs[h]!);
  }
  const finishBound = new Float64Array(groups.length);
  const indexOf = new Map(groups.map((group, g) => [group.name, g]));
  const order = groups.map((_, g) => g).sort((a, b) => depRank[a]! - depRank[b]!);
  for (const g of order) {
    let n = 0;
    let shortest = Number.POSITIVE_INFINITY;
    let earliest = Number.POSITIVE_INFINITY;
    let gone = 0;
    for (const h of groupMembers[g]!) {
      if (offlineUntilMs[h] === Number.POSITIVE_INFINITY) gone++;
      if (!isScheduled[h]) continue;
      n++;
      shortest = Math.min(shortest, durationMs[h]!);
      earliest = Math.min(earliest, earliestMs[h]! - startMs);
    }
    if (n === 0) continue;
    const cap = Math.max(1, allowed[g]! - gone);
    let begin = earliest;
    for (const name of groups[g]!.dependsOn ?? []) {
      const d = indexOf.get(name);
      if (d !== undefined) begin = Math.max(begin, finishBound[d]!);
    }
    const own = Math.max(Math.ceil(n / cap) * shortest, (n - 1) * delayMs[g]! + shortest);
    finishBound[g] = begin + own;
    bound = Math.max(bound, finishBound[g]!);
  }
  return bound / 1000;
}
