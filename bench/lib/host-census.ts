// What was running on the host besides the holders: the process count and the interpreters.
// The scanner reads the scripts and modules of every interpreter process it finds (python,
// node, perl, ruby), so its cost depends on them; the report records them next to the figures,
// with the load average, which shows whether something else was busy on the machine.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

export interface HostCensus {
  readonly processes: number;
  /**
   * Interpreter processes by kind (comm prefix), e.g. { node: 3, python: 1 }, not counting the
   * benchmark itself and its ancestors (npm, run-all): only other people's work.
   */
  readonly interpreters: Readonly<Record<string, number>>;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly [number, number, number];
}

const INTERPRETERS = ['node', 'python', 'perl', 'ruby', 'java'] as const;

/** `own`: PIDs not counted as interpreters (default: this process and its ancestors). */
export function takeHostCensus(procRoot = '/proc', own: ReadonlySet<number> = lineage(procRoot)): HostCensus {
  let processes = 0;
  const interpreters: Record<string, number> = {};
  for (const name of readdirSync(procRoot)) {
    const code = name.charCodeAt(0);
    if (code < 0x30 || code > 0x39) continue;
    processes++;
    if (own.has(Number(name))) continue;
    const kind = interpreterOf(readText(`${procRoot}/${name}/comm`).trim());
    if (kind) interpreters[kind] = (interpreters[kind] ?? 0) + 1;
  }
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return { processes, interpreters, loadAverage: [one, five, fifteen] };
}

/** The interpreter kind of a process name (`python3.11` is python), or undefined. */
export function interpreterOf(comm: string): string | undefined {
  return INTERPRETERS.find((kind) => comm.startsWith(kind));
}

/** This process and its ancestors up to PID 1, by the ppid in each one's stat. */
function lineage(procRoot: string): Set<number> {
  const pids = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !pids.has(pid)) {
    pids.add(pid);
    // ppid is the second field after the LAST ')': comm may contain spaces and parentheses.
    const stat = readText(`${procRoot}/${pid}/stat`);
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return pids;
}

function readText(path: string): string {
  try {
    // comm and stat are small; a vanished process reads as nothing.
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
