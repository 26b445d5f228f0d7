// The staleness rules, as pure functions of what procfs says the process holds and what the
// filesystem holds now (seen through the process's own root). See docs/detection.md.
import type { StaleReason } from '../../shared/scan-report.js';
import { type DeviceNumber, type FileStat, sameFile } from '../host/file-stat.js';
import { stripTempSuffix } from '../packages/temp-suffix.js';

export interface Verdict {
  /** The path to report and to look the package up by (suffixes removed). */
  path: string;
  reason: StaleReason;
  detail: string;
}

/** What the process holds: a mapping from maps, or an open file descriptor. */
export interface HeldFile {
  rawPath: string;
  path: string;
  deleted: boolean;
  dev: DeviceNumber;
  inode: bigint;
}

export interface JudgeContext {
  /** stat() as the process sees the path; undefined when nothing is there. */
  lookup: (path: string) => FileStat | undefined;
  /** Boot time: a file not changed since boot is older than every process, whatever its start. */
  bootTimeMs: number;
  /** May be computed on first use (it costs a procfs read): asked only for files changed after boot. */
  readonly processStartMs: number;
  toleranceMs: number;
}

/** Whether a time falls after the process started (with the tolerance for btime's 1 s resolution). */
function isAfterStart(timeMs: number, ctx: JudgeContext): boolean {
  return timeMs > ctx.bootTimeMs + ctx.toleranceMs && timeMs > ctx.processStartMs + ctx.toleranceMs;
}

/** Judges a file the process has mapped or open, whose inode is known. */
export function judgeHeldFile(held: HeldFile, ctx: JudgeContext): Verdict | undefined {
  if (held.deleted) {
    // A file whose real name ends in " (deleted)" shows exactly like a deleted one.
    const literal = ctx.lookup(held.rawPath);
    if (literal && sameFile(held, literal)) return judgeLiveName(held.rawPath, held, ctx);
    const temp = stripTempSuffix(held.path);
    if (temp.renamed) return renamedVerdict(temp.path, held.path);
    // The name can come back to the same inode (a hard link restored): the code is current.
    const current = ctx.lookup(held.path);
    if (current && sameFile(held, current)) return judgeLiveName(held.path, held, ctx);
    return {
      path: held.path,
      reason: 'deleted',
      detail: current ? 'replaced: the file it loaded was unlinked and a new one installed' : 'file deleted',
    };
  }
  return judgeLiveName(held.path, held, ctx);
}

function judgeLiveName(path: string, held: HeldFile, ctx: JudgeContext): Verdict | undefined {
  const temp = stripTempSuffix(path);
  if (temp.renamed) return renamedVerdict(temp.path, path);
  const current = ctx.lookup(path);
  if (!current) {
    return {
      path,
      reason: 'missing',
      detail: 'path no longer exists in the process root, yet was not reported deleted',
    };
  }
  if (!sameFile(held, current)) {
    return {
      path,
      reason: 'replaced',
      detail: `another file now stands at this path (inode ${held.inode} -> ${current.ino}), e.g. a mount over it`,
    };
  }
  if (isAfterStart(current.mtimeMs, ctx)) {
    return { path, reason: 'modified', detail: 'overwritten in place after the process started' };
  }
  return undefined;
}

function renamedVerdict(path: string, heldName: string): Verdict {
  return {
    path,
    reason: 'renamed',
    detail: `still mapped under the package manager's temporary name ${heldName}`,
  };
}

/**
 * Judges a file the process read by name and may have closed since (a script or module): its
 * inode at load time is unknown, so only time tells. mtime catches edits and copies; the inode's
 * birth time catches a package manager that installs a new inode carrying the package's OLD
 * mtime (dpkg and rpm keep the archive's timestamps). ctime is not used: chmod and chown move it.
 */
export function judgeReadFile(path: string, ctx: JudgeContext): Verdict | undefined {
  const current = ctx.lookup(path);
  if (!current) return { path, reason: 'deleted', detail: 'file deleted since the process started' };
  if (isAfterStart(current.mtimeMs, ctx)) {
    return { path, reason: 'modified', detail: 'changed after the process started' };
  }
  if (isAfterStart(current.birthtimeMs, ctx)) {
    return {
      path,
      reason: 'replaced',
      detail: 'a new file was installed at this path after the process started',
    };
  }
  return undefined;
}
