// Who belongs to which group. A host is a member of a group when the group lists its id, when its
// labels include all of the group's selector labels (an empty selector selects every host), or
// when the host lists the group. A name that refers to nothing is an input error, not a silent
// empty group: a typo must not turn a quorum limit into no limit.
import type { PlanGroup, PlanHost } from '../../../shared/rollout-plan.js';
import { PlanInputError } from './plan-input-error.js';

export interface GroupMembers {
  /** Group name → member host ids, in the order of the hosts in the input. */
  membersOf: Map<string, string[]>;
  /** Host id → its group names, sorted. */
  groupsOf: Map<string, string[]>;
}

export function resolveGroupMembers(groups: readonly PlanGroup[], hosts: readonly PlanHost[]): GroupMembers {
  const hostIndex = new Map<string, number>();
  hosts.forEach((host, i) => {
    if (hostIndex.has(host.id)) throw new PlanInputError(`/hosts/${i}/id`, `duplicate host id '${host.id}'`);
    hostIndex.set(host.id, i);
  });
  const groupIndex = new Map<string, number>();
  groups.forEach((group, i) => {
    if (groupIndex.has(group.name)) {
      throw new PlanInputError(`/groups/${i}/name`, `duplicate group name '${group.name}'`);
    }
    groupIndex.set(group.name, i);
  });

  // Membership as sets of host indexes per group, so that the three sources never add a host twice.
  const memberSets: Set<number>[] = groups.map(() => new Set<number>());
  const byLabel = labelIndex(hosts);
  groups.forEach((group, g) => {
    const set = memberSets[g]!;
    group.hosts?.forEach((id, k) => {
      const index = hostIndex.get(id);
      if (index === undefined) {
        throw new PlanInputError(
          `/groups/${g}/hosts/${k}`,
          `group '${group.name}' names unknown host '${id}'`,
        );
      }
      set.add(index);
    });
    if (group.selector)
      for (const index of selectHosts(group.selector.labels, hosts, byLabel)) set.add(index);
  });
  hosts.forEach((host, h) => {
    host.groups?.forEach((name, k) => {
      const g = groupIndex.get(name);
      if (g === undefined) {
        throw new PlanInputError(
          `/hosts/${h}/groups/${k}`,
          `host '${host.id}' names unknown group '${name}'`,
        );
      }
      memberSets[g]!.add(h);
    });
  });

  const membersOf = new Map<string, string[]>();
  const groupsOf = new Map<string, string[]>(hosts.map((host) => [host.id, []]));
  groups.forEach((group, g) => {
    const indexes = [...memberSets[g]!].sort((a, b) => a - b);
    membersOf.set(
      group.name,
      indexes.map((i) => hosts[i]!.id),
    );
    for (const i of indexes) groupsOf.get(hosts[i]!.id)!.push(group.name);
  });
  for (const names of groupsOf.values()) names.sort(compareNames);
  return { membersOf, groupsOf };
}

/** Plain code-unit order, the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `key=value` → indexes of the hosts carrying that label, so a selector reads short lists only. */
function labelIndex(hosts: readonly PlanHost[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  hosts.forEach((host, i) => {
    for (const [key, value] of Object.entries(host.labels ?? {})) {
      const k = `${key}=${value}`;
      const list = index.get(k);
      if (list) list.push(i);
      else index.set(k, [i]);
    }
  });
  return index;
}

function selectHosts(
  labels: Record<string, string>,
  hosts: readonly PlanHost[],
  byLabel: Map<string, number[]>,
): number[] {
  const pairs = Object.entries(labels);
  if (pairs.length === 0) return hosts.map((_, i) => i);
  // Start from the shortest posting list, then check the other labels on each candidate.
  let shortest: number[] | undefined;
  for (const [key, value] of pairs) {
    const list = byLabel.get(`${key}=${value}`) ?? [];
    if (!shortest || list.length < shortest.length) shortest = list;
  }
  return (shortest ?? []).filter((i) => {
    const hostLabels = hosts[i]!.labels ?? {};
    return pairs.every(([key, value]) => Object.hasOwn(hostLabels, key) && hostLabels[key] === value);
  });
}
