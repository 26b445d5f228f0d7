// `afterpatch hosts list|show` and `afterpatch audit tail` as operators run them: the real
// command (bundle) against a real server app listening on a port, with a real API token.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import type { Database } from '../../server/db/open-database.js';
import { getBackend } from '../helpers/databases.js';
import { AFTERPATCH_BIN, cleanEnv, runAfterpatch } from '../helpers/run-cli.js';
import { buildApp, createHost, createUser } from '../helpers/server-app.js';

/** Resolves once `predicate(output so far)` holds; rejects after timeoutMs. */
function waitForOutput(
  read: () => string,
  predicate: (text: string) => boolean,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (predicate(read())) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out; output so far:\n${read()}`));
      else setTimeout(check, 50);
    };
    check();
  });
}

/** A port nothing listens on: bound, then released. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Fleet {
  url: string;
  db: Database;
  adminToken: string;
  viewerToken: string;
}

async function startServer(t: TestContext): Promise<Fleet> {
  const { app, db } = await buildApp(t, getBackend('pglite'));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const apiToken = async (auth: string): Promise<string> => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: { authorization: auth },
      payload: { name: 'cli-test' },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().token as string;
  };
  const admin = await createUser(db, 'admin');
  const viewer = await createUser(db, 'viewer');
  return { url, db, adminToken: await apiToken(admin.auth), viewerToken: await apiToken(viewer.auth) };
}

async function markStale(db: Database, id: string): Promise<void> {
  await db.prisma.host.update({
    where: { id },
    data: {
      status: 'reboot',
      rebootRequired: true,
      staleProcesses: 3,
      servicesToRestart: 2,
      kernelRelease: '6.1.0-9',
    },
  });
}

describe('operator CLI against a real server', { timeout: 120_000 }, () => {
  it('hosts list: a readable table, filters, --json; hosts show by hostname and id', async (t) => {
    const fleet = await startServer(t);
    const web = await createHost(fleet.db, { hostname: `web-${Date.now()}`, labels: { env: 'prod' } });
    const db = await createHost(fleet.db, { hostname: `db-${Date.now()}` });
    await markStale(fleet.db, db.id);
    const env = cleanEnv({ AFTERPATCH_SERVER: fleet.url, AFTERPATCH_TOKEN: fleet.viewerToken });

    const table = await runAfterpatch(['hosts', 'list'], env);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(
      lines[0]!,
      /^HOSTNAME\s+STATUS\s+ONLINE\s+STALE\s+SERVICES\s+CONTAINERS\s+REBOOT\s+LAST SEEN/,
    );
    const dbLine = lines.find((l) => l.startsWith(db.hostname));
    assert.ok(dbLine, table.stdout);
    assert.match(dbLine, /\breboot\s+no\s+3\s+2\s+0\s+yes\s+-\s+6\.1\.0-9\s/);

    const filtered = await runAfterpatch(['hosts', 'list', '--status', 'reboot', '--json'], env);
    assert.equal(filtered.code, 0, filtered.stderr);
    const items = JSON.parse(filtered.stdout) as Array<{ id: string; status: string }>;
    assert.ok(items.some((h) => h.id === db.id));
    assert.ok(items.every((h) => h.status === 'reboot'));

    const searched = await runAfterpatch(['hosts', 'list', '--search', web.hostname, '--json'], env);
    assert.deepEqual(
      (JSON.parse(searched.stdout) as Array<{ id: string }>).map((h) => h.id),
      [web.id],
    );

    const shown = await runAfterpatch(['hosts', 'show', web.hostname.toUpperCase()], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^${web.hostname}\\n  id\\s+${web.id}`));
    assert.match(shown.stdout, /labels\s+env=prod/);
    assert.match(shown.stdout, /No scan report has been received/);

    const byId = await runAfterpatch(['hosts', 'show', db.id, '--json'], env);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(JSON.parse(byId.stdout).hostname, db.hostname);
  });

  it('clear errors: unknown host (1), bad token (77), unreachable server (69), missing server (64)', async (t) => {
    const fleet = await startServer(t);
    const env = cleanEnv({ AFTERPATCH_SERVER: fleet.url, AFTERPATCH_TOKEN: fleet.viewerToken });

    const missing = await runAfterpatch(['hosts', 'show', 'no-such-host-anywhere'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no host named 'no-such-host-anywhere'/);

    const unknownId = await runAfterpatch(['hosts', 'show', '00000000-0000-4000-8000-000000000000'], env);
    assert.equal(unknownId.code, 1);
    assert.match(unknownId.stderr, /no such host \(AP_NOT_FOUND\)/);

    const badToken = await runAfterpatch(['hosts', 'list', '--token', 'apt_wrong'], env);
    assert.equal(badToken.code, 77);
    assert.match(badToken.stderr, /refused the credentials \(AP_UNAUTHENTICATED\)/);

    const forbidden = await runAfterpatch(['audit', 'tail'], env);
    assert.equal(forbidden.code, 77, 'the audit log is for admins');
    assert.match(forbidden.stderr, /AP_FORBIDDEN/);

    const closedPort = await freePort();
    const down = await runAfterpatch(['hosts', 'list', '--server', `http://127.0.0.1:${closedPort}`], env);
    assert.equal(down.code, 69);
    assert.match(down.stderr, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${closedPort}: ECONNREFUSED`));

    const noServer = await runAfterpatch(['hosts', 'list'], cleanEnv());
    assert.equal(noServer.code, 64);
    assert.match(noServer.stderr, /no server: pass --server URL/);
  });

  it('audit tail prints the newest events oldest first; --follow prints new ones as they come', async (t) => {
    const fleet = await startServer(t);
    const env = cleanEnv({ AFTERPATCH_SERVER: fleet.url, AFTERPATCH_TOKEN: fleet.adminToken });

    const tail = await runAfterpatch(['audit', 'tail', '-n', '5'], env);
    assert.equal(tail.code, 0, tail.stderr);
    assert.match(tail.stdout, /^AT\s+ACTOR\s+ACTION\s+TARGET/);
    assert.match(tail.stdout, /api-token\.create/);

    const json = await runAfterpatch(['audit', 'tail', '-n', '3', '--json', '--action', 'api-token.'], env);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; action: string });
    assert.ok(events.length >= 2);
    assert.ok(events.every((e) => e.action === 'api-token.create'));
    const ids = events.map((e) => BigInt(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => (a < b ? -1 : 1)),
      'oldest first',
    );
  });

  it('audit tail --follow prints events recorded after it started, and exits 0 on SIGINT', async (t) => {
    const fleet = await startServer(t);
    const env = cleanEnv({ AFTERPATCH_SERVER: fleet.url, AFTERPATCH_TOKEN: fleet.adminToken });
    const child = spawn(
      process.execPath,
      [AFTERPATCH_BIN, 'audit', 'tail', '-n', '1', '--follow', '--interval-seconds', '1', '--json'],
      { env },
    );
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The newest event before the start is printed first: from then on the command polls.
    await waitForOutput(
      () => out,
      (text) => text.includes('api-token.create'),
      30_000,
    );
    const host = await createHost(fleet.db, { hostname: 'follow-me' });
    // An event recorded while the command polls: it must show up exactly once.
    await fleet.db.prisma.auditEvent.create({
      data: {
        actorType: 'system',
        action: 'test.follow',
        targetType: 'host',
        targetId: host.id,
        details: {},
      },
    });
    await waitForOutput(
      () => out,
      (text) => text.includes('test.follow'),
      30_000,
    );
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    const lines = out.trim().split('\n');
    assert.equal(lines.filter((l) => l.includes('test.follow')).length, 1);
    assert.equal(lines.length, 2, out);
  });
});
