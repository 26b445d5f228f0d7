// CPU % and resident memory of a process, sampled from /proc/<pid>/stat (utime + stime, in clock
// ticks) and /proc/<pid>/status (VmRSS), the way `top` computes them. 100 % = one core. RSS is
// also split into its anonymous part (the process's own heap) and its file-backed part (mostly
// the node binary's pages, shared with every other Node process).
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100;

export interface ProcSample {
  atMs: number;
  cpuPercent: number;
  rssMiB: number;
  rssAnonMiB: number;
  rssFileMiB: number;
}

export function readCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: the fields after it start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function readRssMiB(pid: number): number {
  return readMemory(pid).rssMiB;
}

/** VmRSS, RssAnon and RssFile in MiB (NaN for a zombie, which has none). */
export function readMemory(pid: number): { rssMiB: number; rssAnonMiB: number; rssFileMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  };
  return { rssMiB: field('VmRSS'), rssAnonMiB: field('RssAnon'), rssFileMiB: field('RssFile') };
}

export class ProcSampler {
  readonly samples: ProcSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last: { atMs: number; ticks: number } | undefined;

  constructor(private readonly pid: number) {}

  start(intervalMs = 1000): void {
    this.last = { atMs: performance.now(), ticks: readCpuTicks(this.pid) };
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Samples taken between the two instants (performance.now() ms). */
  between(fromMs: number, toMs: number): ProcSample[] {
    return this.samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  }

  private sample(): void {
    try {
      const now = performance.now();
      const ticks = readCpuTicks(this.pid);
      const last = this.last!;
      const cpuPercent = ((ticks - last.ticks) / CLOCK_TICKS / ((now - last.atMs) / 1000)) * 100;
      const memory = readMemory(this.pid);
      // A zombie (killed, not yet reaped) has no VmRSS: nothing to record.
      if (Number.isNaN(memory.rssMiB)) {
        this.stop();
        return;
      }
      this.samples.push({ atMs: now, cpuPercent, ...memory });
      this.last = { atMs: now, ticks };
    } catch {
      // The process is gone (killed on purpose by the connect-storm phase).
      this.stop();
    }
  }
}

/** Mean CPU % and peak RSS of samples. */
export function cpuAndMemory(samples: readonly ProcSample[]): { cpuPercentMean: number; rssMiBMax: number } {
  if (samples.length === 0) return { cpuPercentMean: Number.NaN, rssMiBMax: Number.NaN };
  return {
    cpuPercentMean: samples.reduce((sum, s) => sum + s.cpuPercent, 0) / samples.length,
    rssMiBMax: Math.max(...samples.map((s) => s.rssMiB)),
  };
}
