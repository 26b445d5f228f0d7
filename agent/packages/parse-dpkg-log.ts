// Parses /var/log/dpkg.log for upgrades. Lines look like
//   2024-02-01 10:00:00 upgrade libssl3:amd64 3.0.11-1~deb12u1 3.0.11-1~deb12u2
//   2024-02-01 10:00:01 status unpacked libssl3:amd64 3.0.11-1~deb12u2
// Times are the host's local time (dpkg formats them with localtime()), so they are read as
// local time; the caller runs in the scanned host's time zone.
import type { PackageUpgrade } from './package-upgrade.js';
import { splitPackageArch } from './parse-dpkg-status.js';

const LINE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) (\S+) (.*)$/;

export function parseDpkgLog(text: string): PackageUpgrade[] {
  const upgrades: PackageUpgrade[] = [];
  // The upgrade of `pkg:arch` to a version, waiting for its `status unpacked` line.
  const awaitingUnpack = new Map<string, PackageUpgrade>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trimEnd());
    if (!m) continue;
    const [, y, mo, d, h, mi, s, action, rest] = m;
    const atMs = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime();
    const words = rest!.split(' ');
    if (action === 'upgrade' && words.length === 3) {
      const [qualified, oldVersion, newVersion] = words as [string, string, string];
      if (oldVersion === '<none>' || newVersion === '<none>') continue;
      const upgrade: PackageUpgrade = {
        ...splitPackageArch(qualified),
        oldVersion,
        newVersion,
        atMs,
        replacedAtMs: atMs,
      };
      upgrades.push(upgrade);
      awaitingUnpack.set(`${qualified} ${newVersion}`, upgrade);
    } else if (action === 'status' && words.length === 3 && words[0] === 'unpacked') {
      const key = `${words[1]} ${words[2]}`;
      const upgrade = awaitingUnpack.get(key);
      if (upgrade) {
        upgrade.replacedAtMs = atMs;
        awaitingUnpack.delete(key);
      }
    }
  }
  return upgrades;
}
