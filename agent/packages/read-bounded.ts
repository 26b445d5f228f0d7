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

export interface BoundedBytes {
  /** A view into the scratch buffer, valid until the next read with it; undefined on error. */
  bytes?: Buffer;
  error?: NodeJS.ErrnoException;
  truncated: boolean;
}

/** A buffer reused across reads, grown to the largest file seen (up to the read limit). */
export interface ReadScratch {
  buffer: Buffer;
}

export function createReadScratch(): ReadScratch {
  return { buffer: Buffer.allocUnsafe(64 * 1024) };
}

/**
 * Synchronous head read into a reused buffer, for scanning many small files: on Debian 12 the
 * ~760 dpkg .list files take ~20 ms this way against ~70 ms through fs/promises (four thread-pool
 * trips per file), and no 7.6 MB of short-lived strings inflate the scanner's memory.
 */
export function readBoundedBytesSync(file: string, maxBytes: number, scratch: ReadScratch): BoundedBytes {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const err: NodeJS.ErrnoException = new Error(`${file} is not a regular file`);
      err.code = 'EINVAL';
      return { error: err, truncated: false };
    }
    const length = Math.min(st.size, maxBytes);
    if (scratch.buffer.length < length) scratch.buffer = Buffer.allocUnsafe(length);
    const buf = scratch.buffer;
    let total = 0;
    while (total < length) {
      const n = readSync(fd, buf, total, length - total, total);
      if (n === 0) break;
      total += n;
    }
    return { bytes: buf.subarray(0, total), truncated: st.size > maxBytes };
  } catch (err) {
    return { error: err as NodeJS.ErrnoException, truncated: false };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** readBoundedBytesSync as text, with a buffer of its own. */
export function readBoundedTextSync(file: string, maxBytes: number): BoundedText {
  const { bytes, error, truncated } = readBoundedBytesSync(file, maxBytes, { buffer: Buffer.alloc(0) });
  if (bytes === undefined) return { ...(error ? { error } : {}), truncated };
  return { text: bytes.toString('utf8'), truncated };
}
