// Notices that a package manager changed the system, so the agent scans right after an upgrade
// instead of up to an hour later. It watches the DIRECTORIES of the package databases (dpkg
// replaces /var/lib/dpkg/status by rename, which a watch on the file itself would lose after
// the first time; rpm rewrites files in /var/lib/rpm or /usr/lib/sysimage/rpm). An upgrade
// touches the database many times over minutes, so events are debounced: the callback runs
// once the database has been quiet for the debounce time. Where inotify is unavailable or out
// of watches, it falls back to comparing mtimes every pollMs.
import { type FSWatcher, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { AgentLogger } from './agent-logger.js';

export interface WatchTarget {
  dir: string;
  /** Only events for these names count; undefined: any file in the directory. */
  names?: readonly string[];
}

const RPM_DB_NAMES = ['Packages', 'Packages.db', 'rpmdb.sqlite', 'rpmdb.sqlite-wal'];

export const PACKAGE_DB_TARGETS: readonly WatchTarget[] = [
  { dir: '/var/lib/dpkg', names: ['status'] },
  // Only the databases proper: rpm's BerkeleyDB environment files (__db.*) and sqlite's shared
  // memory file change on every read-only `rpm -q`, which must not trigger scans.
  { dir: '/var/lib/rpm', names: RPM_DB_NAMES },
  { dir: '/usr/lib/sysimage/rpm', names: RPM_DB_NAMES },
];

export interface PackageWatcherOptions {
  targets?: readonly WatchTarget[];
  debounceMs: number;
  pollMs: number;
  onChange: () => void;
  logger: AgentLogger;
  /** For tests: skip fs.watch and poll. */
  forcePolling?: boolean;
  /** The log message when a change fires (default: 'package database changed'). */
  changeMessage?: string;
}

export class PackageWatcher {
  private readonly watchers: FSWatcher[] = [];
  private debounceTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly lastMtimes = new Map<string, number>();
  private readonly targets: readonly WatchTarget[];

  constructor(private readonly options: PackageWatcherOptions) {
    this.targets = (options.targets ?? PACKAGE_DB_TARGETS).filter((t) => isDirectory(t.dir));
  }

  /** The directories being watched (those that exist). */
  get watchedDirs(): string[] {
    return this.targets.map((t) => t.dir);
  }

  get mode(): 'watch' | 'poll' | 'none' {
    if (this.pollTimer) return 'poll';
    return this.watchers.length > 0 ? 'watch' : 'none';
  }

  start(): void {
    if (this.targets.length === 0) return;
    if (!this.options.forcePolling) {
      try {
        for (const target of this.targets) this.watchers.push(this.watchTarget(target));
        return;
      } catch (err) {
        this.options.logger.warn({ err }, 'cannot watch the package databases; polling their mtime instead');
        this.closeWatchers();
      }
    }
    this.startPolling();
  }

  stop(): void {
    this.closeWatchers();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.pollTimer = undefined;
    this.debounceTimer = undefined;
  }

  private watchTarget(target: WatchTarget): FSWatcher {
    const watcher = watch(target.dir, { persistent: false }, (_event, name) => {
      if (target.names && (name === null || !target.names.includes(String(name)))) return;
      this.changed();
    });
    watcher.on('error', this.onWatchError);
    return watcher;
  }

  private readonly onWatchError = (err: Error): void => {
    // The directory was removed or re-created (a package-manager migration): poll from now on.
    this.options.logger.warn({ err }, 'package database watch failed; polling instead');
    this.closeWatchers();
    this.startPolling();
  };

  private startPolling(): void {
    if (this.pollTimer) return;
    for (const path of this.pollPaths()) this.lastMtimes.set(path, mtimeOf(path));
    this.pollTimer = setInterval(this.poll, this.options.pollMs);
    this.pollTimer.unref();
  }

  private readonly poll = (): void => {
    let changed = false;
    for (const path of this.pollPaths()) {
      const mtime = mtimeOf(path);
      if (mtime !== this.lastMtimes.get(path)) changed = true;
      this.lastMtimes.set(path, mtime);
    }
    if (changed) this.changed();
  };

  /** The files named by a target, or the directory itself (its mtime moves on create/rename). */
  private pollPaths(): string[] {
    return this.targets.flatMap((t) => (t.names ? t.names.map((n) => join(t.dir, n)) : [t.dir]));
  }

  private changed(): void {
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(this.fire, this.options.debounceMs);
    this.debounceTimer.unref();
  }

  private readonly fire = (): void => {
    this.debounceTimer = undefined;
    this.options.logger.info(
      { dirs: this.watchedDirs },
      this.options.changeMessage ?? 'package database changed',
    );
    this.options.onChange();
  };

  private closeWatchers(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
