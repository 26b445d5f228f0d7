// "Scan now" from outside the daemon: package-manager hooks (APT DPkg::Post-Invoke, dnf actions)
// run `afterpatch rescan`, which touches a file in the agent's state directory; the running
// daemon watches that name and scans. A file rather than a signal to a pid from a pid file: a
// stale pid file would make SIGUSR1 (default action: terminate) kill an unrelated process that
// reused the pid, and writing a file is harmless when no agent runs (the next start scans anyway).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WatchTarget } from './package-watcher.js';

export const RESCAN_REQUEST_FILE = 'rescan-request';

/** The watch target for the daemon: only the request file's name counts. */
export function rescanWatchTarget(stateDir: string): WatchTarget {
  return { dir: stateDir, names: [RESCAN_REQUEST_FILE] };
}

/** Writes (or rewrites: every write is one request) the request file; throws on an I/O error. */
export function writeRescanRequest(stateDir: string, reason: string, now = new Date()): string {
  const path = join(stateDir, RESCAN_REQUEST_FILE);
  // Written in place, not by rename: the watcher filters on this name, and an in-place write
  // also moves the mtime that the polling fallback compares.
  writeFileSync(path, `${JSON.stringify({ at: now.toISOString(), reason: reason.slice(0, 200) })}\n`, {
    mode: 0o600,
  });
  return path;
}
