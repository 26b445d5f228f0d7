// Bounded reads of the scanned host's files for the reboot checks. A missing file is the normal
// case (containers have no /boot, AMD hosts no intel-ucode), so it is silent; any other error
// (EACCES, EIO) becomes a warning instead of an exception, because one unreadable file must
// not hide the other reboot reasons.
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { isMissingError } from '../host/process-files.js';

/** Cap on warnings so a broken tree cannot flood the report. */
const MAX_WARNINGS = 32;

export interface HostFile {
  data: Buffer;
  mtimeMs: number;
  /** `dev:ino`, to notice one file reached by two paths (/var/run -> /run). */
  id: string;
}

export interface HostFiles {
  /** At most `maxBytes` from the start of a regular file; undefined when missing or unreadable. */
  readHead(file: string, maxBytes: number): Promise<Buffer | undefined>;
  /** The file's text if it is a regular file no bigger than `maxBytes`; oversized files are skipped. */
  readSmallFile(file: string, maxBytes: number): Promise<HostFile | undefined>;
  /** Directory entry names (at most `maxEntries`, sorted); undefined when missing or unreadable. */
  list(dir: string, maxEntries: number): Promise<string[] | undefined>;
  /** Problems met so far, as sentences. */
  readonly warnings: string[];
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

// O_NONBLOCK: opening a FIFO planted where a kernel image is expected must not hang the scan.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

export function createHostFiles(): HostFiles {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
  };

  async function readOpen(file: string, maxBytes: number, wholeOnly: boolean): Promise<HostFile | undefined> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(file, OPEN_FLAGS);
      const st = await handle.stat();
      if (!st.isFile()) return undefined;
      if (wholeOnly && st.size > maxBytes) {
        warn(`skipped ${file}: ${st.size} bytes is more than the ${maxBytes} expected`);
        return undefined;
      }
      // procfs files report size 0 yet have content: read up to the cap then.
      const buf = Buffer.alloc(st.size > 0 ? Math.min(maxBytes, st.size) : maxBytes);
      let total = 0;
      while (total < buf.length) {
        const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      return { data: buf.subarray(0, total), mtimeMs: st.mtimeMs, id: `${st.dev}:${st.ino}` };
    } catch (err) {
      if (!isMissingError(err)) warn(`could not read ${file}: ${errorCode(err)}`);
      return undefined;
    } finally {
      await handle?.close();
    }
  }

  return {
    warnings,
    async readHead(file, maxBytes) {
      return (await readOpen(file, maxBytes, false))?.data;
    },
    readSmallFile(file, maxBytes) {
      return readOpen(file, maxBytes, true);
    },
    async list(dir, maxEntries) {
      try {
        const names = (await readdir(dir)).sort();
        if (names.length > maxEntries) {
          warn(`${dir} has ${names.length} entries; only the first ${maxEntries} were checked`);
          return names.slice(0, maxEntries);
        }
        return names;
      } catch (err) {
        if (!isMissingError(err) && errorCode(err) !== 'ENOTDIR')
          warn(`could not list ${dir}: ${errorCode(err)}`);
        return undefined;
      }
    },
  };
}
