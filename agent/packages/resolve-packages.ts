// Names the package behind each stale file, the version installed now and the version the
// process still runs, so that a report can say "libssl3 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2:
// restart nginx". Never throws: an unreadable database becomes a warning and the files stay
// unattributed.
import { resolve } from 'node:path';
import type { PackageRef } from '../../shared/scan-report.js';
import type { PackageManager } from './detect-package-manager.js';
import { resolveDpkgPackages } from './resolve-dpkg-packages.js';
import { resolveRpmPackages } from './resolve-rpm-packages.js';

export interface ResolvePackagesInput {
  /** Host root ('/' live, or a captured tree); database paths are built under it. */
  root: string;
  packageManager: PackageManager;
  /** Absolute host paths of stale files, already without ' (deleted)' and temp suffixes. */
  paths: string[];
  /** Start of the oldest stale process: only upgrades completed after it give previousVersion. */
  sinceMs?: number;
}

export interface ResolvePackagesResult {
  /** Input path -> its package; paths that no package owns are absent. */
  owners: Map<string, PackageRef>;
  warnings: string[];
}

export async function resolvePackages(input: ResolvePackagesInput): Promise<ResolvePackagesResult> {
  const paths = [...new Set(input.paths)].filter((p) => p.startsWith('/'));
  if (paths.length === 0 || input.packageManager === 'none') return { owners: new Map(), warnings: [] };
  const root = resolve(input.root);
  try {
    if (input.packageManager === 'dpkg') return await resolveDpkgPackages(root, paths, input.sinceMs);
    return await resolveRpmPackages(root, paths, input.sinceMs);
  } catch (err) {
    // The resolvers turn expected failures into warnings; this is the backstop for the rest.
    return {
      owners: new Map(),
      warnings: [`package lookup failed (${input.packageManager}): ${(err as Error).message ?? String(err)}`],
    };
  }
}
