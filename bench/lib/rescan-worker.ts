// The long-running-process case: one Node process (like the agent) that calls scanHost() again
// and again, carrying one ScanMemory (parsed script imports, package owners) from one scan to
// the next as the agent does.
// Started by scan-stale-host as `node rescan-worker.js --scans N --file PATH`; the first scan
// warms the caches and the JIT and is reported apart, then N scans are timed. Prints one JSON
// document (RescanOutput) on stdout.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createScanMemory, scanHost } from '../../agent/scan/scan-host.js';
import { findingsOf } from './afterpatch-findings.js';

export interface RescanSample {
  readonly ms: number;
  readonly processesSeen: number;
  /** Processes the scan flagged for the file given with --file. */
  readonly pidsWithFile: number;
  readonly stale: number;
}

export interface RescanOutput {
  readonly warmup: RescanSample;
  readonly samples: readonly RescanSample[];
  /** PIDs flagged for --file by the last scan (to compare with the holders). */
  readonly lastPidsWithFile: readonly number[];
  /** Every PID the last scan listed. */
  readonly lastPids: readonly number[];
  /** The worker's memory after all scans, KiB: a leak between scans would show here. */
  readonly memory: { readonly rssKib: number; readonly hwmKib: number; readonly heapUsedKib: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scans: { type: 'string', default: '20' }, file: { type: 'string', default: '' } },
  });
  const scans = Number(values.scans);
  if (!Number.isInteger(scans) || scans < 1) throw new Error(`--scans must be a positive integer`);
  const file = values.file ?? '';

  let last = await timedScan(file);
  const warmup = last.sample;
  const samples: RescanSample[] = [];
  for (let i = 0; i < scans; i++) {
    last = await timedScan(file);
    samples.push(last.sample);
  }
  const status = readFileSync('/proc/self/status', 'utf8');
  const output: RescanOutput = {
    warmup,
    samples,
    lastPidsWithFile: last.pidsWithFile,
    lastPids: last.pids,
    memory: {
      rssKib: statusKib(status, 'VmRSS'),
      hwmKib: statusKib(status, 'VmHWM'),
      heapUsedKib: Math.round(process.memoryUsage().heapUsed / 1024),
    },
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

// Kept for the life of the process, like the agent's: unchanged scripts and package databases
// are not read again.
const memory = createScanMemory();

async function timedScan(file: string) {
  const started = performance.now();
  const report = await scanHost({ memory });
  const ms = performance.now() - started;
  const found = findingsOf(report, file);
  return {
    sample: {
      ms,
      processesSeen: found.processesSeen,
      pidsWithFile: found.pidsWithFile.length,
      stale: found.pids.length,
    },
    pidsWithFile: found.pidsWithFile,
    pids: found.pids,
  };
}

function statusKib(status: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN);
}

main().catch((err: unknown) => {
  process.stderr.write(`rescan-worker: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
