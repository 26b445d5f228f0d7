// Names the package behind each stale file. Files are looked up in the package database of the
// root the process sees: a container's library belongs to the container's dpkg/rpm database, not
// the host's. Each distinct root is resolved once, in one batch.
import type { PackageRef, StaleProcess } from '../../shared/scan-report.js';
import type { ProcessRoot } from '../host/process-files.js';
import { detectPackageManager, type PackageManager } from '../packages/detect-package-manager.js';
import { packageDbFingerprint } from '../packages/package-db-fingerprint.js';
import { resolvePackages } from '../packages/resolve-packages.js';

/** Container roots resolved per scan at most; the rest keep their files without package names. */
const MAX_FOREIGN_ROOTS = 16;

export interface AttachPackagesOptions {
  hostRoot: string;
  hostRootKey: string;
  packageManager: PackageManager;
  /** Kept by a long-running agent between scans; see PackageLookupCache. */
  cache?: PackageLookupCache;
}

/**
 * Owners found by earlier scans, per root: valid while that root's package database fingerprint
 * and the "since" time (which decides the previous version) stay the same. `null`: no owner.
 */
export type PackageLookupCache = Map<string, { key: string; owners: Map<string, PackageRef | null> }>;

export function createPackageLookupCache(): PackageLookupCache {
  return new Map();
}

export async function attachPackages(
  stale: readonly { process: StaleProcess; root: ProcessRoot }[],
  options: AttachPackagesOptions,
): Promise<string[]> {
  const groups = new Map<string, { root: string; processes: StaleProcess[] }>();
  for (const { process, root } of stale) {
    const isHost = root.cacheKey === options.hostRootKey || !root.volatile;
    const key = isHost ? '' : root.cacheKey;
    let group = groups.get(key);
    if (!group) {
      group = { root: isHost ? options.hostRoot : root.prefix, processes: [] };
      groups.set(key, group);
    }
    group.processes.push(process);
  }

  const warnings: string[] = [];
  let foreign = 0;
  for (const [key, group] of groups) {
    if (key !== '' && ++foreign > MAX_FOREIGN_ROOTS) {
      warnings.push(`package lookup skipped for more than ${MAX_FOREIGN_ROOTS} container roots`);
      break;
    }
    const packageManager = key === '' ? options.packageManager : detectPackageManager(group.root);
    if (packageManager === 'none') continue;
    const paths = [...new Set(group.processes.flatMap((p) => p.files.map((f) => f.path)))];
    const sinceMs = Math.min(...group.processes.map((p) => Date.parse(p.startedAt)));
    const known = knownOwners(
      options.cache,
      key,
      `${packageDbFingerprint(group.root, packageManager)}@${sinceMs}`,
    );
    const unknown = paths.filter((path) => !known.has(path));
    if (unknown.length > 0) {
      try {
        const result = await resolvePackages({ root: group.root, packageManager, paths: unknown, sinceMs });
        warnings.push(...result.warnings);
        for (const path of unknown) known.set(path, result.owners.get(path) ?? null);
      } catch (err) {
        warnings.push(`package lookup failed in ${group.root}: ${(err as Error).message}`);
      }
    }
    for (const proc of group.processes) {
      for (const file of proc.files) {
        const owner = known.get(file.path);
        if (owner) file.package = { ...owner };
      }
    }
  }
  return warnings;
}

function knownOwners(
  cache: PackageLookupCache | undefined,
  rootKey: string,
  key: string,
): Map<string, PackageRef | null> {
  if (!cache) return new Map();
  const entry = cache.get(rootKey);
  if (entry && entry.key === key) return entry.owners;
  const owners = new Map<string, PackageRef | null>();
  cache.set(rootKey, { key, owners });
  return owners;
}
