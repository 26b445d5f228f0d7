// Runs a Node script and reports its peak resident set size. GNU time (`/usr/bin/time -f %M`,
// the kernel's ru_maxrss) is preferred; without it, a preloaded hook reads VmHWM from
// /proc/self/status as the process exits. Both are in KiB and measure the same thing.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunTimedOptions, runTimed, type TimedRun } from './run-timed.js';

export const GNU_TIME = '/usr/bin/time';

export type PeakRssMethod = 'gnu-time' | 'vmhwm-hook';

export interface PeakRssRun {
  readonly peakKib: number;
  readonly method: PeakRssMethod;
  /** The run itself; its wall time includes GNU time's own fork, so it is not a timing sample. */
  readonly run: TimedRun;
}

let sequence = 0;

export function peakRssMethod(): PeakRssMethod {
  return existsSync(GNU_TIME) ? 'gnu-time' : 'vmhwm-hook';
}

/** `node <args>` with its peak RSS; rejects when no figure could be read. */
export async function runNodeWithPeakRss(
  args: readonly string[],
  options: RunTimedOptions,
): Promise<PeakRssRun> {
  const method = peakRssMethod();
  const file = join(tmpdir(), `afterpatch-bench-rss-${process.pid}-${sequence++}`);
  try {
    let run: TimedRun;
    if (method === 'gnu-time') {
      run = await runTimed(GNU_TIME, ['-f', '%M', '-o', file, process.execPath, ...args], options);
    } else {
      const hook = fileURLToPath(new URL('./peak-rss-hook.js', import.meta.url));
      run = await runTimed(process.execPath, ['--import', hook, ...args], {
        ...options,
        env: { ...(options.env ?? process.env), AFTERPATCH_BENCH_HWM_FILE: file },
      });
    }
    return { peakKib: readPeak(file), method, run };
  } finally {
    rmSync(file, { force: true });
  }
}

/** The last number in the file: GNU time writes "Command exited with non-zero status N" first. */
function readPeak(file: string): number {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const numbers = text.match(/^\d+$/gm);
  const last = numbers?.[numbers.length - 1];
  if (last === undefined) throw new Error(`no peak RSS figure in ${file}: '${text.trim()}'`);
  return Number(last);
}
