// `npm run bench`: every benchmark in sequence, each with its defaults, each in its own Node
// process (so one benchmark's holders and heap cannot disturb the next). Exits non-zero when
// any benchmark did.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Compiled benchmark scripts, next to this file in dist/bench/. */
const BENCHMARKS = ['scan-stale-host.js', 'procfs-floor.js', 'plan-fleet.js', 'rollout-latency.js'] as const;

let current: ChildProcess | undefined;

function run(script: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], {
      stdio: 'inherit',
    });
    current = child;
    child.once('error', (err) => {
      process.stderr.write(`run-all: ${script}: ${err.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

// Ctrl-C reaches the benchmark too (same process group): it cleans up its holders and exits,
// and this process waits for that instead of dying first. A kill aimed at this process alone
// is passed on, so that the benchmark still gets to clean up.
const ignore = () => {};
const forward = (signal: NodeJS.Signals) => current?.kill(signal);
process.on('SIGINT', ignore);
process.on('SIGTERM', forward);
process.on('SIGHUP', forward);

let failed = 0;
for (const script of BENCHMARKS) {
  process.stderr.write(`run-all: ${script}\n`);
  const code = await run(script);
  if (code !== 0) {
    failed++;
    process.stderr.write(`run-all: ${script} exited with ${code}\n`);
  }
}
process.off('SIGINT', ignore);
process.off('SIGTERM', forward);
process.off('SIGHUP', forward);
process.exitCode = failed > 0 ? 1 : 0;
