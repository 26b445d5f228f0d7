// Reads which processes needrestart found. In batch mode (-b) its stdout lists only services,
// containers and login sessions: a process outside any of them (the benchmark's holders, on a
// host without systemd) is found but never printed. Its -v diagnostics on stderr name every
// process it judged stale, one "[main] #PID uses …" line per file, which is what is counted.

export interface NeedrestartFindings {
  /** PIDs named by a "uses deleted/obsolete/non-existing" line, sorted and unique. */
  readonly pids: readonly number[];
  /** NEEDRESTART-SVC lines of the batch output: the services it would restart. */
  readonly services: readonly string[];
}

// The four messages needrestart 3.x prints for a process it decided to restart (see its
// source: "uses obsolete binary", "uses deleted", "uses non-existing", "uses obsolete").
const STALE_LINE = /^\[main\] #(\d+) uses (?:obsolete binary|deleted|non-existing|obsolete) /gm;
const SERVICE_LINE = /^NEEDRESTART-SVC: (.+)$/gm;

export function parseNeedrestart(stdout: string, stderr: string): NeedrestartFindings {
  const pids = new Set<number>();
  for (const match of stderr.matchAll(STALE_LINE)) pids.add(Number(match[1]));
  const services = [...stdout.matchAll(SERVICE_LINE)].map((m) => m[1]!.trim());
  return { pids: [...pids].sort((a, b) => a - b), services };
}
