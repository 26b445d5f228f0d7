// An exclusive lock on the PGlite data directory. PGlite is PostgreSQL running inside this process:
// nothing stops a second process from opening the same files, and two writers would corrupt them.
// The lock is a file created atomically (written aside, then hard-linked into place, which fails
// when the name exists) naming its holder. A lock whose holder is gone is taken over: the pid is
// dead, or was reused by a process that started later, or the machine has rebooted since.

import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DbError } from './errors.js';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** /proc/sys/kernel/random/boot_id when the lock was taken. */
  bootId?: string;
  /** The holder's start time in clock ticks since boot (/proc/PID/stat field 22). */
  startTime?: string;
  /** Distinguishes two locks taken by the same process. */
  token: string;
  acquiredAt: string;
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** The previous holder, when its stale lock was taken over (it did not close the database). */
  readonly staleHolder?: LockHolder;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

/** The facts about this machine and a process that liveness checks need (injectable for tests). */
export interface ProcessProbe {
  hostname(): string;
  bootId(): string | undefined;
  /** Start time of `pid`, or undefined when unknown (not Linux, or no such process). */
  startTime(pid: number): string | undefined;
  /** False only when `pid` certainly does not exist. */
  exists(pid: number): boolean;
}

const MAX_ATTEMPTS = 5;

/**
 * Takes the lock file at `path` for this process, or throws DB_LOCKED naming the holder's pid.
 * A stale lock (see the header) is replaced.
 */
export function acquireDataDirLock(path: string, probe: ProcessProbe = linuxProbe): DataDirLock {
  const holder: LockHolder = {
    pid: process.pid,
    hostname: probe.hostname(),
    bootId: probe.bootId(),
    startTime: probe.startTime(process.pid),
    token: randomBytes(8).toString('hex'),
    acquiredAt: new Date().toISOString(),
  };
  const content = `${JSON.stringify(holder)}\n`;
  let staleHolder: LockHolder | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (tryCreate(path, content)) return lockHandle(path, holder, staleHolder);
    const current = readLock(path);
    if (current === 'missing') continue; // released in between: try again
    if (current !== 'unreadable' && isAlive(current, probe)) {
      const where = current.hostname === holder.hostname ? '' : ` on host ${current.hostname}`;
      throw new DbError(
        'DB_LOCKED',
        `The data directory is in use by process ${current.pid}${where} (lock file ${path}). ` +
          'Stop that server first, or give this one another data directory.',
        { details: { pid: current.pid, hostname: current.hostname, lockFile: path } },
      );
    }
    removeStale(path, current);
    if (current !== 'unreadable') staleHolder = current;
  }
  throw new DbError('DB_LOCKED', `Could not take the lock file ${path}: other processes keep taking it`, {
    details: { lockFile: path },
  });
}

function tryCreate(path: string, content: string): boolean {
  // Written in full under a private name first, so that nobody ever reads a half-written lock.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

function readLock(path: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  return parseLockHolder(text) ?? 'unreadable';
}

/** Parses a lock file's content; undefined when it is not one of ours. */
export function parseLockHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0) return undefined;
    if (typeof value.hostname !== 'string' || typeof value.token !== 'string') return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

/** Whether the process named by a lock may still be running and using the directory. */
export function isAlive(holder: LockHolder, probe: ProcessProbe): boolean {
  // A lock taken on another machine (a shared filesystem) cannot be checked: assume it is held.
  if (holder.hostname !== probe.hostname()) return true;
  const bootId = probe.bootId();
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId) return false;
  if (!probe.exists(holder.pid)) return false;
  // The pid exists; if it started at another time it is a different process that reused the pid.
  const startTime = probe.startTime(holder.pid);
  if (holder.startTime !== undefined && startTime !== undefined) return holder.startTime === startTime;
  return true;
}

function removeStale(path: string, stale: LockHolder | 'unreadable'): void {
  // Move the stale lock aside under a unique name, then check that what was moved is what was
  // judged stale: if another process replaced it in between, put that live lock back.
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readLock(aside);
  const same =
    stale === 'unreadable'
      ? moved === 'unreadable'
      : typeof moved === 'object' && moved.token === stale.token;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone took the lock meanwhile; the next attempt will see it.
    }
  }
  unlinkSync(aside);
}

function lockHandle(path: string, holder: LockHolder, staleHolder: LockHolder | undefined): DataDirLock {
  let released = false;
  return {
    path,
    holder,
    ...(staleHolder ? { staleHolder } : {}),
    release() {
      if (released) return;
      released = true;
      const current = readLock(path);
      if (typeof current === 'object' && current.token === holder.token) unlinkSync(path);
    },
  };
}

/** Reads liveness facts from Linux procfs; elsewhere only pid existence is known. */
export const linuxProbe: ProcessProbe = {
  hostname,
  bootId() {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  },
  startTime(pid) {
    try {
      return parseStartTime(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return undefined;
    }
  },
  exists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: it exists but belongs to another user.
      return (err as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  },
};

/** Field 22 (starttime) of /proc/PID/stat; the command name (field 2) may contain spaces and ')'. */
export function parseStartTime(stat: string): string | undefined {
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = afterComm[19];
  return value !== undefined && /^\d+$/.test(value) ? value : undefined;
}
