import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildExecutorConfig } from '../../../agent/executor/executor-config.js';
import { runHealthChecks } from '../../../agent/executor/health-checks.js';
import { runCommand } from '../../../agent/executor/run-command.js';

/** A local HTTP server whose answers the test scripts: a list of statuses, the last one repeats. */
async function statusServer(t: { after: (fn: () => unknown) => void }, statuses: number[]) {
  let calls = 0;
  const server = createServer((_req, res) => {
    const status = statuses[Math.min(calls, statuses.length - 1)]!;
    calls++;
    res.writeHead(status);
    res.end('body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`, calls: () => calls };
}

const config = buildExecutorConfig({ healthCheckIntervalSeconds: 0.1 });
const far = () => Date.now() + 60_000;

test('http: waits until the check passes, then holds it green', async (t) => {
  const srv = await statusServer(t, [503, 503, 200]);
  const result = await runHealthChecks({
    checks: [{ kind: 'http', url: srv.url }],
    holdSec: 0.3,
    deadlineMs: far(),
    config,
  });
  assert.equal(result.ok, true, result.message);
  assert.ok(srv.calls() >= 4, `calls ${srv.calls()}`);
  assert.equal(result.outcomes[0]!.detail, 'status 200 (expected 2xx)');
});

test('http: an expected status other than 2xx; a check that turns red during the hold fails the step', async (t) => {
  const teapot = await statusServer(t, [418]);
  const ok = await runHealthChecks({
    checks: [{ kind: 'http', url: teapot.url, expectStatus: 418 }],
    holdSec: 0,
    deadlineMs: far(),
    config,
  });
  assert.equal(ok.ok, true);
  const flapping = await statusServer(t, [200, 500]);
  const result = await runHealthChecks({
    checks: [{ kind: 'http', url: flapping.url }],
    holdSec: 30,
    deadlineMs: far(),
    config,
  });
  assert.equal(result.ok, false);
  assert.match(result.message, /turned red during the hold: http /);
});

test('http: a check that never passes fails at the deadline with the reason', async (t) => {
  const down = await statusServer(t, [503]);
  const result = await runHealthChecks({
    checks: [{ kind: 'http', url: down.url }],
    holdSec: 0,
    deadlineMs: Date.now() + 500,
    config,
  });
  assert.equal(result.ok, false);
  assert.match(result.message, /timeout waiting for the health checks \(still failing: http /);
  assert.equal(result.outcomes[0]!.detail, 'status 503 (expected 2xx)');
});

test('command checks: the argv comes from the host config; an unknown name fails clearly', async () => {
  const withCommands = buildExecutorConfig({
    healthCheckIntervalSeconds: 0.1,
    healthCommands: { ok: { argv: ['/bin/true'] } },
  });
  const ok = await runHealthChecks({
    checks: [{ kind: 'command', name: 'ok' }],
    holdSec: 0,
    deadlineMs: far(),
    config: withCommands,
  });
  assert.equal(ok.ok, true);
  const unknown = await runHealthChecks({
    checks: [{ kind: 'command', name: 'rm -rf /' }],
    holdSec: 0,
    deadlineMs: far(),
    config: withCommands,
  });
  assert.equal(unknown.ok, false);
  assert.equal(
    unknown.message,
    "health check command 'rm -rf /' is not configured on this host (executor.healthCommands)",
  );
});

test('commands: timeouts kill, exit codes and output tails are evidence, a missing binary is an outcome', async () => {
  const slow = await runCommand({ file: '/bin/sleep', args: ['30'], what: 'hook pre drain', timeoutMs: 200 });
  assert.equal(slow.ok, false);
  assert.match(slow.detail, /timed out after 200 ms/);
  const fails = await runCommand({
    file: process.execPath,
    args: ['-e', "process.stdout.write('x'.repeat(10000) + 'END'); process.exit(3)"],
    what: 'hook post undrain',
    timeoutMs: 30_000,
  });
  assert.equal(fails.exitCode, 3);
  assert.ok(fails.detail.endsWith('END') && fails.detail.length <= 4000);
  const missing = await runCommand({
    file: '/nonexistent/systemctl',
    args: ['reboot'],
    what: 'reboot',
    timeoutMs: 1000,
  });
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /cannot run \/nonexistent\/systemctl: ENOENT/);
});
