// `afterpatch up` end to end: the real server on PGlite and the real agent, as two processes;
// the local host must appear in the fleet through the REST API, and Ctrl-C must stop both.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('runs the server and a local agent whose host shows up in the fleet', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-up-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'afterpatch.js'), 'up', '--data-dir', dataDir, '--port', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH },
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  after(() => child.kill('SIGKILL'));

  const base = `http://127.0.0.1:${port}`;
  const token = await until(
    'login',
    async () => {
      const password = readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim();
      const response = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      return response.ok ? ((await response.json()) as { token: string }).token : undefined;
    },
    60_000,
  );
  const hosts = await until(
    'the local host to report',
    async () => {
      const response = await fetch(`${base}/api/v1/hosts`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as {
        items: { hostname: string; status: string; online: boolean }[];
      };
      return body.items.length > 0 && body.items[0]?.status !== 'unknown' ? body.items : undefined;
    },
    60_000,
  );
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0]?.online, true);
  assert.match(stderr, /server ready at http:\/\/127\.0\.0\.1:\d+/);

  child.kill('SIGINT');
  assert.equal(await exited, 0);
});
