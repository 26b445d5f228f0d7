// Small pieces of English shared by the text and Nagios outputs, so that both say the same
// thing the same way.

export interface PackageChange {
  name: string;
  source?: string | undefined;
  previousVersion?: string | undefined;
  installedVersion?: string | undefined;
}

/** `1 process`, `3 processes`. */
export function countNoun(count: number, singular: string, plural: string): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** Beyond this many, a pid list is cut short: a unit with 200 workers should not fill the screen. */
export const MAX_PIDS_SHOWN = 8;

/** `pid 812`, `pids 812, 813`, `pids 1, 2, … 8 and 4 more`; numeric order. Empty string for none. */
export function describePids(pids: readonly number[]): string {
  if (pids.length === 0) return '';
  const sorted = [...pids].sort((a, b) => a - b);
  const shown = sorted.slice(0, MAX_PIDS_SHOWN).join(', ');
  const hidden = sorted.length - MAX_PIDS_SHOWN;
  return `${sorted.length === 1 ? 'pid' : 'pids'} ${shown}${hidden > 0 ? ` and ${hidden} more` : ''}`;
}

/**
 * `openssl 3.0.11 → 3.0.13` when both versions are known, `openssl → 3.0.13` with only the
 * installed one, `openssl (was 3.0.11)` with only the old one, else the bare name. A binary
 * package built from another source shows it: `libssl3 (openssl) 3.0.11 → 3.0.13`.
 */
export function describePackage(pkg: PackageChange, arrow: string): string {
  const { previousVersion, installedVersion } = pkg;
  const name = pkg.source && pkg.source !== pkg.name ? `${pkg.name} (${pkg.source})` : pkg.name;
  if (previousVersion && installedVersion) return `${name} ${previousVersion} ${arrow} ${installedVersion}`;
  if (installedVersion) return `${name} ${arrow} ${installedVersion}`;
  if (previousVersion) return `${name} (was ${previousVersion})`;
  return name;
}

/** `38 ms` below a second, `1.2 s` above. */
export function describeDuration(durationMs: number): string {
  if (durationMs < 1000) return `${Math.round(durationMs)} ms`;
  return `${(durationMs / 1000).toFixed(1)} s`;
}

/** Docker, podman, containerd and CRI-O ids are 64 hex digits; show 12 like `docker ps`. Names stay whole. */
export function shortContainerId(id: string): string {
  return /^[0-9a-f]{13,}$/.test(id) ? id.slice(0, 12) : id;
}
