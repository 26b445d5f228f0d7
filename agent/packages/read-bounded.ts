// Bounded reads of package-database files. Unlike agent/host's readHead these keep the error,
// because a database that exists but cannot be read must become a warning, while a missing
// optional file (dpkg.log.1, diversions) is simply absent.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface BoundedText {
  /** Undefined when the file could not be read (see `error`). */
  text?: string;
  error?: NodeJS.ErrnoException;
  /** True when the file was larger than the limit and only part of it was returned. */
  truncated: boolean;
}

export function isNotFound(err: NodeJS.ErrnoException | undefined): boolean {
  return err?.code === 'ENOENT' || err?.code === 'ENOTDIR';
}

/**
 * Reads at most `maxBytes` of a regular file, from the start, or from the end when `fromEnd`
 * (logs: the newest lines are last). A tail read drops the first, partial line.
 */
export async function readBoundedText(
  file: string,
  maxBytes: number,
  options: { fromEnd?: boolean } = {},
): Promise<BoundedText> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const st = await handle.stat();
    if (!st.isFile()) {
      const err: NodeJS.ErrnoException = new Error(`${file} is not a regular file`);
      err.code = 'EINVAL';
      return { error: err, truncated: false };
    }
    const truncated = st.size > maxBytes;
    const length = Math.min(st.size, maxBytes);
    const start = truncated && options.fromEnd ? st.size - maxBytes : 0;
    const buf = Buffer.allocUnsafe(length);
    let total = 0;
    while (total < length) {
      const { bytesRead } = await handle.read(buf, total, length - total, start + total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    let text = buf.subarray(0, total).toString('utf8');
    if (truncated && options.fromEnd) text = text.slice(text.indexOf('\n') + 1);
    return { text, truncated };
  } catch (err) {
    return { error: err as NodeJS.ErrnoException, truncated: false };
  } finally {
    await handle?.close();
  }
}

/** A one-line description of a read error for the scan report's warnings. */
export function describeError(err: NodeJS.ErrnoException | undefined): string {
  return err?.code ?? err?.message ?? 'unknown error';
}

/** A buffer reused across reads, grown only for a line longer than it. */
export interface ReadScratch {
  buffer: Buffer;
}

export function createReadScratch(): ReadScratch {
  return { buffer: Buffer.allocUnsafe(64 * 1024) };
}

const NEWLINE = 0x0a;

/**
 * Reads at most `maxBytes` of a regular file in chunks of whole lines (the scratch buffer's size,
 * grown only for a single longer line), so that a 4 MB dpkg .list costs 64 KiB of memory, not
 * 4 MB. `onLines` gets each chunk; a last line without a newline comes with the final chunk.
 */
export function readLineChunksSync(
  file: string,
  maxBytes: number,
  scratch: ReadScratch,
  onLines: (lines: Buffer) => void,
): { error?: NodeJS.ErrnoException; truncated: boolean; bytesRead: number } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const err: NodeJS.ErrnoException = new Error(`${file} is not a regular file`);
      err.code = 'EINVAL';
      return { error: err, truncated: false, bytesRead: 0 };
    }
    const limit = Math.min(st.size, maxBytes);
    let position = 0;
    let carried = 0;
    for (;;) {
      if (carried === scratch.buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.max(4096, scratch.buffer.length * 2));
        scratch.buffer.copy(bigger, 0, 0, carried);
        scratch.buffer = bigger;
      }
      const buf = scratch.buffer;
      const n =
        position < limit
          ? readSync(fd, buf, carried, Math.min(buf.length - carried, limit - position), position)
          : 0;
      position += n;
      const filled = carried + n;
      if (n === 0) {
        if (filled > 0) onLines(buf.subarray(0, filled));
        return { truncated: st.size > maxBytes, bytesRead: position };
      }
      const lastNewline = buf.lastIndexOf(NEWLINE, filled - 1);
      if (lastNewline < 0) {
        carried = filled;
        continue;
      }
      onLines(buf.subarray(0, lastNewline + 1));
      carried = filled - (lastNewline + 1);
      buf.copy(buf, 0, lastNewline + 1, filled);
    }
  } catch (err) {
    return { error: err as NodeJS.ErrnoException, truncated: false, bytesRead: 0 };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
