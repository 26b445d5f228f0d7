// Finds which package lists each file by reading /var/lib/dpkg/info/*.list directly (dpkg-query
// would mean running a program from the scanned host, and costs a fork per query). All files are
// searched in one pass for a set of wanted lines, in sorted order, stopping as soon as every
// file has an owner. A full pass over a Debian 12 host's 759 lists (7.6 MB) takes ~30 ms.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { findListedPaths } from './find-listed-paths.js';
import { splitPackageArch } from './parse-dpkg-status.js';
import { type DpkgLookup, ownerAllowed } from './plan-dpkg-lookups.js';
import { createReadScratch, describeError, readLineChunksSync } from './read-bounded.js';

export const DPKG_LIST_LIMITS = Object.freeze({
  files: 100_000,
  bytesPerFile: 64 * 1024 * 1024,
  totalBytes: 1024 * 1024 * 1024,
  // The reads are synchronous (much faster for small files); let timers and sockets run between
  // groups of files.
  filesBetweenYields: 64,
});

export interface DpkgOwnersResult {
  /** Input key -> `.list` name (`libc6:amd64` or `bash`). */
  owners: Map<string, string>;
  warnings: string[];
  listsRead: number;
}

/** `lookups`: for each input key, the lines that would name it (see planDpkgLookups). */
export async function findDpkgOwners(
  infoDir: string,
  lookups: ReadonlyMap<string, readonly DpkgLookup[]>,
): Promise<DpkgOwnersResult> {
  const owners = new Map<string, string>();
  const warnings: string[] = [];
  const wanted = new Map<string, { key: string; lookup: DpkgLookup }[]>();
  for (const [key, list] of lookups) {
    for (const lookup of list) {
      const entry = { key, lookup };
      const existing = wanted.get(lookup.listed);
      if (existing) existing.push(entry);
      else wanted.set(lookup.listed, [entry]);
    }
  }
  const pending = new Set([...lookups.keys()].filter((key) => (lookups.get(key)?.length ?? 0) > 0));
  if (pending.size === 0) return { owners, warnings, listsRead: 0 };

  let entries: string[];
  try {
    entries = await readdir(infoDir);
  } catch (err) {
    warnings.push(`cannot list ${infoDir}: ${describeError(err as NodeJS.ErrnoException)}`);
    return { owners, warnings, listsRead: 0 };
  }
  const listFiles = entries.filter((e) => e.endsWith('.list')).sort();
  if (listFiles.length > DPKG_LIST_LIMITS.files) {
    warnings.push(
      `${infoDir} holds ${listFiles.length} .list files; only the first ${DPKG_LIST_LIMITS.files} read`,
    );
    listFiles.length = DPKG_LIST_LIMITS.files;
  }

  let listsRead = 0;
  let totalBytes = 0;
  const scratch = createReadScratch();
  const readErrors: string[] = [];
  for (const file of listFiles) {
    if (pending.size === 0) break;
    if (totalBytes >= DPKG_LIST_LIMITS.totalBytes) {
      warnings.push(`stopped reading ${infoDir} after ${DPKG_LIST_LIMITS.totalBytes} bytes`);
      break;
    }
    if (listsRead > 0 && listsRead % DPKG_LIST_LIMITS.filesBetweenYields === 0) await yieldToEventLoop();
    const listName = file.slice(0, -'.list'.length);
    const owner = splitPackageArch(listName).name;
    const { error, truncated, bytesRead } = readLineChunksSync(
      join(infoDir, file),
      DPKG_LIST_LIMITS.bytesPerFile,
      scratch,
      (lines) => {
        for (const line of findListedPaths(lines, wanted)) {
          for (const { key, lookup } of wanted.get(line) ?? []) {
            // First list in sorted order wins, so the answer does not depend on readdir order when
            // two lists name one path (a Multi-Arch: same package installed for two architectures).
            if (pending.has(key) && ownerAllowed(lookup, owner)) {
              owners.set(key, listName);
              pending.delete(key);
            }
          }
        }
      },
    );
    if (error) {
      // A package removed while we scan is not an error.
      if (error.code !== 'ENOENT') readErrors.push(`${file}: ${describeError(error)}`);
      continue;
    }
    if (truncated)
      warnings.push(`${file} is larger than ${DPKG_LIST_LIMITS.bytesPerFile} bytes; read in part`);
    listsRead++;
    totalBytes += bytesRead;
  }
  if (readErrors.length > 0) {
    warnings.push(
      `cannot read ${readErrors.length} dpkg .list file(s) in ${infoDir}: ${readErrors.slice(0, 3).join(', ')}`,
    );
  }
  return { owners, warnings, listsRead };
}
