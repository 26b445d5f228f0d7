// `afterpatch groups …` and `afterpatch rollout …` as operators run them: the real command (bundle)
// against a real server app listening on a port, real API tokens, and scripted agents (real agent
// WebSockets answering steps; they stand in for systemctl/reboot, the true boundary) so that real
// rollouts run: groups apply, preview, create, approve --follow to completion, a halted rollout,
// roles, and the pause/resume/cancel transitions.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { Database } from '../../server/db/open-database.js';
import { cleanHostReport, servicesReport } from '../agent/output/sample-reports.js';
import { getBackend } from '../helpers/databases.js';
import { cleanEnv, runAfterpatch } from '../helpers/run-cli.js';
import { createScratch } from '../helpers/scratch.js';
import { ScriptedAgent } from '../helpers/scripted-agent.js';
import { buildApp, createHost, createUser, uniqueName } from '../helpers/server-app.js';

interface Fleet {
  url: string;
  db: Database;
  tokens: { viewer: string; operator: string; admin: string };
  env: (token: string) => NodeJS.ProcessEnv;
}

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startServer(t: TestContext): Promise<Fleet> {
  const backend = getBackend('pglite');
  // A database of its own: no other test's hosts or rollouts in scope or holding a host.
  const db = await backend.open(t);
  const { app } = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
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
  const tokens = {
    viewer: await apiToken((await createUser(db, 'viewer')).auth),
    operator: await apiToken((await createUser(db, 'operator')).auth),
    admin: await apiToken((await createUser(db, 'admin')).auth),
  };
  return {
    url,
    db,
    tokens,
    env: (token) => cleanEnv({ AFTERPATCH_SERVER: url, AFTERPATCH_TOKEN: token }),
  };
}

/** Hosts with connected scripted agents that reported needing a service restart. */
async function agentHosts(
  t: TestContext,
  fleet: Fleet,
  count: number,
  labels: Record<string, string>,
  options: { fail?: boolean } = {},
) {
  const hosts: Array<{ id: string; hostname: string }> = [];
  for (let i = 0; i < count; i++) {
    const hostname = uniqueName(options.fail ? 'bad' : 'web');
    const host = await createHost(fleet.db, { hostname, labels });
    const agent = new ScriptedAgent({
      baseUrl: fleet.url,
      hostId: host.id,
      hostname,
      before: servicesReport(),
      after: cleanHostReport(),
      ...(options.fail ? { fail: true } : {}),
    });
    await agent.connect();
    agent.sendReport(servicesReport());
    t.after(() => agent.close());
    hosts.push({ id: host.id, hostname });
  }
  await until(
    async () =>
      (await fleet.db.prisma.host.count({ where: { id: { in: hosts.map((h) => h.id) }, reportSeq: 1 } })) ===
      count,
    'reports stored',
  );
  return hosts;
}

function idFrom(created: { stdout: string }): string {
  const match = /^([0-9a-f-]{36}) awaiting_approval: /m.exec(created.stdout);
  assert.ok(match, created.stdout);
  return match[1]!;
}

describe('groups and rollout commands against a real server with scripted agents', {
  timeout: 180_000,
}, () => {
  it('groups apply/list/show, preview (the plan), create, approve --follow to completion, show', async (t) => {
    const fleet = await startServer(t);
    const operator = fleet.env(fleet.tokens.operator);
    const tag = uniqueName('fleet');
    const hosts = await agentHosts(t, fleet, 3, { fleet: tag });
    const scratch = createScratch(t);
    const groupFile = join(scratch.dir, 'group.json');
    const group = `${tag}-web`;
    writeFileSync(groupFile, JSON.stringify({ name: group, selector: { fleet: tag }, limit: { maxOut: 2 } }));

    const applied = await runAfterpatch(['groups', 'apply', '-f', groupFile], operator);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`^created group ${group} \\(`));
    writeFileSync(groupFile, JSON.stringify({ name: group, selector: { fleet: tag }, limit: { maxOut: 1 } }));
    const replaced = await runAfterpatch(['groups', 'apply', '-f', groupFile], operator);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, new RegExp(`^replaced group ${group} \\(`));

    const listed = await runAfterpatch(['groups', 'list'], fleet.env(fleet.tokens.viewer));
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^NAME\s+MEMBERS\s+LIMIT\s+WINDOWS\s+DEPENDS ON\s+PROTECTED/);
    assert.match(listed.stdout, new RegExp(`${group}\\s+fleet=${tag}\\s+maxOut 1\\s+any time\\s+-\\s+no`));
    const shown = await runAfterpatch(['groups', 'show', group, '--json'], operator);
    assert.deepEqual(JSON.parse(shown.stdout).limit, { maxOut: 1 });

    // Checked against the route's schema before anything is sent.
    writeFileSync(groupFile, JSON.stringify({ name: 'bad name!', limit: { maxOut: 'two' } }));
    const invalid = await runAfterpatch(['groups', 'apply', '-f', groupFile], operator);
    assert.equal(invalid.code, 65);
    assert.match(invalid.stderr, /is not a valid group document/);
    assert.match(invalid.stderr, /\/name: /);
    assert.match(invalid.stderr, /\/limit\/maxOut: /);

    const preview = await runAfterpatch(
      ['rollout', 'preview', '--group', group, '--deadline', '2999-01-01T00:00:00Z'],
      fleet.env(fleet.tokens.viewer),
    );
    assert.equal(preview.code, 0, preview.stderr);
    // The same words as `afterpatch plan`.
    assert.match(preview.stdout, /^Plan from .*: 3 steps for 3 hosts \(0 reboots, 3 restarts\)\./);
    assert.match(preview.stdout, /Fits the deadline 2999-01-01T00:00Z/);
    assert.match(
      preview.stdout,
      new RegExp(`Steps per group:\\n(.*\\n)*  ${group}\\s+3 steps \\(0 reboots\\)`),
    );
    assert.match(preview.stdout, /Longest waits:\n.* starts .*\n\s+until .* limit: .*already out/);
    const previewJson = await runAfterpatch(['rollout', 'preview', '--group', group, '--json'], operator);
    assert.equal(JSON.parse(previewJson.stdout).plan.steps.length, 3);

    const created = await runAfterpatch(
      ['rollout', 'create', '--group', group, '--name', 'patch-web'],
      operator,
    );
    assert.equal(created.code, 0, created.stderr);
    const id = idFrom(created);
    assert.match(created.stdout, /patch-web, 3 steps/);
    const pending = await runAfterpatch(['rollout', 'show', id], operator);
    assert.match(pending.stdout, /^patch-web\n {2}id\s+[0-9a-f-]+\n {2}state\s+awaiting_approval/);
    assert.match(pending.stdout, /approval\s+not yet \(operator\)/);
    const listRollouts = await runAfterpatch(['rollout', 'list', '--state', 'awaiting_approval'], operator);
    assert.match(listRollouts.stdout, new RegExp(`${id}\\s+patch-web\\s+awaiting_approval\\s+3: 3 pending`));

    const followed = await runAfterpatch(['rollout', 'approve', id, '--follow'], operator);
    assert.equal(followed.code, 0, `${followed.stdout}\n${followed.stderr}`);
    const lines = followed.stdout.trimEnd().split('\n');
    // The executor may have started it before the answer was made.
    assert.match(lines[0]!, new RegExp(`^${id} (approved|running): patch-web$`));
    // One line per event (not a terminal): the state when following began, then each step that
    // settled after that (the first ones may have settled before the stream was open).
    const initial = /is (approved|running) {2}\((\d)\/3 done/.exec(lines[1]!);
    assert.ok(initial, followed.stdout);
    const settledLater = hosts.filter((h) => lines.some((l) => l.includes(` ${h.hostname} succeeded  (`)));
    assert.equal(settledLater.length, 3 - Number(initial[2]), followed.stdout);
    assert.ok(
      lines.some((l) => /Z rollout completed {2}\(3\/3 done, 0 in flight, 0 failed\)$/.test(l)),
      followed.stdout,
    );
    assert.match(lines.at(-1)!, /^Rollout patch-web completed in .*: 3 succeeded, 0 failed, 0 skipped\.$/);
    assert.ok(!followed.stdout.includes('\x1b['), 'no terminal control codes when piped');

    const done = await runAfterpatch(['rollout', 'show', id], operator);
    assert.match(done.stdout, /state\s+completed/);
    assert.equal((done.stdout.match(/\bsucceeded\s+.*report #\d+/g) ?? []).length, 3, done.stdout);

    // Following a finished rollout: its summary at once; --json gives JSON lines.
    const again = await runAfterpatch(['rollout', 'follow', id, '--json'], operator);
    assert.equal(again.code, 0, again.stderr);
    const events = again.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; state?: string; done: number; total: number });
    assert.deepEqual(
      events.map((e) => e.type),
      ['rollout', 'summary'],
    );
    assert.equal(events[1]!.state, 'completed');
    assert.equal(events[1]!.done, 3);
  });

  it('a failing step halts the rollout: follow exits 1 with the failed host and what to do', async (t) => {
    const fleet = await startServer(t);
    const operator = fleet.env(fleet.tokens.operator);
    const [bad] = await agentHosts(t, fleet, 1, { f: 'x' }, { fail: true });
    const created = await runAfterpatch(['rollout', 'create', '--host', bad!.hostname], operator);
    assert.equal(created.code, 0, created.stderr);
    const id = idFrom(created);
    const approved = await runAfterpatch(['rollout', 'approve', id], operator);
    assert.equal(approved.code, 0, approved.stderr);
    const followed = await runAfterpatch(['rollout', 'follow', id], operator);
    assert.equal(followed.code, 1, `${followed.stdout}\n${followed.stderr}`);
    // Whether it halted before or after the stream opened, the summary names the host and why.
    assert.match(followed.stdout, /Rollout .* halted .*: 0 succeeded, 1 failed/);
    assert.match(followed.stdout, new RegExp(`Failed:\\n  ${bad!.hostname}: .*restart failed: exit 1`));
    assert.match(followed.stdout, new RegExp(`afterpatch rollout resume ${id} --note`));
    const shown = await runAfterpatch(['rollout', 'show', id], operator);
    assert.match(shown.stdout, /state\s+halted/);
    assert.match(shown.stdout, /\bfailed\s+.*restart failed: exit 1/);
  });

  it('roles and transitions: a viewer cannot approve (77, the role named); pause, resume, cancel; 409s', async (t) => {
    const fleet = await startServer(t);
    const operator = fleet.env(fleet.tokens.operator);
    // A host that is up per the database but has no agent: its step waits as offline, so the
    // rollout stays running for as long as the transitions take.
    const host = await createHost(fleet.db, { hostname: uniqueName('idle'), labels: {} });
    await fleet.db.prisma.host.update({
      where: { id: host.id },
      data: {
        online: true,
        currentReport: { create: { report: servicesReport() as object } },
        reportSeq: 1n,
      },
    });
    const created = await runAfterpatch(['rollout', 'create', '--host', host.id, '--name', 'life'], operator);
    assert.equal(created.code, 0, created.stderr);
    const id = idFrom(created);

    const byViewer = await runAfterpatch(['rollout', 'approve', id], fleet.env(fleet.tokens.viewer));
    assert.equal(byViewer.code, 77);
    assert.match(byViewer.stderr, /this needs the operator role; you are viewer/);

    const early = await runAfterpatch(['rollout', 'pause', id], operator);
    assert.equal(early.code, 1);
    assert.match(
      early.stderr,
      /cannot pause a rollout that is awaiting approval \(only one that is running\)/,
    );

    assert.equal((await runAfterpatch(['rollout', 'approve', id], operator)).code, 0);
    const running = await until(async () => {
      const r = await runAfterpatch(['rollout', 'show', id, '--json'], operator);
      const body = JSON.parse(r.stdout) as { state: string; steps: Array<{ hold: unknown }> };
      return body.state === 'running' && body.steps[0]!.hold !== null && r;
    }, 'running with its step held');
    assert.equal(JSON.parse(running.stdout).steps[0].hold.kind, 'offline');
    const text = await runAfterpatch(['rollout', 'show', id], operator);
    assert.match(text.stdout, /pending\s+\(rollout\)\s+waits: offline/);

    const paused = await runAfterpatch(['rollout', 'pause', id], operator);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(paused.stdout, `${id} paused: life\n`);
    const twice = await runAfterpatch(['rollout', 'pause', id], operator);
    assert.equal(twice.code, 1);
    assert.match(
      twice.stderr,
      /^afterpatch: cannot pause a rollout that is paused \(only one that is running\) \(AP_CONFLICT\)$/m,
    );
    const badBudget = await runAfterpatch(['rollout', 'resume', id, '--failure-budget', 'two'], operator);
    assert.equal(badBudget.code, 64);
    assert.match(badBudget.stderr, /--failure-budget takes a whole number between 0 and 100000, not 'two'/);
    const resumed = await runAfterpatch(
      ['rollout', 'resume', id, '--note', 'lb checked', '--failure-budget', '3'],
      operator,
    );
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, `${id} running: life\n`);
    const afterResume = await runAfterpatch(['rollout', 'show', id, '--json'], operator);
    assert.equal(JSON.parse(afterResume.stdout).failureBudget, 3);
    const cancelled = await runAfterpatch(['rollout', 'cancel', id, '--reason', 'change freeze'], operator);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(cancelled.stdout, `${id} cancelled (change freeze): life\n`);

    const followed = await runAfterpatch(['rollout', 'follow', id], operator);
    assert.equal(followed.code, 1, 'a cancelled rollout did not complete');
    assert.match(
      followed.stdout,
      /Rollout life cancelled \(change freeze\): 0 succeeded, 0 failed, 1 skipped/,
    );

    const missing = await runAfterpatch(
      ['rollout', 'show', '00000000-0000-4000-8000-000000000000'],
      operator,
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such rollout \(AP_NOT_FOUND\)/);
    const usage = await runAfterpatch(['rollout', 'create', '--max-parallel', '0'], operator);
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /--max-parallel takes a whole number between 1 and 100000/);
  });
});
