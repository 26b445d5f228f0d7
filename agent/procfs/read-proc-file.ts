// Reads small procfs files into one reused buffer. procfs reports a size of 0, so
// readFileSync fstat()s, allocates and grows a fresh buffer for every file; a scan reads
// thousands of them, and the allocations show up as garbage-collection time.
import { closeSync, openSync, readSync } from 'node:fs';

const SHARED_BYTES = 256 * 1024;
let shared: Buffer | undefined;

/** The whole text of a procfs file (maps of a large process may be megabytes: still read whole). */
export function readProcText(path: string): string {
  shared ??= Buffer.allocUnsafe(SHARED_BYTES);
  let buffer = shared;
  const fd = openSync(path, 'r');
  try {
    let total = 0;
    for (;;) {
      if (total === buffer.length) buffer = grow(buffer, total);
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
    }
    return buffer.toString('utf8', 0, total);
  } finally {
    closeSync(fd);
  }
}

/** A larger private buffer for this read only: the shared one keeps its size. */
function grow(buffer: Buffer, used: number): Buffer {
  const bigger = Buffer.allocUnsafe(buffer.length * 2);
  buffer.copy(bigger, 0, 0, used);
  return bigger;
}
