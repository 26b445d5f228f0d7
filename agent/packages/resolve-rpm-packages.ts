// rpm: owner and installed version from `rpm -qf`, the version still running from dnf's log.
import { join } from 'node:path';
import type { PackageRef } from '../../shared/scan-report.js';
import { findRpmDbPath } from './detect-package-manager.js';
import { type PackageUpgrade, selectPreviousVersion, upgradesOf } from './package-upgrade.js';
import { parseDnfRpmLog } from './parse-dnf-rpm-log.js';
import type { RpmPackage } from './parse-rpm-query.js';
import {
  createRpmRunner,
  findRpmProgram,
  queryRpmOwners,
  RPM_PROGRAMS,
  type RpmRunner,
} from './query-rpm-owners.js';
import { describeError, isNotFound, readBoundedText } from './read-bounded.js';
import { resolveUnderRoot } from './resolve-under-root.js';
import { detectUsrMerge, usrMergeAliases } from './usr-merge.js';

const LOG_BYTES = 16 * 1024 * 1024;
// Oldest first. dnf rotates its own logs to .1, .2, ...
const DNF_LOGS = ['var/log/dnf.rpm.log.1', 'var/log/dnf.rpm.log'];

export async function resolveRpmPackages(
  root: string,
  paths: readonly string[],
  sinceMs?: number,
  run?: RpmRunner,
): Promise<{ owners: Map<string, PackageRef>; warnings: string[] }> {
  const warnings: string[] = [];
  const owners = new Map<string, PackageRef>();
  const dbPath = findRpmDbPath(root);
  if (dbPath === undefined) {
    warnings.push(`no rpm database under ${root}: files not attributed to packages`);
    return { owners, warnings };
  }
  let runner = run;
  if (!runner) {
    const program = findRpmProgram();
    if (!program) {
      warnings.push(
        `rpm database found but no ${RPM_PROGRAMS.join(' or ')} to read it: files not attributed to packages`,
      );
      return { owners, warnings };
    }
    runner = createRpmRunner(program);
  }

  const first = await queryRpmOwners(root, dbPath, paths, runner);
  warnings.push(...first.warnings);
  const found = new Map<string, RpmPackage>(first.owners);

  // Second chance for the unanswered, under their other names (canonical path, merged /usr).
  const merged = detectUsrMerge(root);
  const byAlias = new Map<string, string[]>();
  for (const path of paths) {
    if (found.has(path)) continue;
    const canonical = resolveUnderRoot(root, path);
    const names = [...usrMergeAliases(path, merged)];
    if (canonical !== undefined) names.push(canonical, ...usrMergeAliases(canonical, merged));
    for (const name of new Set(names)) {
      if (name === path) continue;
      const list = byAlias.get(name);
      if (list) list.push(path);
      else byAlias.set(name, [path]);
    }
  }
  if (byAlias.size > 0) {
    const second = await queryRpmOwners(root, dbPath, [...byAlias.keys()], runner);
    warnings.push(...second.warnings);
    for (const [alias, pkg] of second.owners) {
      for (const path of byAlias.get(alias) ?? []) if (!found.has(path)) found.set(path, pkg);
    }
  }
  if (found.size === 0) return { owners, warnings };

  const upgrades = await readUpgrades(root, warnings);
  for (const [path, pkg] of found) {
    const ref: PackageRef = { name: pkg.name, installedVersion: pkg.version };
    const previousVersion = selectPreviousVersion(upgradesOf(upgrades, pkg.name, pkg.arch), sinceMs);
    if (previousVersion !== undefined) ref.previousVersion = previousVersion;
    owners.set(path, ref);
  }
  return { owners, warnings };
}

async function readUpgrades(root: string, warnings: string[]): Promise<PackageUpgrade[]> {
  const upgrades: PackageUpgrade[] = [];
  for (const log of DNF_LOGS) {
    const file = join(root, log);
    const { text, error } = await readBoundedText(file, LOG_BYTES, { fromEnd: true });
    if (error && !isNotFound(error)) warnings.push(`cannot read ${file}: ${describeError(error)}`);
    if (text !== undefined) upgrades.push(...parseDnfRpmLog(text));
  }
  return upgrades;
}
