// Parses dnf 4's /var/log/dnf.rpm.log for the packages an upgrade replaced:
//   2024-02-01T10:00:00+0000 SUBDEBUG Upgrade: openssl-libs-1:3.0.7-25.el9.x86_64
//   2024-02-01T10:00:00+0000 SUBDEBUG Upgraded: openssl-libs-1:3.0.7-24.el9.x86_64
// `Upgraded:` / `Downgraded:` / `Reinstalled:` name the package whose files were replaced, which
// is all previousVersion needs. Best effort: dnf5 and yum write other logs.
import type { PackageUpgrade } from './package-upgrade.js';
import { withEpoch } from './parse-rpm-query.js';

const LINE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:?\d{2})? \S+ (Upgraded|Downgraded|Reinstalled): (\S+)\s*$/;

export function parseDnfRpmLog(text: string): PackageUpgrade[] {
  const upgrades: PackageUpgrade[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, y, mo, d, h, mi, s, zone, , nevra] = m;
    const nevraParts = parseNevra(nevra!);
    if (!nevraParts) continue;
    const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
    const atMs = zoneToMs(fields, zone);
    upgrades.push({
      name: nevraParts.name,
      arch: nevraParts.arch,
      oldVersion: nevraParts.version,
      atMs,
      replacedAtMs: atMs,
    });
  }
  return upgrades;
}

/** `openssl-libs-1:3.0.7-24.el9.x86_64` -> name, `[epoch:]version-release`, arch. */
export function parseNevra(nevra: string): { name: string; version: string; arch: string } | undefined {
  const archDot = nevra.lastIndexOf('.');
  const releaseDash = nevra.lastIndexOf('-', archDot);
  const versionDash = nevra.lastIndexOf('-', releaseDash - 1);
  if (archDot < 0 || releaseDash < 0 || versionDash <= 0) return undefined;
  const evr = nevra.slice(versionDash + 1, archDot);
  const colon = evr.indexOf(':');
  return {
    name: nevra.slice(0, versionDash),
    version: colon < 0 ? evr : withEpoch(evr.slice(0, colon), evr.slice(colon + 1)),
    arch: nevra.slice(archDot + 1),
  };
}

function zoneToMs(
  [y, mo, d, h, mi, s]: [number, number, number, number, number, number],
  zone?: string,
): number {
  // Without a zone the time is the host's local time.
  if (zone === undefined) return new Date(y, mo - 1, d, h, mi, s).getTime();
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  if (zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return utc - sign * offsetMin * 60_000;
}
