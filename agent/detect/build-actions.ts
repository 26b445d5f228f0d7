// Groups stale processes by the least disruptive fix for each: restart a unit, re-exec a
// manager, restart a container, ask a session to log out, or restart one process by hand.
// Children roll up to their unit, so a service with 40 workers is one action.

import { compareNatural } from '../../shared/compare-natural.js';
import type { Actions, StalePackage, StaleProcess } from '../../shared/scan-report.js';
import type { GlobMatcher } from './glob.js';

export function buildActions(processes: readonly StaleProcess[], isDenied: GlobMatcher): Actions {
  const services = new Map<string, { unit: string; pids: number[]; packages: Set<string> }>();
  const userServices = new Map<
    string,
    { unit: string; uid: number; pids: number[]; packages: Set<string> }
  >();
  const userManagers = new Map<number, { uid: number; pids: number[]; packages: Set<string> }>();
  const containers = new Map<
    string,
    {
      runtime: StaleProcess['attribution']['runtime'];
      id: string;
      podUid?: string;
      pids: number[];
      packages: Set<string>;
    }
  >();
  const sessions = new Map<
    string,
    { session: string; uid?: number; pids: number[]; packages: Set<string> }
  >();
  const byHand: Actions['processes'] = [];
  let pid1Reexec = false;

  for (const proc of sortedByPid(processes)) {
    const a = proc.attribution;
    const pkgs = packageNames(proc);
    switch (a.kind) {
      case 'pid1':
        pid1Reexec = true;
        break;
      case 'service':
        addTo(services, a.unit!, () => ({ unit: a.unit!, pids: [], packages: new Set() }), proc.pid, pkgs);
        break;
      case 'user-service':
        addTo(
          userServices,
          `${a.uid}:${a.unit}`,
          () => ({ unit: a.unit!, uid: a.uid!, pids: [], packages: new Set() }),
          proc.pid,
          pkgs,
        );
        break;
      case 'user-manager':
        addTo(userManagers, a.uid!, () => ({ uid: a.uid!, pids: [], packages: new Set() }), proc.pid, pkgs);
        break;
      case 'container':
        addTo(
          containers,
          `${a.runtime}:${a.containerId}`,
          () => ({
            runtime: a.runtime,
            id: a.containerId!,
            ...(a.podUid ? { podUid: a.podUid } : {}),
            pids: [],
            packages: new Set(),
          }),
          proc.pid,
          pkgs,
        );
        break;
      case 'session':
        addTo(
          sessions,
          a.session!,
          () => ({
            session: a.session!,
            ...(a.uid !== undefined ? { uid: a.uid } : {}),
            pids: [],
            packages: new Set(),
          }),
          proc.pid,
          pkgs,
        );
        break;
      default:
        byHand.push({
          pid: proc.pid,
          comm: proc.comm,
          ...(a.unit ? { unit: a.unit } : {}),
          packages: [...pkgs].sort(),
        });
    }
  }

  return {
    services: sortedValues(services, (s) => s.unit).map((s) => ({
      unit: s.unit,
      pids: s.pids,
      packages: [...s.packages].sort(),
      denied: isDenied(s.unit),
    })),
    userServices: sortedValues(userServices, (s) => `${s.uid}:${s.unit}`).map((s) => ({
      ...s,
      packages: [...s.packages].sort(),
    })),
    userManagers: sortedValues(userManagers, (s) => String(s.uid).padStart(10, '0')).map((s) => ({
      ...s,
      packages: [...s.packages].sort(),
    })),
    pid1Reexec,
    containers: sortedValues(containers, (c) => `${c.runtime}:${c.id}`).map((c) => ({
      runtime: c.runtime ?? 'unknown',
      id: c.id,
      ...(c.podUid ? { podUid: c.podUid } : {}),
      pids: c.pids,
      packages: [...c.packages].sort(),
    })),
    sessions: sortedValues(sessions, (s) => s.session).map((s) => ({
      ...s,
      packages: [...s.packages].sort(),
    })),
    processes: byHand,
  };
}

/** One entry per stale package across all processes: "who still runs the old openssl?". */
export function aggregatePackages(processes: readonly StaleProcess[]): StalePackage[] {
  const byName = new Map<string, StalePackage & { fileSet: Set<string>; pidSet: Set<number> }>();
  for (const proc of processes) {
    for (const file of proc.files) {
      if (!file.package) continue;
      const { name, source, installedVersion, previousVersion } = file.package;
      let entry = byName.get(name);
      if (!entry) {
        entry = {
          name,
          ...(source ? { source } : {}),
          ...(installedVersion ? { installedVersion } : {}),
          ...(previousVersion ? { previousVersion } : {}),
          files: [],
          pids: [],
          fileSet: new Set(),
          pidSet: new Set(),
        };
        byName.set(name, entry);
      }
      entry.fileSet.add(file.path);
      entry.pidSet.add(proc.pid);
    }
  }
  return [...byName.values()]
    .sort((a, b) => compareNatural(a.name, b.name))
    .map(({ fileSet, pidSet, files: _f, pids: _p, ...rest }) => ({
      ...rest,
      files: [...fileSet].sort(),
      pids: [...pidSet].sort((a, b) => a - b),
    }));
}

function packageNames(proc: StaleProcess): Set<string> {
  const names = new Set<string>();
  for (const file of proc.files) if (file.package) names.add(file.package.name);
  return names;
}

function addTo<K, V extends { pids: number[]; packages: Set<string> }>(
  map: Map<K, V>,
  key: K,
  create: () => V,
  pid: number,
  packages: Set<string>,
): void {
  let entry = map.get(key);
  if (!entry) {
    entry = create();
    map.set(key, entry);
  }
  entry.pids.push(pid);
  for (const p of packages) entry.packages.add(p);
}

function sortedValues<K, V>(map: Map<K, V>, sortKey: (v: V) => string): V[] {
  return [...map.values()].sort((a, b) => compareNatural(sortKey(a), sortKey(b)));
}

function sortedByPid(processes: readonly StaleProcess[]): StaleProcess[] {
  return [...processes].sort((a, b) => a.pid - b.pid);
}
