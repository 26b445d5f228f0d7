// A file is either its old content or its new content, never half of each, even if the power
// fails mid-write: write a temp file in the same directory, fsync it, rename it over the
// target, fsync the directory (so the rename itself is durable). Readers ignore temp files.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Names of temp files start with this; anything with it is debris of an interrupted write. */
export const TEMP_PREFIX = '.tmp-';

export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  const temp = join(dirname(file), `${TEMP_PREFIX}${basename(file)}.${process.pid}`);
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
  fsyncDirectory(dirname(file));
}

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
