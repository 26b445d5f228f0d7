// The fleet simulator: the real `afterpatch server` in its own process (the built bundle, on
// PostgreSQL or PGlite) and, in this process, N simulated agents speaking the real protocol over
// N real WebSockets (lib/sim-agent.ts). Per run:
//   1. enrol N hosts through the enrolment API (one admin-made token, concurrency-limited);
//   2. connect: every agent gets a token, connects, says hello and sends its startup report;
//      latency = connect start → first ack;
//   3. steady state: agents scan at --rate reports/s fleet-wide (most `unchanged`, 10 % with new
//      findings), ack latency measured, while a worker thread asks the overview API;
//   4. connect storm: SIGKILL the server, agents keep producing into their outboxes for
//      --down-seconds, restart it; all agents come back with the real full-jitter backoff;
//      time until all are connected and all outboxes empty;
//   5. verification: the server is stopped and the database read directly: every host's
//      report_seq must equal the last seq its agent produced (zero lost).
// Server CPU % and RSS are sampled from /proc every second; the simulator's own cost too.
//
//   node dist/bench/fleet-sim.js --agents 10000 --db postgres --runs 3
//   node dist/bench/fleet-sim.js --db pglite --agents 1000
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { enrollAgent } from '../agent/daemon/server-api.js';
import { openDatabase } from '../server/db/open-database.js';
import type { ApiLatencies, ApiWorkerData } from './lib/api-latency-worker.js';
import { mapLimit } from './lib/map-limit.js';
import { type Percentiles, percentiles } from './lib/percentiles.js';
import { cpuAndMemory, ProcSampler } from './lib/proc-sampler.js';
import { type ServerProcess, startServerProcess } from './lib/server-process.js';
import { SimAgent } from './lib/sim-agent.js';
import { profileFor, validateTemplates } from './lib/sim-reports.js';

const HELP = `Usage: node dist/bench/fleet-sim.js [options]
  --agents N            simulated agents (default 200)
  --db pglite|postgres  the server's database (default pglite); postgres: a fresh database per run
                        on --postgres-url's server
  --runs N              runs (default 1); medians over runs in the summary
  --steady-seconds S    steady-state phase (default 60)
  --rate R              reports per second fleet-wide in steady state (default agents/60:
                        every agent scans once a minute)
  --down-seconds S      how long the server stays killed in the storm phase (default 10)
  --no-storm            skip the connect-storm phase
  --pool-size N         the server's PostgreSQL pool (AFTERPATCH_DB_POOL_SIZE; default: server's)
  --cpu-prof DIR        run the server with --cpu-prof into DIR
  --keep-database       postgres: keep the last run's database (its URL is printed) to study
                        the queries on a real 10,000-host fleet; drop it yourself afterwards
  --postgres-url URL    maintenance database (default postgres://postgres@127.0.0.1:5432/postgres)
  --json FILE           write every figure as JSON (default bench/results/fleet-sim-<date>.json)
`;

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    db: { type: 'string', default: 'pglite' },
    runs: { type: 'string', default: '1' },
    'steady-seconds': { type: 'string', default: '60' },
    rate: { type: 'string' },
    'down-seconds': { type: 'string', default: '10' },
    'no-storm': { type: 'boolean', default: false },
    'pool-size': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'keep-database': { type: 'boolean', default: false },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const AGENTS = Number(values.agents);
const DB = values.db as 'pglite' | 'postgres';
const RUNS = Number(values.runs);
const STEADY_MS = Number(values['steady-seconds']) * 1000;
const RATE = values.rate ? Number(values.rate) : AGENTS / 60;
const DOWN_MS = Number(values['down-seconds']) * 1000;
if (!Number.isInteger(AGENTS) || AGENTS < 1 || !['pglite', 'postgres'].includes(DB) || !(RATE > 0)) {
  process.stderr.write(HELP);
  process.exit(64);
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(repoRoot, 'bin', 'afterpatch.js');
const ADMIN_PASSWORD = `fleet-sim-${randomBytes(12).toString('hex')}`;
const JWT_SECRET = randomBytes(32).toString('hex');
const PHASE_TIMEOUT_MS = 15 * 60_000;

function log(message: string): void {
  process.stderr.write(`[fleet-sim ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function until(check: () => boolean, what: string, timeoutMs = PHASE_TIMEOUT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function postJson(
  url: string,
  body: unknown,
  authorization?: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function fdLimitCheck(): void {
  // Each agent is one socket here and one in the server; both need a high RLIMIT_NOFILE.
  const limit = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
  if (limit > 0 && limit < AGENTS + 1000) {
    throw new Error(
      `RLIMIT_NOFILE is ${limit}: too low for ${AGENTS} agents. Run under \`prlimit --nofile=65536:65536 --\` ` +
        `or \`ulimit -n 65536\` first (the server inherits it).`,
    );
  }
}

interface RunResult {
  enrolSeconds: number;
  connect: { firstAckMs: Percentiles; allConnectedSeconds: number };
  steady: { ackMs: Percentiles; reportsPerSecond: number; api: Record<string, Percentiles> };
  server: {
    steadyCpuPercent: number;
    steadyRssMiB: number;
    connectCpuPercent: number;
    peakRssMiB: number;
  };
  simulator: { cpuPercent: number; rssMiB: number; eventLoopDelayP99Ms: number };
  storm?: {
    producedWhileDown: number;
    restartSeconds: number;
    allReconnectedSeconds: number;
    allDeliveredSeconds: number;
    retransmitAckMs: Percentiles;
  };
  verification: { hosts: number; lost: number; producedReports: number };
}

async function oneRun(run: number): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-fleetsim-'));
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: values['postgres-url'] });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  if (DB === 'postgres') {
    dbName = `afterpatch_fleetsim_${randomBytes(5).toString('hex')}`;
    await admin(`CREATE DATABASE ${dbName}`);
    const url = new URL(values['postgres-url']!);
    url.pathname = `/${dbName}`;
    databaseUrl = url.href;
  }
  const nodeArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const startServer = (port = 0) =>
    startServerProcess({
      bin: BIN,
      dataDir,
      port,
      ...(databaseUrl ? { databaseUrl } : {}),
      nodeArgs,
      env: {
        AFTERPATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
        AFTERPATCH_JWT_SECRET: JWT_SECRET,
        ...(values['pool-size'] ? { AFTERPATCH_DB_POOL_SIZE: values['pool-size'] } : {}),
      },
      startTimeoutMs: 120_000,
    });
  let server: ServerProcess = await startServer();
  let baseUrl = server.url;
  let sampler = new ProcSampler(server.pid);
  sampler.start();
  const allSamplers = [sampler];
  const agents: SimAgent[] = [];
  try {
    const login = await postJson(`${baseUrl}/api/v1/auth/login`, {
      username: 'admin',
      password: ADMIN_PASSWORD,
    });
    const auth = `Bearer ${login.token as string}`;
    const enrolment = await postJson(
      `${baseUrl}/api/v1/enrollment-tokens`,
      { name: `fleet-sim-${run}`, expiresInSeconds: 3600, maxUses: AGENTS, labels: { fleet: 'sim' } },
      auth,
    );
    log(`run ${run}: enrolling ${AGENTS} hosts`);
    const enrolStart = performance.now();
    const credentials = await mapLimit(
      Array.from({ length: AGENTS }, (_, i) => i),
      16,
      (i) =>
        enrollAgent({
          serverUrl: baseUrl,
          enrollmentToken: enrolment.token as string,
          hostname: `sim-${String(i).padStart(5, '0')}`,
          machineId: `fleet-sim-${run}-${i}`,
          timeoutMs: 60_000,
        }),
    );
    const enrolSeconds = (performance.now() - enrolStart) / 1000;

    // Phase: connect.
    const firstAck = new Map<SimAgent, number>();
    const connectStarted = new Map<SimAgent, number>();
    let phase: 'connect' | 'steady' | 'storm' | 'idle' = 'connect';
    const steadyAcks: number[] = [];
    const stormAcks: number[] = [];
    let openCount = 0;
    const hooks = {
      onAck(agent: SimAgent, _seq: number, latencyMs: number) {
        if (phase === 'connect' && !firstAck.has(agent)) {
          firstAck.set(agent, performance.now() - connectStarted.get(agent)!);
        } else if (phase === 'steady') steadyAcks.push(latencyMs);
        else if (phase === 'storm') stormAcks.push(latencyMs);
      },
      onOpen() {
        openCount++;
      },
      onClose() {
        openCount--;
      },
    };
    credentials.forEach((c, i) => {
      agents.push(
        new SimAgent(
          i,
          c.hostId,
          `sim-${String(i).padStart(5, '0')}`,
          c.credential,
          profileFor(i),
          () => baseUrl,
          hooks,
        ),
      );
    });
    for (const agent of agents) agent.produce('startup');
    log(`run ${run}: enrolled in ${enrolSeconds.toFixed(1)} s; connecting`);
    const connectStart = performance.now();
    // At most 200 handshakes in flight: the first start of a fleet is not a storm (that is phase 4).
    await mapLimit(agents, 200, async (agent) => {
      connectStarted.set(agent, performance.now());
      await agent.connect();
      await until(() => firstAck.has(agent), `agent ${agent.index}'s first ack`);
    });
    const allConnectedSeconds = (performance.now() - connectStart) / 1000;
    const connectEnd = performance.now();
    log(`run ${run}: all ${AGENTS} connected and acknowledged in ${allConnectedSeconds.toFixed(1)} s`);

    // Phase: steady state.
    await new Promise((r) => setTimeout(r, 2000));
    phase = 'steady';
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const simCpuStart = process.cpuUsage();
    const steadyStart = performance.now();
    const worker = new Worker(new URL('./lib/api-latency-worker.js', import.meta.url), {
      workerData: {
        baseUrl,
        authorization: auth,
        durationMs: STEADY_MS,
        pauseMs: 50,
      } satisfies ApiWorkerData,
    });
    const apiResult = new Promise<ApiLatencies>((resolve, reject) => {
      worker.once('message', (m: { ok: boolean; latencies?: ApiLatencies; error?: string }) =>
        m.ok ? resolve(m.latencies!) : reject(new Error(m.error)),
      );
      worker.once('error', reject);
    });
    let produced = 0;
    const producer = (until: number) =>
      new Promise<void>((resolve) => {
        const tickMs = 20;
        let owed = 0;
        let last = performance.now();
        const timer = setInterval(() => {
          // From the time elapsed, not the tick count: a busy event loop must not lower the rate.
          const now = performance.now();
          owed += (RATE * (now - last)) / 1000;
          last = now;
          for (; owed >= 1; owed--) {
            const agent = agents[Math.floor(Math.random() * agents.length)]!;
            agent.produce('interval', Math.random() < 0.1);
            produced++;
          }
          if (performance.now() >= until) {
            clearInterval(timer);
            resolve();
          }
        }, tickMs);
      });
    await producer(steadyStart + STEADY_MS);
    const api = await apiResult;
    await worker.terminate();
    await until(() => agents.every((a) => a.pending === 0), 'steady-state acks');
    const steadyEnd = performance.now();
    const simCpu = process.cpuUsage(simCpuStart);
    loopDelay.disable();
    const steadyProcs = cpuAndMemory(sampler.between(steadyStart, steadyEnd));
    const connectProcs = cpuAndMemory(sampler.between(connectStart, connectEnd));
    const steadyReportsPerSecond = produced / ((steadyEnd - steadyStart) / 1000);
    log(`run ${run}: steady state done (${produced} reports)`);

    // Phase: connect storm.
    let storm: RunResult['storm'];
    if (!values['no-storm']) {
      phase = 'storm';
      server.child.kill('SIGKILL');
      await server.exited;
      sampler.stop();
      log(`run ${run}: server killed; agents keep scanning for ${DOWN_MS / 1000} s`);
      const producedBefore = produced;
      await producer(performance.now() + DOWN_MS);
      const producedWhileDown = produced - producedBefore;
      const restartAt = performance.now();
      // The same port: the agents come back to the URL they know.
      server = await startServer(Number(new URL(baseUrl).port));
      baseUrl = server.url;
      const listeningAt = performance.now();
      sampler = new ProcSampler(server.pid);
      sampler.start();
      allSamplers.push(sampler);
      await until(() => openCount === AGENTS, 'every agent reconnected');
      const allReconnectedSeconds = (performance.now() - listeningAt) / 1000;
      await until(() => agents.every((a) => a.pending === 0), 'every outbox delivered');
      const allDeliveredSeconds = (performance.now() - listeningAt) / 1000;
      storm = {
        producedWhileDown,
        restartSeconds: (listeningAt - restartAt) / 1000,
        allReconnectedSeconds,
        allDeliveredSeconds,
        retransmitAckMs: percentiles(stormAcks),
      };
      log(`run ${run}: storm absorbed: all reconnected ${allReconnectedSeconds.toFixed(1)} s after restart`);
    }
    phase = 'idle';

    // Verification, on the database itself after a graceful stop.
    for (const agent of agents) agent.stop();
    server.child.kill('SIGTERM');
    await server.exited;
    sampler.stop();
    const db = await openDatabase({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
    let lost = 0;
    try {
      const rows = await db.prisma.$queryRaw<Array<{ id: string; report_seq: bigint }>>`
        SELECT id::text AS id, report_seq FROM hosts`;
      const stored = new Map(rows.map((r) => [r.id, Number(r.report_seq)]));
      for (const agent of agents) if (stored.get(agent.hostId) !== agent.producedSeq) lost++;
    } finally {
      await db.close();
    }
    const peak = Math.max(...allSamplers.flatMap((s) => s.samples.map((x) => x.rssMiB)));
    return {
      enrolSeconds,
      connect: { firstAckMs: percentiles([...firstAck.values()]), allConnectedSeconds },
      steady: {
        ackMs: percentiles(steadyAcks),
        reportsPerSecond: steadyReportsPerSecond,
        api: Object.fromEntries(Object.entries(api).map(([k, v]) => [k, percentiles(v)])),
      },
      server: {
        steadyCpuPercent: steadyProcs.cpuPercentMean,
        steadyRssMiB: steadyProcs.rssMiBMax,
        connectCpuPercent: connectProcs.cpuPercentMean,
        peakRssMiB: peak,
      },
      simulator: {
        cpuPercent: ((simCpu.user + simCpu.system) / 1000 / (steadyEnd - steadyStart)) * 100,
        rssMiB: process.memoryUsage().rss / 1024 / 1024,
        eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      },
      ...(storm ? { storm } : {}),
      verification: {
        hosts: agents.length,
        lost,
        producedReports: agents.reduce((sum, a) => sum + a.producedSeq, 0),
      },
    };
  } finally {
    for (const agent of agents) agent.stop();
    for (const s of allSamplers) s.stop();
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    if (dbName && values['keep-database'] && run === RUNS) log(`database kept: ${databaseUrl}`);
    else if (dbName) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function summaryText(results: RunResult[]): string {
  const m = (f: (r: RunResult) => number) => fmt(median(results.map(f)));
  const lines = [
    `Fleet simulator: ${AGENTS} agents, ${DB}, ${results.length} run(s), medians over runs`,
    `  enrolment of ${AGENTS} hosts:            ${m((r) => r.enrolSeconds)} s`,
    `  connect + first ack: p50 ${m((r) => r.connect.firstAckMs.p50)} ms, p99 ${m((r) => r.connect.firstAckMs.p99)} ms; all in ${m((r) => r.connect.allConnectedSeconds)} s`,
    `  steady state (${m((r) => r.steady.reportsPerSecond)} reports/s): ack p50 ${m((r) => r.steady.ackMs.p50)} ms, p99 ${m((r) => r.steady.ackMs.p99)} ms`,
  ];
  for (const name of Object.keys(results[0]!.steady.api)) {
    lines.push(
      `  API ${name}: p50 ${m((r) => r.steady.api[name]!.p50)} ms, p99 ${m((r) => r.steady.api[name]!.p99)} ms`,
    );
  }
  lines.push(
    `  server: steady CPU ${m((r) => r.server.steadyCpuPercent)} % (of one core), RSS ${m((r) => r.server.steadyRssMiB)} MiB; connect-phase CPU ${m((r) => r.server.connectCpuPercent)} %; peak RSS ${m((r) => r.server.peakRssMiB)} MiB`,
    `  simulator: CPU ${m((r) => r.simulator.cpuPercent)} %, RSS ${m((r) => r.simulator.rssMiB)} MiB, event-loop delay p99 ${m((r) => r.simulator.eventLoopDelayP99Ms)} ms`,
  );
  if (results[0]!.storm) {
    lines.push(
      `  storm: ${m((r) => r.storm!.producedWhileDown)} reports made while down; restart ${m((r) => r.storm!.restartSeconds)} s; all reconnected ${m((r) => r.storm!.allReconnectedSeconds)} s and all delivered ${m((r) => r.storm!.allDeliveredSeconds)} s after listening`,
    );
  }
  lines.push(
    `  verification: ${results.map((r) => `${r.verification.lost} lost of ${r.verification.producedReports}`).join('; ')}`,
  );
  return `${lines.join('\n')}\n`;
}

fdLimitCheck();
validateTemplates();
const results: RunResult[] = [];
for (let run = 1; run <= RUNS; run++) results.push(await oneRun(run));
process.stdout.write(summaryText(results));
const jsonPath =
  values.json ??
  join(
    repoRoot,
    'bench',
    'results',
    `fleet-sim-${DB}-${AGENTS}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
mkdirSync(join(jsonPath, '..'), { recursive: true });
writeFileSync(
  jsonPath,
  `${JSON.stringify({ agents: AGENTS, db: DB, rate: RATE, steadySeconds: STEADY_MS / 1000, downSeconds: DOWN_MS / 1000, runs: results }, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify({ agents: AGENTS, db: DB, runs: results })}\n`);
log(`figures written to ${jsonPath}`);
if (results.some((r) => r.verification.lost > 0)) process.exitCode = 1;
