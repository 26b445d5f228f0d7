// The agent's idle cost, as it is deployed: the one-file agent (dist/afterpatch-agent.mjs, what
// packaging/install.sh and the container image install) under the agent's Node flags
// (agent/daemon/agent-node-flags.ts), enrolled with a real `afterpatch server` (its own process,
// PGlite) and left alone after its start-up scan was acknowledged. Its CPU and memory are sampled
// from /proc every second for --seconds; the server pings every 30 s, as in production. Each run
// starts a fresh server and agent; the summary gives the median over --runs.
//
//   node dist/bench/agent-idle.js [--runs 3] [--seconds 60] [--settle-seconds 10]
//   node dist/bench/agent-idle.js --node-flags=''          # the same agent with V8's JIT
//   node dist/bench/agent-idle.js --entry bin              # bin/afterpatch.js instead
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AGENT_NODE_FLAGS } from '../agent/daemon/agent-node-flags.js';
import { ProcSampler, readCpuTicks } from './lib/proc-sampler.js';
import { startServerProcess } from './lib/server-process.js';
import { summarize } from './lib/stats.js';

const HELP = `Usage: node dist/bench/agent-idle.js [options]
  --runs N              fresh server + agent per run (default 3); medians over runs
  --seconds S           sampling time per run, after settling (default 60)
  --settle-seconds S    wait after the start-up report was stored (default 10)
  --node-flags FLAGS    the agent's Node flags (default: "${AGENT_NODE_FLAGS.join(' ')}", as deployed;
                        --node-flags='' for plain node with V8's JIT)
  --entry one-file|bin  dist/afterpatch-agent.mjs (default, as installed) or bin/afterpatch.js
`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '60' },
    'settle-seconds': { type: 'string', default: '10' },
    'node-flags': { type: 'string', default: AGENT_NODE_FLAGS.join(' ') },
    entry: { type: 'string', default: 'one-file' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const SETTLE_MS = Number(values['settle-seconds']) * 1000;
const NODE_FLAGS = values['node-flags'].split(/\s+/).filter(Boolean);
if (!(RUNS >= 1 && SECONDS > 0 && SETTLE_MS >= 0) || !['one-file', 'bin'].includes(values.entry)) {
  process.stderr.write(HELP);
  process.exit(64);
}
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(repoRoot, 'bin', 'afterpatch.js');
const ENTRY = values.entry === 'bin' ? BIN : join(repoRoot, 'dist', 'afterpatch-agent.mjs');
const PASSWORD = 'agent-idle-benchmark-password';

interface RunResult {
  seconds: number;
  cpuPercent: number;
  cpuMs: number;
  rssMiBMin: number;
  rssMiBMax: number;
  /** At the end of the run: all of it, the process's own (anonymous) part, file pages (node binary). */
  rssMiBEnd: number;
  rssAnonMiBEnd: number;
  rssFileMiBEnd: number;
}

function log(message: string): void {
  process.stderr.write(`[agent-idle] ${message}\n`);
}

async function api(url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function oneRun(run: number): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'afterpatch-agent-idle-'));
  const server = await startServerProcess({
    bin: BIN,
    dataDir: join(work, 'server'),
    env: { AFTERPATCH_ADMIN_PASSWORD: PASSWORD },
    startTimeoutMs: 120_000,
  });
  let agent: ReturnType<typeof spawn> | undefined;
  try {
    const login = await api(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const auth = `Bearer ${login.token as string}`;
    const token = await api(`${server.url}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: { authorization: auth },
      body: JSON.stringify({ name: 'agent-idle', expiresInSeconds: 600, maxUses: 1 }),
    });
    const configFile = join(work, 'agent-config.json');
    writeFileSync(configFile, '{}\n');
    agent = spawn(
      process.execPath,
      [...NODE_FLAGS, ENTRY, 'agent', '--server', server.url, '--state-dir', join(work, 'agent')],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          AFTERPATCH_CONFIG: configFile,
          AFTERPATCH_ENROLL_TOKEN: token.token as string,
        },
      },
    );
    const pid = agent.pid!;
    log(`run ${run}: agent ${pid} started; waiting for its start-up report to be stored`);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const hosts = await api(`${server.url}/api/v1/hosts`, { headers: { authorization: auth } });
      const first = (hosts.items as Array<{ reportedAt?: string | null; online?: boolean }>)[0];
      if (first?.reportedAt && first.online) break;
      if (Date.now() > deadline) throw new Error('the agent did not report within 5 minutes');
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    log(`run ${run}: sampling for ${SECONDS} s`);
    const sampler = new ProcSampler(pid);
    const startTicks = readCpuTicks(pid);
    const started = performance.now();
    sampler.start(1000);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    sampler.stop();
    const ticks = readCpuTicks(pid) - startTicks;
    const elapsed = (performance.now() - started) / 1000;
    const rss = sampler.samples.map((s) => s.rssMiB);
    const last = sampler.samples.at(-1)!;
    return {
      seconds: elapsed,
      cpuPercent: (ticks / 100 / elapsed) * 100,
      cpuMs: ticks * 10,
      rssMiBMin: Math.min(...rss),
      rssMiBMax: Math.max(...rss),
      rssMiBEnd: last.rssMiB,
      rssAnonMiBEnd: last.rssAnonMiB,
      rssFileMiBEnd: last.rssFileMiB,
    };
  } finally {
    agent?.kill('SIGTERM');
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(work, { recursive: true, force: true });
  }
}

const results: RunResult[] = [];
for (let run = 1; run <= RUNS; run++) results.push(await oneRun(run));
const median = (pick: (r: RunResult) => number) => summarize(results.map(pick)).median;
process.stdout.write(
  `Agent idle (${values.entry}, node ${NODE_FLAGS.join(' ') || '(no flags)'}), ${RUNS} run(s) of ${SECONDS} s, medians:\n` +
    `  CPU ${median((r) => r.cpuPercent).toFixed(3)} % of one core (${median((r) => r.cpuMs)} ms)\n` +
    `  RSS ${median((r) => r.rssMiBMin).toFixed(1)}–${median((r) => r.rssMiBMax).toFixed(1)} MiB; at the end ` +
    `${median((r) => r.rssMiBEnd).toFixed(1)} MiB (anonymous ${median((r) => r.rssAnonMiBEnd).toFixed(1)}, ` +
    `files ${median((r) => r.rssFileMiBEnd).toFixed(1)}: mostly the node binary, shared)\n` +
    `${JSON.stringify({ entry: values.entry, nodeFlags: NODE_FLAGS, runs: results })}\n`,
);
