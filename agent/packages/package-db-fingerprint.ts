// A cheap identity of a root's package database: the modification times of the files a package
// manager always touches when it installs or removes anything. Equal fingerprints mean a lookup
// made earlier is still right, so a long-running agent does not re-read every dpkg .list file on
// every scan.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { findRpmDbPath, type PackageManager } from './detect-package-manager.js';

const DPKG_FILES = [
  'var/lib/dpkg/status',
  'var/lib/dpkg/info',
  'var/lib/dpkg/diversions',
  'var/log/dpkg.log',
];
const RPM_LOGS = ['var/log/dnf.rpm.log'];

export function packageDbFingerprint(root: string, packageManager: PackageManager): string {
  if (packageManager === 'none') return 'none';
  const files =
    packageManager === 'dpkg' ? DPKG_FILES : [...RPM_LOGS, ...(dbDir(root) ? [dbDir(root)!] : [])];
  return `${packageManager}:${files.map((file) => mtimeOf(join(root, file))).join(',')}`;
}

function dbDir(root: string): string | undefined {
  const dir = findRpmDbPath(root);
  return dir === undefined ? undefined : dir.replace(/^\//, '');
}

function mtimeOf(path: string): string {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.mtimeNs}:${st.size}`;
  } catch {
    return '-';
  }
}
