// The agent's idle cost: the real `afterpatch agent` (bin script, built bundle) enrolled with a
// real `afterpatch server` (its own process, PGlite), left alone after its start-up scan was
// acknowledged; its CPU % and RSS are sampled from /proc every second for --seconds (default 60).
// The server pings every 30 s, as in production; nothing else happens.
//
//   node dist/bench/agent-idle.js [--seconds 60] [--settle-seconds 10]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuAndMemory, ProcSampler, readCpuTicks } from './lib/proc-sampler.js';
import { startServerProcess } from './lib/server-process.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    'settle-seconds': { type: 'string', default: '10' },
    // Extra Node/V8 flags for the agent process, to compare memory settings.
    'node-options': { type: 'string', default: '' },
    // Run the one-file agent (dist/afterpatch-agent.mjs, what packages install) instead of bin/.
    'one-file': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const SETTLE_MS = Number(values['settle-seconds']) * 1000;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(repoRoot, 'bin', 'afterpatch.js');
const PASSWORD = 'agent-idle-benchmark-password';

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
  const nodeOptions = values['node-options'].split(/\s+/).filter(Boolean);
  const entry = values['one-file'] ? join(repoRoot, 'dist', 'afterpatch-agent.mjs') : BIN;
  agent = spawn(
    process.execPath,
    [...nodeOptions, entry, 'agent', '--server', server.url, '--state-dir', join(work, 'agent')],
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
  log(`agent ${pid} started; waiting for its start-up report to be stored`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    const hosts = await api(`${server.url}/api/v1/hosts`, { headers: { authorization: auth } });
    const first = (hosts.items as Array<{ reportedAt?: string | null; online?: boolean }>)[0];
    if (first?.reportedAt && first.online) break;
    if (Date.now() > deadline) throw new Error('the agent did not report within 5 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  log(`sampling for ${SECONDS} s`);
  const sampler = new ProcSampler(pid);
  const startTicks = readCpuTicks(pid);
  const started = performance.now();
  sampler.start(1000);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  sampler.stop();
  const ticks = readCpuTicks(pid) - startTicks;
  const elapsed = (performance.now() - started) / 1000;
  const { rssMiBMax } = cpuAndMemory(sampler.samples);
  const rss = sampler.samples.map((s) => s.rssMiB);
  const result = {
    seconds: elapsed,
    cpuPercent: (ticks / 100 / elapsed) * 100,
    cpuMs: ticks * 10,
    rssMiBMin: Math.min(...rss),
    rssMiBMax,
  };
  process.stdout.write(
    `Agent idle for ${elapsed.toFixed(0)} s: CPU ${result.cpuPercent.toFixed(3)} % (${result.cpuMs} ms), ` +
      `RSS ${result.rssMiBMin.toFixed(1)}–${result.rssMiBMax.toFixed(1)} MiB\n${JSON.stringify(result)}\n`,
  );
} finally {
  agent?.kill('SIGTERM');
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(work, { recursive: true, force: true });
}
