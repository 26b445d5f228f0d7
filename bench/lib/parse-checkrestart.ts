// Reads what checkrestart (debian-goodies) says it found, so that the benchmark can tell a fast
// run from a blind one. Plain output only gives a count ("Found N processes using old versions
// of upgraded files", or "PROCESSES: N" with -m); -v adds one "[DEBUG] Process PROG (PID: N)"
// line per process (with -m -v: "file<TAB>PID<TAB>PROG<TAB>PATH" per deleted file), which is
// how the benchmark learns WHICH processes it found.

export interface CheckrestartFindings {
  /** The count checkrestart printed, or undefined when the output has none (it failed). */
  readonly processCount: number | undefined;
  /** The PIDs listed by -v (or -m -v), sorted and unique; empty without -v. */
  readonly pids: readonly number[];
}

const COUNT_LINE = /^(?:Found (\d+) processes using old versions of upgraded files|PROCESSES: (\d+))$/m;
const PID_LINE = /^(?:\[DEBUG\] Process .* \(PID: (\d+)\)\s*|file\t(\d+)\t.*)$/gm;

export function parseCheckrestart(stdout: string): CheckrestartFindings {
  const count = COUNT_LINE.exec(stdout);
  const processCount = count ? Number(count[1] ?? count[2]) : undefined;
  const pids = new Set<number>();
  for (const match of stdout.matchAll(PID_LINE)) pids.add(Number(match[1] ?? match[2]));
  return { processCount, pids: [...pids].sort((a, b) => a - b) };
}
