// `afterpatch up`: the whole thing on one machine, for a first look or a single host — the server
// on its embedded database and a local agent enrolled with it. Two child processes, exactly what
// an operator would run by hand (`afterpatch server`, `afterpatch agent`), so nothing here is a
// special mode: the agent enrols through the REST API like any other host.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AGENT_NODE_FLAGS } from '../agent/daemon/agent-node-flags.js';
import type { Command } from './main.js';
import { parseOptions } from './parse-options.js';
import { UsageError } from './usage-error.js';

export const UP_HELP = `Usage: afterpatch up [--data-dir DIR] [--port PORT] [--host ADDR] [--no-agent]

Runs the server on its embedded database (PGlite in DIR) and a local agent that enrols with it
and reports this host. Stop with Ctrl-C.

  --data-dir DIR   where the database, the first admin's password and the agent's state live
                   (default ./afterpatch-data)
  --port PORT      server port (default 8080)
  --host ADDR      listen address (default 127.0.0.1: only this machine)
  --no-agent       run the server alone
`;

const OPTIONS = {
  'data-dir': { type: 'string', default: 'afterpatch-data' },
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
  'no-agent': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HEALTH_TIMEOUT_MS = 120_000;
const ENROLLMENT_TOKEN_TTL_SECONDS = 600;

export const upCommand: Command = {
  async run(args) {
    const values = parseOptions(args, OPTIONS);
    if (values.help) {
      process.stdout.write(UP_HELP);
      return 0;
    }
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`--port must be 1-65535, not '${values.port}'`);
    const dataDir = resolve(values['data-dir']);
    const baseUrl = `http://${values.host.includes(':') ? `[${values.host}]` : values.host}:${port}`;

    const children = new Set<ChildProcess>();
    const stopAll = (signal: NodeJS.Signals) => {
      for (const child of children) child.kill(signal);
    };
    process.once('SIGINT', () => stopAll('SIGTERM'));
    process.once('SIGTERM', () => stopAll('SIGTERM'));

    const server = start(
      ['server', '--data-dir', dataDir, '--port', String(port), '--host', values.host],
      {},
      children,
    );
    const serverExit = exitOf(server);
    const ready = await Promise.race([waitHealthy(baseUrl), serverExit.then(() => false)]);
    if (!ready) {
      stopAll('SIGTERM');
      process.stderr.write(`afterpatch up: the server did not become healthy at ${baseUrl}/healthz\n`);
      return 1;
    }
    process.stderr.write(
      `afterpatch up: server ready at ${baseUrl} (web UI: ${baseUrl}/, API docs: ${baseUrl}/docs; log in as admin with the password in ${join(dataDir, 'initial-admin-password')})\n`,
    );

    if (!values['no-agent']) {
      const stateDir = join(dataDir, 'agent');
      const env: NodeJS.ProcessEnv = {};
      if (!existsSync(join(stateDir, 'credentials.json'))) {
        try {
          env.AFTERPATCH_ENROLL_TOKEN = await createEnrollmentToken(baseUrl, dataDir);
        } catch (err) {
          process.stderr.write(`afterpatch up: cannot enrol the local agent: ${(err as Error).message}\n`);
        }
      }
      if (env.AFTERPATCH_ENROLL_TOKEN || existsSync(join(stateDir, 'credentials.json'))) {
        // The token travels in the environment, not argv: argv is visible to every user in ps.
        start(['agent', '--server', baseUrl, '--state-dir', stateDir], env, children, AGENT_NODE_FLAGS);
      }
    }
    return serverExit;
  },
};

function start(
  args: string[],
  env: NodeJS.ProcessEnv,
  children: Set<ChildProcess>,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  // argv[1] is the afterpatch script that runs us (bin/afterpatch.js, or its npx link).
  const child = spawn(process.execPath, [...nodeFlags, process.argv[1] ?? 'afterpatch', ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 0 : 1))));
}

async function waitHealthy(baseUrl: string): Promise<boolean> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolveTimer) => setTimeout(resolveTimer, 250));
  }
  return false;
}

/** Logs in as the first admin (password from the environment or the file the server wrote). */
async function createEnrollmentToken(baseUrl: string, dataDir: string): Promise<string> {
  const passwordFile = join(dataDir, 'initial-admin-password');
  const password =
    process.env.AFTERPATCH_ADMIN_PASSWORD ??
    (existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : undefined);
  if (!password) {
    throw new Error(`no admin password: set AFTERPATCH_ADMIN_PASSWORD (${passwordFile} is gone)`);
  }
  const login = await postJson(`${baseUrl}/api/v1/auth/login`, { username: 'admin', password });
  const created = await postJson(
    `${baseUrl}/api/v1/enrollment-tokens`,
    { name: 'local agent (afterpatch up)', expiresInSeconds: ENROLLMENT_TOKEN_TTL_SECONDS, maxUses: 1 },
    login.token as string,
  );
  return created.token as string;
}

async function postJson(url: string, body: unknown, bearer?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const error = json.error as { message?: string } | undefined;
    throw new Error(`${new URL(url).pathname}: HTTP ${response.status} ${error?.message ?? ''}`.trim());
  }
  return json;
}
