// Benchmark: a host with ~500 processes running a replaced library, scanned by afterpatch and by
// its peers (checkrestart from debian-goodies, needrestart). Measures, for the stale and the
// clean case, the wall time of each whole command, afterpatch's peak RSS and the cost of a
// rescan inside a long-running Node process; every timing is paired with what the tool found.
// Run as root after `npm run build`: node dist/bench/scan-stale-host.js [--runs N] … (--help).
//
// The holders' library lives in a temp dir under /var/lib, not /tmp: needrestart and
// checkrestart ignore everything under /tmp, so there they would be fast because they are blind.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AGENT_NODE_FLAGS } from '../agent/daemon/agent-node-flags.js';
import { buildNative } from '../test/helpers/native.js';
import { repoRoot } from '../test/helpers/paths.js';
import { type AfterpatchFindings, parseAfterpatchReport } from './lib/afterpatch-findings.js';
import { readCodeVersion } from './lib/code-version.js';
import { compareFindings } from './lib/compare-findings.js';
import { countProcesses } from './lib/count-processes.js';
import { formatStaleHostResults } from './lib/format-stale-host-results.js';
import { type HolderFleet, replaceLibraryByRename, startHolderFleet } from './lib/holder-fleet.js';
import { type HostCensus, takeHostCensus } from './lib/host-census.js';
import { readHostInfo } from './lib/host-info.js';
import { type Found, measureCommand, type RunRecord } from './lib/measure-command.js';
import { parseCheckrestart } from './lib/parse-checkrestart.js';
import { parseNeedrestart } from './lib/parse-needrestart.js';
import { runNodeWithPeakRss } from './lib/peak-rss.js';
import type { RescanOutput } from './lib/rescan-worker.js';
import { runTimed, stopRunningCommands, type TimedRun } from './lib/run-timed.js';
import type {
  CaseName,
  PeakRssResult,
  RescanResult,
  Skippable,
  StaleHostOptions,
  StaleHostResults,
  Tool,
  ToolResult,
  Verdict,
} from './lib/stale-host-results.js';
import { summarize } from './lib/stats.js';

const HELP = `Usage: node dist/bench/scan-stale-host.js [options]   (as root)

Starts N holder processes mapping one libstale.so, measures afterpatch, checkrestart and
needrestart on the clean host, replaces the library by rename, measures again on the stale host.

  --holders N            holder processes (default 500)
  --runs N               timed runs per command and case (default 5)
  --needrestart-runs N   timed needrestart runs per case (default 3; ~40 s each when stale)
  --warmup N             untimed runs before the timed ones (default 1)
  --rescans N            timed scanHost() calls after the first, in one process (default 20)
  --holder-parent P      init (default): holders detached with setsid -f, children of PID 1
                         like services; bench: children of this process (needrestart then
                         checks their parent once instead of each holder)
  --parent DIR           where the temp dir for the library goes (default /var/lib; not /tmp)
  --skip LIST            comma-separated: checkrestart, needrestart, diagnostics (the
                         afterpatch --no-scripts runs that show where its time goes)
  --results-dir DIR      where the JSON goes (default bench/results)
`;

/** Minimal, fixed environment for every measured command: nothing inherited from the shell. */
const TOOL_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LC_ALL: 'C',
};
const SKIPPABLE: readonly Skippable[] = ['checkrestart', 'needrestart', 'diagnostics'];
const CHECKRESTART = '/usr/sbin/checkrestart';
const NEEDRESTART = '/usr/sbin/needrestart';
const AFTERPATCH_CLI = join(repoRoot, 'bin', 'afterpatch.js');
const RESCAN_WORKER = fileURLToPath(new URL('./lib/rescan-worker.js', import.meta.url));
const SCAN_TIMEOUT_MS = 5 * 60_000;
const NEEDRESTART_TIMEOUT_MS = 15 * 60_000;

function parseOptions(argv: string[]): StaleHostOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      holders: { type: 'string', default: '500' },
      runs: { type: 'string', default: '5' },
      'needrestart-runs': { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      rescans: { type: 'string', default: '20' },
      'holder-parent': { type: 'string', default: 'init' },
      parent: { type: 'string', default: '/var/lib' },
      skip: { type: 'string', default: '' },
      'results-dir': { type: 'string', default: join(repoRoot, 'bench', 'results') },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const count = (name: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer >= ${min}, not '${text}'`);
    return n;
  };
  const skip = (values.skip ?? '').split(',').filter((s) => s !== '');
  for (const tool of skip) {
    if (!SKIPPABLE.includes(tool as Skippable)) throw new Error(`--skip: unknown '${tool}'`);
  }
  const holderParent = values['holder-parent'];
  if (holderParent !== 'init' && holderParent !== 'bench') {
    throw new Error(`--holder-parent must be init or bench, not '${holderParent}'`);
  }
  const parent = values.parent ?? '/var/lib';
  if (/^\/(var\/)?tmp(\/|$)/.test(parent)) {
    throw new Error('--parent must not be under /tmp or /var/tmp: the peers ignore those paths');
  }
  return {
    holders: count('holders', values.holders, 1),
    runs: count('runs', values.runs, 1),
    needrestartRuns: count('needrestart-runs', values['needrestart-runs'], 1),
    warmup: count('warmup', values.warmup, 0),
    rescans: count('rescans', values.rescans, 1),
    holderParent,
    parent,
    skip: skip as Skippable[],
    resultsDir: values['results-dir'] ?? join(repoRoot, 'bench', 'results'),
  };
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

interface Context {
  readonly options: StaleHostOptions;
  readonly holders: ReadonlySet<number>;
  readonly library: string;
}

/** Every holder in the stale case, none in the clean one. */
function verdictOf(
  ctx: Context,
  caseName: CaseName,
  found: readonly (number | null)[],
  others: readonly number[],
  note?: string,
): Verdict {
  const expectedHolders = caseName === 'stale' ? ctx.holders.size : 0;
  const known = found.filter((n): n is number => n !== null);
  const holdersFound = known.length > 0 ? Math.min(...known) : null;
  const largestHoldersFound = known.length > 0 ? Math.max(...known) : null;
  const ok = known.length === found.length && known.every((n) => n === expectedHolders);
  return { expectedHolders, holdersFound, largestHoldersFound, others, ok, ...(note ? { note } : {}) };
}

function lastOthers(runs: readonly RunRecord[]): readonly number[] {
  return [...runs].reverse().find((r) => r.others !== null)?.others ?? [];
}

/** The report of one `afterpatch scan --json` run; throws with its stderr when there is none. */
function readAfterpatch(run: TimedRun, library: string): AfterpatchFindings {
  try {
    return parseAfterpatchReport(run.stdout, library);
  } catch (err) {
    throw new Error(
      `afterpatch (exit ${run.exitCode}) printed no report: ${(err as Error).message}; ${run.stderr}`,
    );
  }
}

/** Extra CLI flags of a diagnostic afterpatch run: without script parsing, to show its share. */
const DIAGNOSTIC_ARGS = ['--no-scripts'] as const;

async function measureAfterpatch(
  ctx: Context,
  caseName: CaseName,
  extraArgs: readonly string[] = [],
): Promise<ToolResult> {
  const read = (run: TimedRun): Found => {
    const findings = readAfterpatch(run, ctx.library);
    const flagged = compareFindings(findings.pidsWithFile, ctx.holders);
    const all = compareFindings(findings.pids, ctx.holders);
    return { reported: findings.pids.length, holdersFound: flagged.holdersFound, others: all.others };
  };
  const variant = extraArgs.length > 0 ? extraArgs.join(' ') : undefined;
  const measurement = await measureCommand(
    [process.execPath, AFTERPATCH_CLI, 'scan', '--json', ...extraArgs],
    {
      runs: ctx.options.runs,
      warmup: ctx.options.warmup,
      timeoutMs: SCAN_TIMEOUT_MS,
      env: TOOL_ENV,
      read,
      log,
      label: `${caseName}/afterpatch${variant ? ` ${variant}` : ''}`,
    },
  );
  const verdict = verdictOf(
    ctx,
    caseName,
    measurement.runs.map((r) => r.holdersFound),
    lastOthers(measurement.runs),
    `flagged for ${basename(ctx.library)}`,
  );
  return {
    tool: 'afterpatch',
    ...(variant ? { variant } : {}),
    case: caseName,
    status: 'measured',
    measurement,
    verdict,
  };
}

async function measureCheckrestart(ctx: Context, caseName: CaseName): Promise<ToolResult> {
  // Plain output has only the count; one -v run lists the PIDs to compare with the holders.
  const check = await runTimed(CHECKRESTART, ['-v'], { timeoutMs: SCAN_TIMEOUT_MS, env: TOOL_ENV });
  const listed = parseCheckrestart(check.stdout);
  if (listed.processCount === undefined) {
    throw new Error(
      `checkrestart -v (exit ${check.exitCode}) printed no count: ${check.stderr.slice(0, 500)}`,
    );
  }
  const compared = compareFindings(listed.pids, ctx.holders);
  const pidCheck = {
    command: [CHECKRESTART, '-v'],
    wallMs: check.wallMs,
    reported: listed.processCount,
    holdersFound: compared.holdersFound,
    others: compared.others,
  };
  log(`${caseName}/checkrestart -v: ${listed.processCount} processes, holders ${compared.holdersFound}`);
  const measurement = await measureCommand([CHECKRESTART], {
    runs: ctx.options.runs,
    warmup: ctx.options.warmup,
    timeoutMs: SCAN_TIMEOUT_MS,
    env: TOOL_ENV,
    read: (run) => {
      const { processCount } = parseCheckrestart(run.stdout);
      if (processCount === undefined) {
        throw new Error(`checkrestart (exit ${run.exitCode}) printed no count: ${run.stderr.slice(0, 500)}`);
      }
      return { reported: processCount, holdersFound: null, others: null };
    },
    log,
    label: `${caseName}/checkrestart`,
  });
  // A timed run is checked by its count: it must match the -v run, which named every PID.
  const countsMatch = measurement.runs.every((r) => r.reported === listed.processCount);
  const base = verdictOf(ctx, caseName, [compared.holdersFound], compared.others);
  const verdict: Verdict = {
    ...base,
    ok: base.ok && countsMatch,
    note: countsMatch
      ? 'PIDs from the -v run; same count in every run'
      : `timed runs printed counts ${measurement.runs.map((r) => r.reported).join(', ')}, -v run ${listed.processCount}`,
  };
  return { tool: 'checkrestart', case: caseName, status: 'measured', measurement, pidCheck, verdict };
}

async function measureNeedrestart(ctx: Context, caseName: CaseName): Promise<ToolResult> {
  // -v because batch output names only services and sessions: the holders belong to neither,
  // and only the "[main] #PID uses deleted …" diagnostics say that needrestart found them.
  const measurement = await measureCommand([NEEDRESTART, '-v', '-b', '-r', 'l'], {
    runs: ctx.options.needrestartRuns,
    // The stale runs come right after the clean ones, which already warmed Perl's caches.
    warmup: caseName === 'clean' ? ctx.options.warmup : 0,
    timeoutMs: NEEDRESTART_TIMEOUT_MS,
    env: TOOL_ENV,
    read: (run) => {
      if (!run.stdout.includes('NEEDRESTART-VER:')) {
        throw new Error(
          `needrestart (exit ${run.exitCode}) printed no batch output: ${run.stderr.slice(0, 500)}`,
        );
      }
      const { pids } = parseNeedrestart(run.stdout, run.stderr);
      const compared = compareFindings(pids, ctx.holders);
      return { reported: pids.length, holdersFound: compared.holdersFound, others: compared.others };
    },
    log,
    label: `${caseName}/needrestart`,
  });
  const verdict = verdictOf(
    ctx,
    caseName,
    measurement.runs.map((r) => r.holdersFound),
    lastOthers(measurement.runs),
  );
  return { tool: 'needrestart', case: caseName, status: 'measured', measurement, verdict };
}

/** A measurement that failed is recorded and the benchmark goes on with the others. */
async function attempt<T>(
  label: string,
  failures: string[],
  measure: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await measure();
  } catch (err) {
    const message = `${label}: ${(err as Error).message}`.slice(0, 2000);
    log(`FAILED ${message}`);
    failures.push(message);
    return undefined;
  }
}

async function measureTool(
  ctx: Context,
  tool: Tool,
  caseName: CaseName,
  failures: string[],
  measure: () => Promise<ToolResult>,
): Promise<ToolResult> {
  if (ctx.options.skip.includes(tool as Skippable))
    return { tool, case: caseName, status: 'skipped', reason: '--skip' };
  const path = tool === 'checkrestart' ? CHECKRESTART : tool === 'needrestart' ? NEEDRESTART : AFTERPATCH_CLI;
  if (!existsSync(path)) return { tool, case: caseName, status: 'skipped', reason: `${path} not installed` };
  const result = await attempt(`${caseName}/${tool}`, failures, measure);
  return result ?? { tool, case: caseName, status: 'failed', reason: failures[failures.length - 1] ?? '' };
}

async function measurePeakRss(
  ctx: Context,
  caseName: CaseName,
  extraArgs: readonly string[] = [],
): Promise<PeakRssResult> {
  const args = [AFTERPATCH_CLI, 'scan', '--json', ...extraArgs];
  const variant = extraArgs.length > 0 ? extraArgs.join(' ') : undefined;
  const samples: number[] = [];
  const hosts: number[] = [];
  let method: PeakRssResult['method'] = 'gnu-time';
  for (let i = 0; i < ctx.options.runs; i++) {
    hosts.push(countProcesses());
    const result = await runNodeWithPeakRss(args, { timeoutMs: SCAN_TIMEOUT_MS, env: TOOL_ENV });
    readAfterpatch(result.run, ctx.library);
    samples.push(result.peakKib);
    method = result.method;
    log(
      `${caseName}/afterpatch${variant ? ` ${variant}` : ''} peak RSS ${i + 1}/${ctx.options.runs}: ${result.peakKib} KiB`,
    );
  }
  return {
    case: caseName,
    ...(variant ? { variant } : {}),
    command: [
      method === 'gnu-time' ? '/usr/bin/time -f %M' : 'node --import peak-rss-hook.js',
      'node',
      ...args,
    ],
    method,
    samplesKib: samples,
    kib: summarize(samples),
    processesOnHost: { min: Math.min(...hosts), max: Math.max(...hosts) },
  };
}

/**
 * scanHost() repeated in one process: under the agent's own Node flags (no JIT, as the agent is
 * deployed) and, for comparison, with V8's JIT.
 */
async function measureRescan(
  ctx: Context,
  caseName: CaseName,
  variant: 'agent flags' | 'with JIT',
): Promise<RescanResult> {
  const nodeFlags = variant === 'agent flags' ? AGENT_NODE_FLAGS : [];
  const args = [...nodeFlags, RESCAN_WORKER, '--scans', String(ctx.options.rescans), '--file', ctx.library];
  const run = await runTimed(process.execPath, args, { timeoutMs: SCAN_TIMEOUT_MS, env: TOOL_ENV });
  if (run.exitCode !== 0) throw new Error(`rescan worker failed (exit ${run.exitCode}): ${run.stderr}`);
  const output = JSON.parse(run.stdout) as RescanOutput;
  const seen = output.samples.map((s) => s.processesSeen);
  const lastAll = compareFindings(output.lastPids, ctx.holders);
  const lastFlagged = compareFindings(output.lastPidsWithFile, ctx.holders);
  // Every scan's count of processes flagged for the library (only holders map it), and the last
  // scan checked PID by PID.
  const perScan = output.samples.map((s) => s.pidsWithFile);
  const verdict = verdictOf(ctx, caseName, [...perScan, lastFlagged.holdersFound], lastAll.others);
  const ms = summarize(output.samples.map((s) => s.ms));
  log(
    `${caseName}/rescan (${variant}): median ${ms.median.toFixed(1)} ms over ${ms.n} scans, first ${output.warmup.ms.toFixed(1)} ms`,
  );
  return {
    case: caseName,
    variant,
    command: ['node', ...args],
    warmup: output.warmup,
    samples: output.samples,
    ms,
    processesOnHost: { min: Math.min(...seen), max: Math.max(...seen) },
    verdict,
    memory: output.memory,
  };
}

interface Collected {
  tools: ToolResult[];
  peakRss: PeakRssResult[];
  rescans: RescanResult[];
  census: { when: string; census: HostCensus }[];
  failures: string[];
}

async function measureCase(ctx: Context, caseName: CaseName, into: Collected): Promise<void> {
  const { failures } = into;
  recordCensus(into, `before ${caseName}`);
  into.tools.push(
    await measureTool(ctx, 'afterpatch', caseName, failures, () => measureAfterpatch(ctx, caseName)),
  );
  const rss = await attempt(`${caseName}/peak RSS`, failures, () => measurePeakRss(ctx, caseName));
  if (rss) into.peakRss.push(rss);
  for (const variant of ['agent flags', 'with JIT'] as const) {
    const rescan = await attempt(`${caseName}/rescan (${variant})`, failures, () =>
      measureRescan(ctx, caseName, variant),
    );
    if (rescan) into.rescans.push(rescan);
  }
  if (!ctx.options.skip.includes('diagnostics')) {
    // Where afterpatch's time and memory go: the same scan without reading interpreters' scripts.
    into.tools.push(
      await measureTool(ctx, 'afterpatch', caseName, failures, () =>
        measureAfterpatch(ctx, caseName, DIAGNOSTIC_ARGS),
      ),
    );
    const diag = await attempt(`${caseName}/peak RSS ${DIAGNOSTIC_ARGS.join(' ')}`, failures, () =>
      measurePeakRss(ctx, caseName, DIAGNOSTIC_ARGS),
    );
    if (diag) into.peakRss.push(diag);
  }
  into.tools.push(
    await measureTool(ctx, 'checkrestart', caseName, failures, () => measureCheckrestart(ctx, caseName)),
  );
  into.tools.push(
    await measureTool(ctx, 'needrestart', caseName, failures, () => measureNeedrestart(ctx, caseName)),
  );
}

function recordCensus(into: Collected, when: string): void {
  const census = takeHostCensus();
  into.census.push({ when, census });
  log(
    `${when}: ${census.processes} processes, interpreters ${JSON.stringify(census.interpreters)}, ` +
      `load ${census.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
  );
}

function assertHoldersAlive(holders: ReadonlySet<number>): void {
  const dead = [...holders].filter((pid) => !existsSync(`/proc/${pid}`));
  if (dead.length > 0) throw new Error(`${dead.length} holders died during the benchmark (e.g. ${dead[0]})`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(HELP);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('scan-stale-host: run as root (the scanners must read every process)\n');
    return 1;
  }
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('scan-stale-host: dist/ is missing; run `npm run build` first\n');
    return 1;
  }
  const startedAt = new Date();
  const host = await readHostInfo();
  const code = await readCodeVersion(repoRoot);

  let fleet: HolderFleet | undefined;
  const dir = realpathSync(mkdtempSync(join(options.parent, 'afterpatch-bench-')));
  let cleaning: Promise<void> | undefined;
  // One cleanup however many times it is asked for (a second Ctrl-C waits for the first).
  const cleanup = () =>
    (cleaning ??= (async () => {
      stopRunningCommands();
      await fleet?.stopAll();
      rmSync(dir, { recursive: true, force: true });
    })());
  // Ctrl-C or a kill: stop the measured command and every holder, remove the library dir.
  // (test/helpers/native.ts also SIGKILLs the holders on 'exit', which a signal skips.)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

  try {
    log(`building the holder and libstale.so in ${dir}`);
    const build = await buildNative(dir);
    log(
      `starting ${options.holders} holders, parent ${options.holderParent} (${countProcesses()} processes on the host before)`,
    );
    fleet = await startHolderFleet(build, options.holders, { parent: options.holderParent });
    const ctx: Context = { options, holders: fleet.pids, library: build.libStaleV1 };
    log(`${countProcesses()} processes on the host`);
    const into: Collected = { tools: [], peakRss: [], rescans: [], census: [], failures: [] };

    await measureCase(ctx, 'clean', into);
    assertHoldersAlive(fleet.pids);
    log(`replacing ${build.libStaleV1} by rename: every holder now maps a deleted inode`);
    replaceLibraryByRename(build);
    await measureCase(ctx, 'stale', into);
    recordCensus(into, 'after stale');
    assertHoldersAlive(fleet.pids);

    const order = (t: { case: CaseName }) => (t.case === 'stale' ? 0 : 1);
    const results: StaleHostResults = {
      benchmark: 'scan-stale-host',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      host,
      code,
      options,
      library: ctx.library,
      holderPids: fleet.pids.size,
      tools: [...into.tools].sort((a, b) => order(a) - order(b)),
      peakRss: [...into.peakRss].sort((a, b) => order(a) - order(b)),
      rescans: [...into.rescans].sort((a, b) => order(a) - order(b)),
      census: into.census,
      failures: into.failures,
    };
    await cleanup();

    mkdirSync(options.resultsDir, { recursive: true });
    const file = join(
      options.resultsDir,
      `scan-stale-host-${startedAt.toISOString().replaceAll(':', '-')}.json`,
    );
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(formatStaleHostResults(results));
    log(`results written to ${file}`);
    // A measurement that failed, or our own scanner not finding what was planted, is a failure
    // of the run, not just a slow figure. A peer that missed holders is a finding, not a failure.
    const blind = results.tools.some((t) => t.tool === 'afterpatch' && t.verdict?.ok === false);
    return results.failures.length > 0 || blind || results.rescans.some((r) => !r.verdict.ok) ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`scan-stale-host: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
