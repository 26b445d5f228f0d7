// Preloaded with `node --import` into the measured process when GNU time is not installed: at
// exit it writes the process's peak resident set (VmHWM, KiB) to the file named by
// AFTERPATCH_BENCH_HWM_FILE. Only the benchmark sets that variable.
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.AFTERPATCH_BENCH_HWM_FILE;
if (target) {
  process.once('exit', () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    writeFileSync(target, /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? '');
  });
}
