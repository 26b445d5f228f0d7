// How fast the rollout executor reacts, end to end on a real server app (PGlite in a temp dir,
// real WebSockets) with N scripted agents (test/helpers/scripted-agent.ts) in overlapping groups
// (racks of 20 with maxOut 2, four services with maxOutPercent 10), each step taking a fixed
// `--step-ms`. Measured from the steps' own timestamps:
//   - reaction: for each step not in the first wave, its dispatch time minus the latest verified
//     step before it ("host verified → next step dispatched"): median, p99, max;
//   - total: rollout start to last step verified, against the planner's lower bound and its own
//     plan for the same fleet with the step duration set to `--step-ms`.
// Median of `--runs` runs (a fresh server each). `node dist/bench/rollout-latency.js
// [--hosts 60] [--step-ms 1000] [--runs 3]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../server/app.js';
import { issueToken } from '../server/auth/jwt.js';
import { hashSecret, newSecret, SECRET_PREFIX } from '../server/auth/secrets.js';
import { loadServerConfig } from '../server/config/server-config.js';
import { openDatabase } from '../server/db/open-database.js';
import { loadPlanInput } from '../server/rollouts/load-plan-input.js';
import { planRollout } from '../server/rollouts/planner/plan-rollout.js';
import type { RolloutOptions } from '../shared/api/rollout-options.js';
import { cleanHostReport, servicesReport } from '../test/agent/output/sample-reports.js';
import { ScriptedAgent } from '../test/helpers/scripted-agent.js';
import { TEST_JWT_SECRET } from '../test/helpers/server-app.js';
import { summarize } from './lib/stats.js';

const RACK_SIZE = 20;
const SERVICES = 4;

interface RunResult {
  reactionMedianMs: number;
  reactionP99Ms: number;
  reactionMaxMs: number;
  reactions: number;
  stepMedianMs: number;
  totalSec: number;
  lowerBoundSec: number;
  plannedSec: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runOnce(hostCount: number, stepMs: number): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-bench-rollout-'));
  const config = Object.freeze({
    ...loadServerConfig({ env: {}, flags: { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent' } }),
    jwtSecret: TEST_JWT_SECRET,
  });
  // Opened first: migrating a fresh PGlite can outlast Fastify's plugin start timeout.
  const database = await openDatabase({
    dataDir,
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  });
  const app = await createApp({ config, database, bootstrapAdmin: false });
  const agents: ScriptedAgent[] = [];
  try {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const prisma = app.db.prisma;
    const admin = await prisma.user.create({
      data: { username: 'bench', passwordHash: 'not-used', role: 'admin' },
      select: { id: true },
    });
    const auth = `Bearer ${issueToken(TEST_JWT_SECRET, 'user', admin.id, 3600).token}`;
    const post = async (url: string, payload?: object) => {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1${url}`,
        headers: { authorization: auth },
        ...(payload ? { payload } : {}),
      });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json() as { id: string };
    };

    for (let i = 0; i < hostCount; i++) {
      const hostname = `host-${String(i).padStart(4, '0')}`;
      const host = await prisma.host.create({
        data: {
          hostname,
          credentialHash: hashSecret(newSecret(SECRET_PREFIX.hostCredential)),
          labels: { rack: `r${Math.floor(i / RACK_SIZE)}`, svc: `s${i % SERVICES}` },
        },
        select: { id: true },
      });
      agents.push(
        new ScriptedAgent({
          baseUrl: base,
          hostId: host.id,
          hostname,
          before: servicesReport(),
          after: cleanHostReport(),
          stepMs,
        }),
      );
    }
    for (const agent of agents) {
      await agent.connect();
      agent.sendReport(servicesReport());
    }
    await until(
      async () => (await prisma.host.count({ where: { reportSeq: 1 } })) === hostCount,
      'reports stored',
      120_000,
    );
    for (let r = 0; r * RACK_SIZE < hostCount; r++) {
      await post('/groups', { name: `rack-${r}`, selector: { rack: `r${r}` }, limit: { maxOut: 2 } });
    }
    for (let s = 0; s < SERVICES; s++) {
      await post('/groups', { name: `svc-${s}`, selector: { svc: `s${s}` }, limit: { maxOutPercent: 10 } });
    }
    const options: RolloutOptions = { name: 'bench', maxParallel: hostCount };
    const { id } = await post('/rollouts', options);

    // The planner on the same fleet, told that a step takes --step-ms: the figures to beat.
    const { input } = await loadPlanInput(prisma, options, new Date());
    input.defaults = { ...input.defaults, durationSec: { restart: stepMs / 1000, reboot: stepMs / 1000 } };
    for (const host of input.hosts) delete host.durationSec;
    const ideal = planRollout(input).summary;

    await post(`/rollouts/${id}/approve`);
    await until(
      async () => (await prisma.rollout.findUnique({ where: { id } }))?.state === 'completed',
      'rollout completed',
      3_600_000,
    );
    const rollout = await prisma.rollout.findUniqueOrThrow({ where: { id } });
    const steps = await prisma.rolloutStep.findMany({ where: { rolloutId: id } });
    if (steps.some((s) => s.state !== 'succeeded')) throw new Error('a step did not succeed');
    const finishes = steps.map((s) => s.finishedAt!.getTime()).sort((a, b) => a - b);
    const reactions: number[] = [];
    for (const step of steps) {
      const at = step.dispatchedAt!.getTime();
      let latest: number | undefined;
      for (const f of finishes) if (f <= at) latest = f;
      if (latest !== undefined) reactions.push(at - latest);
    }
    reactions.sort((a, b) => a - b);
    const durations = steps.map((s) => s.finishedAt!.getTime() - s.dispatchedAt!.getTime());
    const lastFinish = finishes[finishes.length - 1]!;
    return {
      reactionMedianMs: summarize(reactions).median,
      reactionP99Ms: percentile(reactions, 0.99),
      reactionMaxMs: reactions[reactions.length - 1] ?? Number.NaN,
      reactions: reactions.length,
      stepMedianMs: summarize(durations).median,
      totalSec: (lastFinish - rollout.startedAt!.getTime()) / 1000,
      lowerBoundSec: ideal.lowerBoundSec,
      plannedSec: ideal.durationSec,
    };
  } finally {
    for (const agent of agents) await agent.close();
    await app.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '60' },
      'step-ms': { type: 'string', default: '1000' },
      runs: { type: 'string', default: '3' },
    },
  });
  const hosts = Number(values.hosts);
  const stepMs = Number(values['step-ms']);
  const runs = Number(values.runs);
  for (const [name, v] of [
    ['--hosts', hosts],
    ['--step-ms', stepMs],
    ['--runs', runs],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a whole number above 0`);
  }
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const r = await runOnce(hosts, stepMs);
    results.push(r);
    process.stderr.write(
      `run ${run}: reaction median ${r.reactionMedianMs} ms, p99 ${r.reactionP99Ms} ms, max ${r.reactionMaxMs} ms ` +
        `(${r.reactions} dispatches); step median ${r.stepMedianMs} ms; total ${r.totalSec.toFixed(1)} s ` +
        `vs lower bound ${r.lowerBoundSec.toFixed(1)} s, plan ${r.plannedSec.toFixed(1)} s\n`,
    );
  }
  const med = (pick: (r: RunResult) => number) => summarize(results.map(pick)).median;
  const total = med((r) => r.totalSec);
  const bound = med((r) => r.lowerBoundSec);
  console.log(`Rollout execution: ${hosts} hosts, racks of ${RACK_SIZE} (maxOut 2), ${SERVICES} services`);
  console.log(`(maxOutPercent 10), steps of ${stepMs} ms; median of ${runs} runs\n`);
  console.log('| Measure | Median of runs |');
  console.log('| --- | ---: |');
  console.log(`| host verified → next step dispatched, median | ${med((r) => r.reactionMedianMs)} ms |`);
  console.log(`| host verified → next step dispatched, p99 | ${med((r) => r.reactionP99Ms)} ms |`);
  console.log(`| host verified → next step dispatched, max | ${med((r) => r.reactionMaxMs)} ms |`);
  console.log(`| step, dispatch → verified (agent takes ${stepMs} ms) | ${med((r) => r.stepMedianMs)} ms |`);
  console.log(`| total, start → last verified | ${total.toFixed(1)} s |`);
  console.log(`| planner's lower bound (summary.lowerBoundSec) | ${bound.toFixed(1)} s |`);
  console.log(`| planner's plan for the same fleet | ${med((r) => r.plannedSec).toFixed(1)} s |`);
  console.log(`| total / lower bound | ${(total / bound).toFixed(2)} |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
