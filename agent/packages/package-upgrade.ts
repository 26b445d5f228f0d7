// An upgrade read from a package manager's log, and the choice of the version a stale process
// still runs. Shared by the dpkg and the dnf log parsers.

export interface PackageUpgrade {
  name: string;
  /** Absent when the log does not say (dpkg logs before multiarch). */
  arch?: string;
  oldVersion: string;
  /** Absent where the log names only the replaced package (dnf's `Upgraded:` lines). */
  newVersion?: string;
  /** When the upgrade began, ms since the epoch. */
  atMs: number;
  /** When the new files were in place (dpkg: `status unpacked` of the new version), else `atMs`. */
  replacedAtMs: number;
}

// Both logs have whole seconds: an event stamped t happened within [t, t + 1 s).
const LOG_RESOLUTION_MS = 1000;

/** The upgrades of one package; a log entry without an architecture matches any. */
export function upgradesOf(
  upgrades: readonly PackageUpgrade[],
  name: string,
  arch?: string,
): PackageUpgrade[] {
  return upgrades.filter(
    (u) => u.name === name && (u.arch === undefined || arch === undefined || u.arch === arch),
  );
}

/**
 * The version a stale process still runs. With `sinceMs` (the process start), the files it
 * loaded are those replaced by the FIRST upgrade that completed after it started: after two
 * upgrades 3.0.11 -> 3.0.12 -> 3.0.13 it still runs 3.0.11. Without a start time the most recent
 * upgrade is the best guess (the process predates at least that one).
 */
export function selectPreviousVersion(
  upgrades: readonly PackageUpgrade[],
  sinceMs?: number,
): string | undefined {
  const ordered = [...upgrades].sort((a, b) => a.atMs - b.atMs);
  if (sinceMs === undefined) return ordered.at(-1)?.oldVersion;
  return ordered.find((u) => u.replacedAtMs + LOG_RESOLUTION_MS > sinceMs)?.oldVersion;
}
