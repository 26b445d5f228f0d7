// Which package database describes the files under a root. Decided by the database files, not by
// which programs exist: a captured tree has no programs we may run, and a Debian host can have
// the `rpm` tool installed without any rpm-managed package.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type PackageManager = 'dpkg' | 'rpm' | 'none';

// Newest location first: Fedora 36+ and openSUSE keep the database in /usr/lib/sysimage/rpm and
// leave /var/lib/rpm as a link to it.
const RPM_DB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
// sqlite (rpm >= 4.16, Fedora 33+, RHEL 9), ndb (openSUSE), Berkeley DB (older).
const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'];

export function detectPackageManager(root: string): PackageManager {
  if (existsSync(join(root, 'var/lib/dpkg/status'))) return 'dpkg';
  return findRpmDbPath(root) === undefined ? 'none' : 'rpm';
}

/**
 * The rpm database directory inside `root` (for `rpm --dbpath`), or undefined. Passed explicitly
 * because the scanning host's rpm may default elsewhere (Debian's rpm uses ~/.rpmdb).
 */
export function findRpmDbPath(root: string): string | undefined {
  return RPM_DB_DIRS.find((dir) => RPM_DB_FILES.some((file) => existsSync(join(root, dir, file))));
}
