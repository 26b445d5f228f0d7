// A large synthetic fleet for the planner benchmark, the same every time (seeded PRNG): every
// host in a rack (maxOut 5) and a pool (10-25 %), a third of them also in one or two small quorum
// groups (maxOut 1), some pools with night windows in two time zones and pools that depend on
// others; a few hosts offline, pinned or excluded, learned durations on some.
import type { HostNeeds, PlanGroup, PlanHost, PlanInput } from '../../shared/rollout-plan.js';

export interface FleetSize {
  hosts: number;
  racks: number;
  pools: number;
  quorums: number;
}

export const DEFAULT_FLEET: FleetSize = { hosts: 20_000, racks: 400, pools: 100, quorums: 1_500 };

/** mulberry32: small, fast, good enough to shuffle a synthetic fleet. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticFleet(size: FleetSize = DEFAULT_FLEET, seed = 42): PlanInput {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const groups: PlanGroup[] = [];
  for (let r = 0; r < size.racks; r++) groups.push({ name: `rack-${r}`, hosts: [], limit: { maxOut: 5 } });
  const nightParis = [
    {
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const,
      start: '22:00',
      end: '06:00',
      timeZone: 'Europe/Paris',
    },
  ];
  const nightNewYork = [
    { days: ['sat', 'sun'] as const, start: '01:00', end: '05:00', timeZone: 'America/New_York' },
  ];
  for (let p = 0; p < size.pools; p++) {
    const group: PlanGroup = {
      name: `pool-${p}`,
      hosts: [],
      limit: { maxOutPercent: pick([10, 15, 20, 25]) },
    };
    if (p % 10 === 3) group.windows = nightParis.map((w) => ({ ...w, days: [...w.days] }));
    if (p % 25 === 7) group.windows = nightNewYork.map((w) => ({ ...w, days: [...w.days] }));
    if (p >= size.pools - 10) group.dependsOn = [`pool-${p - size.pools + 10}`];
    if (p % 7 === 0) group.delayBetweenStepsSec = 5;
    groups.push(group);
  }
  for (let q = 0; q < size.quorums; q++)
    groups.push({ name: `quorum-${q}`, hosts: [], limit: { maxOut: 1 } });
  const byName = new Map(groups.map((g) => [g.name, g]));

  const hosts: PlanHost[] = [];
  for (let i = 0; i < size.hosts; i++) {
    const id = `h${String(i).padStart(6, '0')}`;
    const roll = random();
    const needs: HostNeeds =
      roll < 0.2
        ? { units: [], containers: [], reexecPid1: false, reboot: true, rebootReasons: ['kernel'] }
        : roll < 0.9
          ? {
              units: ['nginx.service', 'sshd.service'].slice(0, 1 + Math.floor(random() * 2)),
              containers: [],
              reexecPid1: random() < 0.1,
              reboot: false,
            }
          : { units: [], containers: [], reexecPid1: false, reboot: false };
    const host: PlanHost = {
      id,
      hostname: `${id}.dc.example`,
      labels: { rack: `rack-${i % size.racks}` },
      needs,
    };
    byName.get(`rack-${i % size.racks}`)!.hosts!.push(id);
    byName.get(`pool-${Math.floor(random() * size.pools)}`)!.hosts!.push(id);
    if (random() < 0.3) host.durationSec = 30 + Math.floor(random() * 870);
    const state = random();
    if (state < 0.01) host.online = false;
    else if (state < 0.02) {
      host.online = false;
      host.expectedOnlineAt = new Date(Date.UTC(2025, 2, 29, 23, 0) + random() * 86_400_000).toISOString();
    } else if (state < 0.03) host.pinnedUntil = '2025-03-30T06:00:00Z';
    else if (state < 0.04) host.excluded = true;
    hosts.push(host);
  }
  // Quorum groups of 3 to 5 hosts; some hosts end up in two.
  for (let q = 0; q < size.quorums; q++) {
    const members = new Set<string>();
    const want = 3 + Math.floor(random() * 3);
    // Hosts offline for good stay out of quorums: they would block the quorum's other members and,
    // through dependencies, whole pools; that case is in the tests, not what this measures.
    while (members.size < want) {
      const host = hosts[Math.floor(random() * hosts.length)]!;
      if (host.online !== false || host.expectedOnlineAt !== undefined) members.add(host.id);
    }
    byName.get(`quorum-${q}`)!.hosts = [...members];
  }
  return { version: 1, start: '2025-03-29T20:00:00Z', hosts, groups };
}
