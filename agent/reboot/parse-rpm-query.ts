// The RPM side of "a core package changed since boot": which packages count, and the parser
// for `rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE} %{INSTALLTIME}\n'` output.

/**
 * Packages whose update only takes full effect after a reboot: the union of dnf 4
 * needs-restarting's NEED_REBOOT and libdnf5's CORE_PACKAGE_NAMES (both from
 * https://access.redhat.com/solutions/27943), plus the kernel-rt and 64k/UKI packages that
 * carry the kernel on RHEL 9 and Fedora.
 */
export const RPM_REBOOT_PACKAGES: readonly string[] = Object.freeze([
  'kernel',
  'kernel-core',
  'kernel-PAE',
  'kernel-rt',
  'kernel-rt-core',
  'kernel-smp',
  'kernel-xen',
  'kernel-64k',
  'kernel-64k-core',
  'kernel-uki-virt',
  'linux-firmware',
  'microcode_ctl',
  'glibc',
  'hal',
  'systemd',
  'udev',
  'dbus',
  'dbus-broker',
  'dbus-daemon',
  'gnutls',
  'openssl-libs',
]);

export interface RpmInstalledPackage {
  name: string;
  /** `VERSION-RELEASE`, e.g. `2.39-17.fc40`. */
  version: string;
  /** INSTALLTIME, seconds since the epoch. */
  installTimeSec: number;
}

const LINE = /^(\S+) (\S+) (\d+)$/;

/**
 * Parses the query output. Lines that do not match (`package hal is not installed`, which rpm
 * prints on stdout for every absent name) are skipped; with `onlyNames`, so are packages
 * that were not asked for.
 */
export function parseRpmQueryOutput(stdout: string, onlyNames?: readonly string[]): RpmInstalledPackage[] {
  const wanted = onlyNames ? new Set(onlyNames) : undefined;
  const result: RpmInstalledPackage[] = [];
  for (const line of stdout.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m?.[1] || !m[2] || !m[3]) continue;
    if (wanted && !wanted.has(m[1])) continue;
    result.push({ name: m[1], version: m[2], installTimeSec: Number(m[3]) });
  }
  return result;
}
