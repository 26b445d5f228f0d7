// Benchmark: planning a rollout for 20,000 hosts in 2,000 overlapping groups (racks, pools with
// percentages, windows and dependencies, small quorum groups with maxOut 1), each host in 2-4
// groups. Measures planRollout (median of N runs after a warm-up), then checks the plan once
// with verifyPlan and reports what the plan looks like, so a fast but wrong plan shows.
// Run after `npm run build`: node dist/bench/plan-fleet.js [--runs N] [--hosts N].
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { planRollout } from '../server/rollouts/planner/plan-rollout.js';
import { verifyPlan } from '../server/rollouts/planner/verify-plan.js';
import { summarize } from './lib/stats.js';
import { DEFAULT_FLEET, syntheticFleet } from './lib/synthetic-fleet.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, hosts: { type: 'string' } },
  strict: true,
});
const runs = Number(values.runs);
const size = values.hosts ? { ...DEFAULT_FLEET, hosts: Number(values.hosts) } : DEFAULT_FLEET;

const t0 = performance.now();
const input = syntheticFleet(size);
const buildMs = performance.now() - t0;
const memberships = input.groups.reduce((n, g) => n + (g.hosts?.length ?? 0), 0);

planRollout(input); // warm-up: JIT and the time-zone caches
const samples: number[] = [];
let plan = planRollout(input);
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  plan = planRollout(input);
  samples.push(performance.now() - start);
}
const stats = summarize(samples);
const v0 = performance.now();
const violations = verifyPlan(input, plan);
const verifyMs = performance.now() - v0;
const blocked = plan.unscheduled.filter((u) => u.reason === 'blocked').length;
const waited = plan.steps.filter((s) => s.waits.length > 0).length;

const lines = [
  '## Planner: plan-fleet',
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
  `Fleet: ${input.hosts.length} hosts, ${input.groups.length} groups, ${memberships} memberships ` +
    `(${(memberships / input.hosts.length).toFixed(2)} groups per host); built in ${buildMs.toFixed(0)} ms`,
  '',
  '| Measure | Value |',
  '| --- | --- |',
  `| planRollout, median of ${stats.n} | **${stats.median.toFixed(0)} ms** (min ${stats.min.toFixed(0)}, max ${stats.max.toFixed(0)}) |`,
  `| verifyPlan, once | ${verifyMs.toFixed(0)} ms, ${violations.length} violations |`,
  `| Steps planned | ${plan.summary.steps} (${plan.summary.reboots} reboots, ${plan.summary.restarts} restarts), ${waited} waited |`,
  `| Not planned | ${plan.unscheduled.length} (${blocked} blocked) |`,
  `| Plan length | ${(plan.summary.durationSec / 3600).toFixed(1)} h (lower bound ${(plan.summary.lowerBoundSec / 3600).toFixed(1)} h) |`,
  '',
];
process.stdout.write(lines.join('\n'));
if (violations.length > 0) {
  process.stderr.write(`plan-fleet: the plan has violations, first: ${JSON.stringify(violations[0])}\n`);
  process.exitCode = 1;
}
