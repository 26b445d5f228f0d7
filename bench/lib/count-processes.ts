// How many processes the host has right now: the numeric entries of /proc. Recorded with every
// measurement, because every tool's cost grows with it.
import { readdirSync } from 'node:fs';

export function countProcesses(procRoot = '/proc'): number {
  let count = 0;
  for (const name of readdirSync(procRoot)) {
    const code = name.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) count++;
  }
  return count;
}
