// How long the KERNEL takes to hand out the procfs files a scan reads, for every process on a
// host of ~600 processes (500 holders plus the machine's own): the floor under any scanner's
// time, whatever its language. Each pass reads one kind of file for every process with plain
// open/read/close into one buffer; the median of 7 passes is printed as a Markdown table.
// Run as root: `node dist/bench/procfs-floor.js [--holders N]`.
import { closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, readSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildNative } from '../test/helpers/native.js';
import { startHolderFleet } from './lib/holder-fleet.js';
import { summarize } from './lib/stats.js';

const PASSES = 7;
const buffer = Buffer.allocUnsafe(1 << 20);

function readWhole(path: string): number {
  const fd = openSync(path, 'r');
  try {
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0 || total + n === buffer.length) return total + n;
      total += n;
    }
  } finally {
    closeSync(fd);
  }
}

const READS: ReadonlyArray<[string, (pid: string) => unknown]> = [
  ['maps', (pid) => readWhole(`/proc/${pid}/maps`)],
  ['stat', (pid) => readWhole(`/proc/${pid}/stat`)],
  ['status', (pid) => readWhole(`/proc/${pid}/status`)],
  ['cgroup', (pid) => readWhole(`/proc/${pid}/cgroup`)],
  ['cmdline', (pid) => readWhole(`/proc/${pid}/cmdline`)],
  ['readlink exe', (pid) => readlinkSync(`/proc/${pid}/exe`)],
  ['readlink ns/mnt', (pid) => readlinkSync(`/proc/${pid}/ns/mnt`)],
  ['readlink root', (pid) => readlinkSync(`/proc/${pid}/root`)],
  ['readlink ns/pid', (pid) => readlinkSync(`/proc/${pid}/ns/pid`)],
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { holders: { type: 'string', default: '500' } } });
  const holders = Number(values.holders);
  if (!Number.isInteger(holders) || holders < 0) throw new Error('--holders takes a whole number');
  const dir = mkdtempSync('/var/lib/afterpatch-floor-');
  const fleet = await startHolderFleet(await buildNative(dir), holders, { parent: 'bench' });
  try {
    const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    const rows: string[] = [];
    for (const [name, read] of READS) {
      const samples: number[] = [];
      for (let pass = 0; pass < PASSES; pass++) {
        const started = performance.now();
        for (const pid of pids) {
          try {
            read(pid);
          } catch {
            // a process that exited meanwhile
          }
        }
        samples.push(performance.now() - started);
      }
      const s = summarize(samples);
      rows.push(`| ${name} | ${s.median.toFixed(1)} ms | ${s.min.toFixed(1)} ms | ${s.max.toFixed(1)} ms |`);
    }
    process.stdout.write(
      [
        `## procfs-floor: ${pids.length} processes, median of ${PASSES} passes`,
        '',
        '| Read, for every process | Median | Min | Max |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await fleet.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
