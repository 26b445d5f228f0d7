// Reading files as a given process sees them. On a live host every path goes through
// /proc/PID/root, which resolves it in the process's own mount namespace and chroot; results
// are cached per (mount namespace, root) so that 600 processes sharing one libc cost one stat.
// On a captured tree (--root), every process sees the captured root.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { type FileStat, toFileStat } from './file-stat.js';

/** How one process sees the filesystem. */
export interface ProcessRoot {
  /** Prefix to put before an absolute path, e.g. `/proc/42/root` or `/srv/capture`. */
  readonly prefix: string;
  /** Processes with equal keys see the same files: cache key for stat results. */
  readonly cacheKey: string;
  /**
   * True when the prefix goes through one process's /proc/PID/root: if that process exits, every
   * path seems to vanish, so a "missing" answer through it must not be cached for its namespace.
   */
  readonly volatile?: boolean;
}

export interface ProcessFiles {
  /** stat() of `path` as seen by the process; undefined when it does not exist. */
  stat(root: ProcessRoot, path: string): FileStat | undefined;
  /** Reads at most `maxBytes` of a regular file; undefined when missing or not readable. */
  readText(root: ProcessRoot, path: string, maxBytes: number): string | undefined;
  /** Directory entries; undefined when missing or not a directory. */
  list(root: ProcessRoot, path: string): string[] | undefined;
}

const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

export function isMissingError(err: unknown): boolean {
  return MISSING_CODES.has((err as NodeJS.ErrnoException).code ?? '');
}

/** A ProcessFiles backed by the real filesystem, with per-scan caches. */
export function createProcessFiles(): ProcessFiles {
  const statCache = new Map<string, FileStat | undefined>();
  return {
    stat(root, path) {
      const key = `${root.cacheKey}\0${path}`;
      if (statCache.has(key)) return statCache.get(key);
      let result: FileStat | undefined;
      try {
        result = toFileStat(statSync(root.prefix + path, { bigint: true }));
      } catch (err) {
        if (!isMissingError(err)) throw err;
        result = undefined;
      }
      if (result !== undefined || !root.volatile) statCache.set(key, result);
      return result;
    },
    readText(root, path, maxBytes) {
      return readHead(root.prefix + path, maxBytes);
    },
    list(root, path) {
      try {
        return readdirSync(root.prefix + path);
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Reads the first `maxBytes` of a REGULAR file without loading the rest; undefined on any error.
 * Opened non-blocking and checked with fstat: a path swapped for a FIFO or a device after a
 * stat must not hang the scan.
 */
export function readHead(file: string, maxBytes: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.allocUnsafe(maxBytes);
    let total = 0;
    while (total < maxBytes) {
      const n = readSync(fd, buf, total, maxBytes - total, null);
      if (n === 0) break;
      total += n;
    }
    return buf.subarray(0, total).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
