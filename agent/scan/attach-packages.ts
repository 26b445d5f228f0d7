// Names the package behind each stale file. Files are looked up in the package database of the
// root the process sees: a container's library belongs to the container's dpkg/rpm database, not
// the host's. Each distinct root is resolved once, in one batch.
import type { StaleProcess } from '../../shared/scan-report.js';
import type { ProcessRoot } from '../host/process-files.js';
import { detectPackageManager, type PackageManager } from '../packages/detect-package-manager.js';
import { resolvePackages } from '../packages/resolve-packages.js';

/** Container roots resolved per scan at most; the rest keep their files without package names. */
const MAX_FOREIGN_ROOTS = 16;

export interface AttachPackagesOptions {
  hostRoot: string;
  hostRootKey: string;
  packageManager: PackageManager;
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
    try {
      const result = await resolvePackages({ root: group.root, packageManager, paths, sinceMs });
      warnings.push(...result.warnings);
      for (const proc of group.processes) {
        for (const file of proc.files) {
          const owner = result.owners.get(file.path);
          if (owner) file.package = owner;
        }
      }
    } catch (err) {
      warnings.push(`package lookup failed in ${group.root}: ${(err as Error).message}`);
    }
  }
  return warnings;
}
