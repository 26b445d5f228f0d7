// A core package (kernel, glibc, systemd, dbus ...) installed after the boot means the running
// system still uses the old one in places a service restart cannot reach: the rule of dnf
// needs-restarting -r, compared with the kernel's real boot time, never a systemd timestamp.

import { compareNatural } from '../../shared/compare-natural.js';
import type { RebootReason } from '../../shared/scan-report.js';
import type { RpmInstalledPackage } from './parse-rpm-query.js';
import { limitText, listNames } from './reason-text.js';

export function assessCorePackages(
  installed: readonly RpmInstalledPackage[],
  bootTimeMs: number,
): RebootReason | undefined {
  const after = installed
    .filter((pkg) => pkg.installTimeSec * 1000 > bootTimeMs)
    .sort((a, b) => compareNatural(a.name, b.name) || a.installTimeSec - b.installTimeSec);
  if (after.length === 0) return undefined;
  const names = [...new Set(after.map((pkg) => pkg.name))];
  const described = after.map((pkg) => `${pkg.name} ${pkg.version}`);
  const boot = new Date(bootTimeMs).toISOString();
  return {
    code: 'core-package-updated',
    message: limitText(
      `core packages were installed after the last boot (${boot}): ${listNames(described)}; ` +
        'running programs keep the old versions until a reboot',
    ),
    packages: names,
  };
}
