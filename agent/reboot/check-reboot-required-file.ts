// The flag Debian and Ubuntu packages raise when they need a reboot: /run/reboot-required
// (update-notifier, the kernel, libc6, dbus ... postinst scripts write it), with the
// requesting packages in reboot-required.pkgs. /var/run is normally a symlink to /run; older
// or captured trees may keep either.
import { join } from 'node:path';
import type { RebootReason } from '../../shared/scan-report.js';
import type { HostFiles } from './host-files.js';
import { parseRebootRequiredPackages } from './parse-reboot-required-packages.js';
import { limitText, listNames } from './reason-text.js';

const FLAG_MAX_BYTES = 64 * 1024;
const PKGS_MAX_BYTES = 1024 * 1024;

export async function checkRebootRequiredFile(
  root: string,
  bootTimeMs: number,
  files: HostFiles,
): Promise<RebootReason | undefined> {
  let flagPath: string | undefined;
  const packages = new Set<string>();
  const seen = new Set<string>();
  for (const dir of ['/run', '/var/run']) {
    const flag = await files.readSmallFile(join(root, dir, 'reboot-required'), FLAG_MAX_BYTES);
    if (flag === undefined || seen.has(flag.id)) continue;
    seen.add(flag.id);
    // /run is a tmpfs that a reboot empties. A flag older than the boot can only survive on a
    // persistent /var/run, where it was raised before the reboot that already satisfied it.
    if (bootTimeMs > 0 && flag.mtimeMs < bootTimeMs) {
      files.warnings.push(`ignored ${dir}/reboot-required: it was written before the last boot`);
      continue;
    }
    flagPath ??= `${dir}/reboot-required`;
    const pkgs = await files.readSmallFile(join(root, dir, 'reboot-required.pkgs'), PKGS_MAX_BYTES);
    if (pkgs) for (const name of parseRebootRequiredPackages(pkgs.data.toString('utf8'))) packages.add(name);
  }
  if (flagPath === undefined) return undefined;

  const names = [...packages];
  const why =
    names.length > 0
      ? `package updates asked for a reboot (${flagPath}), requested by ${listNames(names)}`
      : `package updates asked for a reboot (${flagPath} exists, no package list)`;
  const reason: RebootReason = { code: 'reboot-required-file', message: limitText(why) };
  if (names.length > 0) reason.packages = names;
  return reason;
}
