// dpkg: owner from info/*.list, installed version from status, the version still running from
// dpkg.log. Reads the database files only; every failure becomes a warning.
import { join } from 'node:path';
import type { PackageRef } from '../../shared/scan-report.js';
import { findDpkgOwners } from './find-dpkg-owners.js';
import { type PackageUpgrade, selectPreviousVersion, upgradesOf } from './package-upgrade.js';
import { parseDpkgDiversions } from './parse-dpkg-diversions.js';
import { parseDpkgLog } from './parse-dpkg-log.js';
import {
  type DpkgIndex,
  findDpkgPackage,
  indexDpkgPackages,
  parseDpkgStatus,
  splitPackageArch,
} from './parse-dpkg-status.js';
import { type DpkgLookup, planDpkgLookups } from './plan-dpkg-lookups.js';
import { describeError, isNotFound, readBoundedText } from './read-bounded.js';
import { resolveUnderRoot } from './resolve-under-root.js';
import { detectUsrMerge, usrMergeAliases } from './usr-merge.js';

const LIMITS = Object.freeze({
  statusBytes: 256 * 1024 * 1024,
  diversionsBytes: 16 * 1024 * 1024,
  // Logs are read from the end: the recent upgrades are the ones that matter.
  logBytes: 16 * 1024 * 1024,
});

// Oldest first, so that the upgrades come out in order.
const DPKG_LOGS = ['var/log/dpkg.log.1', 'var/log/dpkg.log'];

export async function resolveDpkgPackages(
  root: string,
  paths: readonly string[],
  sinceMs?: number,
): Promise<{ owners: Map<string, PackageRef>; warnings: string[] }> {
  const warnings: string[] = [];
  const owners = new Map<string, PackageRef>();

  const diversionsFile = join(root, 'var/lib/dpkg/diversions');
  const diversionsText = await readBoundedText(diversionsFile, LIMITS.diversionsBytes);
  if (diversionsText.error && !isNotFound(diversionsText.error)) {
    warnings.push(`cannot read ${diversionsFile}: ${describeError(diversionsText.error)}`);
  }
  const diversions = parseDpkgDiversions(diversionsText.text ?? '');

  const merged = detectUsrMerge(root);
  const lookups = new Map<string, DpkgLookup[]>();
  for (const path of paths) lookups.set(path, planDpkgLookups(namesOf(root, path, merged), diversions));

  const found = await findDpkgOwners(join(root, 'var/lib/dpkg/info'), lookups);
  warnings.push(...found.warnings);
  if (found.owners.size === 0) return { owners, warnings };

  const statusFile = join(root, 'var/lib/dpkg/status');
  const status = await readBoundedText(statusFile, LIMITS.statusBytes);
  if (status.error) warnings.push(`cannot read ${statusFile}: ${describeError(status.error)}`);
  if (status.truncated)
    warnings.push(`${statusFile} is larger than ${LIMITS.statusBytes} bytes; read in part`);
  const index = indexDpkgPackages(parseDpkgStatus(status.text ?? ''));
  const upgrades = await readUpgrades(root, warnings);

  for (const [path, listName] of found.owners) {
    owners.set(path, packageRef(index, listName, upgrades, sinceMs));
  }
  return { owners, warnings };
}

/** Every name the file may be listed under, its own first. */
function namesOf(root: string, path: string, merged: ReadonlySet<string>): string[] {
  const names = [path, ...usrMergeAliases(path, merged)];
  const canonical = resolveUnderRoot(root, path);
  if (canonical !== undefined) names.push(canonical, ...usrMergeAliases(canonical, merged));
  return [...new Set(names)];
}

async function readUpgrades(root: string, warnings: string[]): Promise<PackageUpgrade[]> {
  const upgrades: PackageUpgrade[] = [];
  for (const log of DPKG_LOGS) {
    const file = join(root, log);
    const { text, error } = await readBoundedText(file, LIMITS.logBytes, { fromEnd: true });
    if (error && !isNotFound(error)) warnings.push(`cannot read ${file}: ${describeError(error)}`);
    if (text !== undefined) upgrades.push(...parseDpkgLog(text));
  }
  return upgrades;
}

function packageRef(
  index: DpkgIndex,
  listName: string,
  upgrades: readonly PackageUpgrade[],
  sinceMs: number | undefined,
): PackageRef {
  const pkg = findDpkgPackage(index, listName);
  const { name, arch: listArch } = splitPackageArch(listName);
  const arch = pkg?.arch ?? listArch;
  // Qualify with the architecture only when the bare name is ambiguous (libc6:amd64 next to
  // libc6:i386), as dpkg-query does.
  const instances = (index.get(name) ?? []).filter((p) => p.filesPresent).length;
  const ref: PackageRef = { name: instances > 1 && arch ? `${name}:${arch}` : name };
  if (pkg?.source) ref.source = pkg.source;
  if (pkg?.filesPresent && pkg.version) ref.installedVersion = pkg.version;
  const previousVersion = selectPreviousVersion(upgradesOf(upgrades, name, arch), sinceMs);
  if (previousVersion !== undefined) ref.previousVersion = previousVersion;
  return ref;
}
