// /proc/PID/stat and /proc/stat. `comm` (field 2) may contain spaces and parentheses, so the
// numeric fields are read after the LAST ')' — a process named "a) b" must not shift them.

/** PF_KTHREAD in the per-process flags (field 9): a kernel thread, which has no code to restart. */
export const PF_KTHREAD = 0x00200000;

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, T, … */
  state: string;
  ppid: number;
  flags: number;
  /** Start time in clock ticks after boot (field 22). */
  startTicks: number;
}

export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields from 3 (state) onwards; index 0 here is field 3.
  const rest = text.slice(close + 2).split(' ');
  if (rest.length < 20) return undefined;
  const stat: ProcStat = {
    pid,
    comm,
    state: rest[0] ?? '',
    ppid: Number(rest[1]),
    flags: Number(rest[6]),
    startTicks: Number(rest[19]),
  };
  if (!Number.isInteger(stat.pid) || !Number.isFinite(stat.startTicks)) return undefined;
  return stat;
}

export function isKernelThread(stat: ProcStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** `btime` from /proc/stat: boot time in whole seconds since the epoch. */
export function parseBootTimeSeconds(procStatText: string): number | undefined {
  const match = /^btime (\d+)$/m.exec(procStatText);
  return match ? Number(match[1]) : undefined;
}

/** Process start as epoch milliseconds; precise to about a second because btime is whole seconds. */
export function processStartMs(
  bootTimeSeconds: number,
  startTicks: number,
  clockTicksPerSecond = 100,
): number {
  return bootTimeSeconds * 1000 + (startTicks * 1000) / clockTicksPerSecond;
}
