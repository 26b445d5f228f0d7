// The ways files become stale under a running process, done the way the real tools do them,
// plus a look at /proc/PID/maps so that a test can check its setup really happened before it
// trusts a "not listed" verdict.
import { execFile } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type NativeBuild, PAST_MTIME_MS } from './native.js';
import type { Scratch } from './scratch.js';

const execFileAsync = promisify(execFile);

/** Sets a file's mtime (and atime) an hour back: older than any process a test starts. */
export function backdate(file: string): void {
  const past = new Date(Date.now() - PAST_MTIME_MS);
  utimesSync(file, past, past);
}

/** Copies `src` to `dest` and backdates it, like a file installed long before the test. */
export function installFile(src: string, dest: string): void {
  copyFileSync(src, dest);
  backdate(dest);
}

/** A directory `scratch.dir/name` holding a backdated copy of libstale.so v1. */
export function installLibDir(
  scratch: Scratch,
  build: NativeBuild,
  name = 'lib',
): { libDir: string; lib: string } {
  const libDir = join(scratch.dir, name);
  mkdirSync(libDir);
  const lib = join(libDir, 'libstale.so');
  installFile(build.libStaleV1, lib);
  return { libDir, lib };
}

/**
 * What dpkg and rpm do: write the new version under a temporary name in the same directory,
 * then rename() it over the old one. The old inode lives on in the processes that map it.
 */
export function replaceByRename(target: string, newContent: string): void {
  const tmp = join(dirname(target), `.${basename(target)}.afterpatch-new`);
  copyFileSync(newContent, tmp);
  renameSync(tmp, target);
}

/**
 * What `cp new old` does to an installed file, minus the truncation: rewrites `from` into `to`
 * (same length) at the same offset of the same inode. Truncating a mapped library would
 * SIGBUS the holder; rewriting bytes in place only changes content and mtime.
 */
export function overwriteInPlace(file: string, from: string, to: string): void {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to))
    throw new Error('in-place rewrite must keep the length');
  const offset = readFileSync(file).indexOf(from);
  if (offset < 0) throw new Error(`${from} not found in ${file}`);
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.from(to), 0, Buffer.byteLength(to), offset);
  } finally {
    closeSync(fd);
  }
}

/** `mount --bind src target`, undone (umount) by the scratch's cleanup. */
export async function bindMount(scratch: Scratch, src: string, target: string): Promise<void> {
  await execFileAsync('mount', ['--bind', src, target]);
  scratch.defer(async () => {
    try {
      await execFileAsync('umount', [target]);
    } catch {
      // Still busy (a holder outliving its stop()): detach it lazily rather than leak it.
      await execFileAsync('umount', ['-l', target]);
    }
  });
}

/** The lines of /proc/PID/maps whose path is exactly `path` or `path (deleted)`. */
export function mapsLinesFor(pid: number, path: string): string[] {
  return readMaps(pid).filter((line) => {
    const name = mapsPath(line);
    return name === path || name === `${path} (deleted)`;
  });
}

/** The lines of /proc/PID/maps whose path matches `pattern`. */
export function mapsLinesMatching(pid: number, pattern: RegExp): string[] {
  return readMaps(pid).filter((line) => pattern.test(mapsPath(line)));
}

export function readMaps(pid: number): string[] {
  return readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').filter(Boolean);
}

/** The path column of a maps line: everything after the fifth field (paths may hold spaces). */
function mapsPath(line: string): string {
  const match = /^\S+ \S+ \S+ \S+ \S+ +(.*)$/.exec(line);
  return match?.[1] ?? '';
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The margin after a holder's start before a change counts as "after the start": the
 * scanner's tolerance is 2 s (btime has one-second resolution); one more second absorbs
 * rounding and a slow CI machine.
 */
export const AFTER_START_MS = 3000;
