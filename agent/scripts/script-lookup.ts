// The only file-system access of script finding: stat, list and bounded reads of paths as one
// process sees them, through ProcessFiles. Nothing is executed and nothing but regular files is
// read: opening a FIFO or a device that a hostile script names as a module would hang the scan.
// Through a prefix (/proc/PID/root, a captured tree) the kernel resolves an absolute symlink in
// the scanner's root, not the process's: /usr/lib/python3.11/sitecustomize.py ->
// /etc/python3.11/sitecustomize.py would be read from the host. So paths are first resolved here,
// component by component, inside the process's root.
import { readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import type { FileStat } from '../host/file-stat.js';
import { isMissingError, type ProcessFiles, type ProcessRoot } from '../host/process-files.js';
import { cacheSet, type ScriptParseCache } from './script-parse-cache.js';

export interface ScriptLookup {
  readonly root: ProcessRoot;
  readonly cache: ScriptParseCache;
  /** stat() of a regular file; undefined for anything else or a missing path. */
  file(path: string): FileStat | undefined;
  /** Entries of a directory (cached for the scan); undefined when it is not one. */
  list(dir: string): ReadonlySet<string> | undefined;
  /** At most maxBytesPerFile of a regular file. */
  read(path: string): string | undefined;
  /** The path with every component's symlinks followed, as realpath(3) in the process would. */
  realPath(path: string): string;
}

/** Symlinks followed per path, as the kernel's own limit (ELOOP after 40). */
const MAX_LINK_HOPS = 40;

export function createScriptLookup(
  files: ProcessFiles,
  root: ProcessRoot,
  cache: ScriptParseCache,
  maxBytesPerFile: number,
): ScriptLookup {
  /** The target of a symlink; null when the path is no link (or cannot be read). */
  const readLink = (path: string): string | null => {
    const key = `${root.cacheKey}\0${path}`;
    const cached = cache.links.get(key);
    if (cached !== undefined) return cached;
    // ProcessFiles has no readlink: read the link through the same prefix; its last component
    // is not followed, and the ones before it were resolved by realPath already.
    let target: string | null;
    let missing = false;
    try {
      target = readlinkSync(root.prefix + path);
    } catch (err) {
      target = null;
      missing = isMissingError(err);
    }
    // A volatile root (one process's /proc/PID/root) seems empty once that process exits.
    if (!missing || !root.volatile) cacheSet(cache.links, key, target);
    return target;
  };
  const inRoot = (path: string) => (root.prefix === '' ? path : lookup.realPath(path));
  const lookup: ScriptLookup = {
    root,
    cache,
    file(path) {
      const st = files.stat(root, inRoot(path));
      return st?.isFile ? st : undefined;
    },
    list(dir) {
      const key = `${root.cacheKey}\0${dir}`;
      if (cache.listings.has(key)) return cache.listings.get(key);
      const entries = files.list(root, inRoot(dir));
      const result = entries === undefined ? undefined : new Set(entries);
      if (result !== undefined || !root.volatile) cacheSet(cache.listings, key, result);
      return result;
    },
    read(path) {
      const real = inRoot(path);
      if (!files.stat(root, real)?.isFile) return undefined;
      return files.readText(root, real, maxBytesPerFile);
    },
    realPath(path) {
      // Component by component, so that an absolute link target is taken inside the process's
      // root: the kernel would resolve it in the scanner's root when reached through the prefix.
      const pending = path.split('/').filter((part) => part !== '' && part !== '.');
      let resolved = '';
      let hops = 0;
      while (pending.length > 0) {
        const part = pending.shift() as string;
        if (part === '..') {
          resolved = resolved.slice(0, resolved.lastIndexOf('/'));
          continue;
        }
        const candidate = `${resolved}/${part}`;
        const target = readLink(candidate);
        if (target === null) {
          resolved = candidate;
          continue;
        }
        if (++hops > MAX_LINK_HOPS) return posix.normalize(path);
        if (target.startsWith('/')) resolved = '';
        pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      }
      return resolved === '' ? '/' : resolved;
    },
  };
  return lookup;
}

/** An absolute path from `path`, taken relative to the absolute directory `base` when relative. */
export function resolvePath(base: string, path: string): string {
  return posix.normalize(path.startsWith('/') ? path : posix.join(base, path));
}

/** The installation prefix of a bin directory: /usr for /usr/bin, '' for /bin (paths then start at /lib). */
export function prefixOf(binDir: string): string {
  const parent = posix.dirname(binDir);
  return parent === '/' ? '' : parent;
}

/** Multiarch triplets (x86_64-linux-gnu, aarch64-linux-gnu, arm-linux-gnueabihf) under a lib directory. */
export function listTriplets(lookup: ScriptLookup, libDir: string): string[] {
  return [...(lookup.list(libDir) ?? [])].filter((e) => /^[a-z0-9_]+-linux-[a-z0-9_]+$/.test(e)).sort();
}
