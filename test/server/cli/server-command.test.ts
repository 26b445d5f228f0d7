import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../../cli/main.js';
import { UsageError } from '../../../cli/usage-error.js';
import { serverCommand } from '../../../server/cli/server-command.js';
import { repoRoot } from '../../helpers/paths.js';

test('usage errors: unknown flag, missing data directory, bad port', async () => {
  await assert.rejects(serverCommand.run(['--bogus']), UsageError);
  const saved = process.env.AFTERPATCH_DATA_DIR;
  delete process.env.AFTERPATCH_DATA_DIR;
  try {
    await assert.rejects(serverCommand.run([]), {
      name: 'UsageError',
      message: /data directory is required/,
    });
    await assert.rejects(serverCommand.run(['--data-dir', '/tmp/x', '--port', 'http']), {
      message: /--port must be a number/,
    });
  } finally {
    if (saved !== undefined) process.env.AFTERPATCH_DATA_DIR = saved;
  }
});

test('`afterpatch server` is a command of the CLI', async () => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    assert.equal(await main(['server', '--help']), 0);
  } finally {
    process.stdout.write = write;
  }
  assert.match(out.join(''), /afterpatch server --data-dir DIR/);
});

test('`afterpatch server` starts on PGlite, serves /healthz and /docs, exits 0 on SIGTERM', {
  timeout: 60_000,
}, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-cli-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  // As users run it: the real bin script and the bundle (whose externals and require shim matter).
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'afterpatch.js'),
      'server',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
    ],
    {
      env: { ...process.env, DATABASE_URL: '', AFTERPATCH_JWT_SECRET: '', AFTERPATCH_ADMIN_PASSWORD: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.after(() => child.kill('SIGKILL'));
  let logs = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      logs += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(logs);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${logs}`)));
  });
  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 200);
  // Swagger UI's files and PGlite's extension are read from node_modules, not the bundle.
  assert.equal((await fetch(`${url}/docs/static/swagger-ui-bundle.js`)).status, 200);
  const password = readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim();
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer should-be-redacted' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  assert.equal(login.status, 200);
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
  assert.ok(!logs.includes(password), 'the password never reaches the log');
  assert.ok(!logs.includes('should-be-redacted'));
  assert.match(logs, /shutting down/);
});
