// Times one command over several runs after untimed warm-up runs, and pairs every run with
// what the command found (read from its output by the caller's `read`), so that a run that is
// fast because it saw nothing cannot pass for a fast run.
import { countProcesses } from './count-processes.js';
import { runTimed, type TimedRun } from './run-timed.js';
import { type Summary, summarize } from './stats.js';

/** What one run of a tool reported. null: this output does not say. */
export interface Found {
  /** How many processes the tool reported in all. */
  readonly reported: number | null;
  /** How many of the benchmark's holders it reported. */
  readonly holdersFound: number | null;
  /** Reported PIDs that are not holders. */
  readonly others: readonly number[] | null;
}

export interface RunRecord extends Found {
  readonly wallMs: number;
  readonly exitCode: number | null;
  /** Processes on the host just before the run (the tool itself not included). */
  readonly processesOnHost: number;
}

export interface CommandMeasurement {
  readonly command: readonly string[];
  readonly warmupRuns: number;
  readonly runs: readonly RunRecord[];
  readonly wallMs: Summary;
  readonly processesOnHost: { readonly min: number; readonly max: number };
}

export interface MeasureOptions {
  readonly runs: number;
  readonly warmup: number;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  /** Reads the findings from a run's output; throws when the output is not what the tool prints. */
  readonly read: (run: TimedRun) => Found;
  readonly log: (line: string) => void;
  /** Label for the progress lines, e.g. "stale/checkrestart". */
  readonly label: string;
}

export async function measureCommand(
  argv: readonly [string, ...string[]],
  options: MeasureOptions,
): Promise<CommandMeasurement> {
  const [command, ...args] = argv;
  for (let i = 0; i < options.warmup; i++) {
    const run = await runTimed(command, args, { timeoutMs: options.timeoutMs, env: options.env });
    options.read(run);
    options.log(`${options.label}: warm-up ${i + 1}/${options.warmup} ${run.wallMs.toFixed(1)} ms`);
  }
  const runs: RunRecord[] = [];
  for (let i = 0; i < options.runs; i++) {
    const processesOnHost = countProcesses();
    const run = await runTimed(command, args, { timeoutMs: options.timeoutMs, env: options.env });
    const found = options.read(run);
    runs.push({ wallMs: run.wallMs, exitCode: run.exitCode, processesOnHost, ...found });
    options.log(
      `${options.label}: run ${i + 1}/${options.runs} ${run.wallMs.toFixed(1)} ms, exit ${run.exitCode}, ` +
        `reported ${found.reported ?? '?'}, holders found ${found.holdersFound ?? '?'}`,
    );
  }
  const hosts = runs.map((r) => r.processesOnHost);
  return {
    command: argv,
    warmupRuns: options.warmup,
    runs,
    wallMs: summarize(runs.map((r) => r.wallMs)),
    processesOnHost: { min: Math.min(...hosts), max: Math.max(...hosts) },
  };
}
