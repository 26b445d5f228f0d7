// The real server (the built bundle, `afterpatch server`) as its own process, so that a test can
// SIGKILL it and start it again on the same data directory and port, plus a small REST client.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerProcessOptions {
  dataDir: string;
  port: number;
  /** The `--config` file's contents (server config keys, docs/api.md). */
  config: Record<string, unknown>;
  adminPassword: string;
  /** PostgreSQL instead of PGlite. */
  databaseUrl?: string;
}

export interface ServerProcess {
  readonly baseUrl: string;
  readonly pid: number;
  /** Everything the server logged (all its runs append to one file). */
  log(): string;
  /** SIGKILL: no shutdown hook, no goodbye to the agents, whatever was in flight stays there. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (for cleanup); SIGKILL after 20 s. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the server and waits until it answers /healthz (or its log names the reason it did not). */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const configFile = join(options.dataDir, 'server-config.json');
  writeFileSync(configFile, JSON.stringify(options.config, null, 2));
  const logFile = join(options.dataDir, 'server.log');
  const logFd = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AFTERPATCH_ADMIN_PASSWORD: options.adminPassword,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  };
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'afterpatch.js'),
      'server',
      '--data-dir',
      options.dataDir,
      '--port',
      String(options.port),
      '--host',
      '127.0.0.1',
      '--config',
      configFile,
      '--log-level',
      'debug',
    ],
    { stdio: ['ignore', logFd, logFd], env },
  );
  closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const log = () => readFileSync(logFile, 'utf8');
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the server exited at start (${child.exitCode ?? child.signalCode}):\n${log().slice(-4000)}`,
      );
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline)
      throw new Error(`the server did not answer within 90 s:\n${log().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    pid: child.pid!,
    log,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: () => {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(forced);
      })();
      return stopped;
    },
  };
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

/** A bearer-token REST client for /api/v1 that throws on any non-2xx answer (with its body). */
export class RestClient {
  constructor(
    public baseUrl: string,
    private token = '',
  ) {}

  static async login(baseUrl: string, username: string, password: string): Promise<RestClient> {
    const client = new RestClient(baseUrl);
    const { token } = await client.call<{ token: string }>('POST', '/api/v1/auth/login', {
      username,
      password,
    });
    client.token = token;
    return client;
  }

  get bearer(): string {
    return this.token;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok)
      throw new ApiError(`${method} ${path}: ${response.status} ${text}`, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
