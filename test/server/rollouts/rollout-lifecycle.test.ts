// The rollout lifecycle through the REST API on both databases: who may approve (operator; admin
// for a protected group), approval expiry, pause/resume/cancel with their audit events, a halted
// rollout resumed with a note and a larger failure budget (its failed host still counted as
// out), and 409s for transitions that do not apply. Hosts are marked up in the database without an agent: their steps start but
// wait as `offline` (no agent connected), which is all these transitions need.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../server/db/open-database.js';
import { cleanHostReport, servicesReport } from '../../agent/output/sample-reports.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { ScriptedAgent } from '../../helpers/scripted-agent.js';
import { buildApp, createHost, createUser, type TestApp, uniqueName } from '../../helpers/server-app.js';

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A host that is up (per the database) and needs a restart, without an agent. */
async function upHost(db: Database, labels: Record<string, string>, hostname = uniqueName('h')) {
  const host = await createHost(db, { hostname, labels });
  await db.prisma.host.update({
    where: { id: host.id },
    data: { online: true, currentReport: { create: { report: servicesReport() as object } }, reportSeq: 1n },
  });
  return host;
}

function api(ctx: TestApp, auth: string) {
  return async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await ctx.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
}

async function stateOf(db: Database, id: string) {
  return (await db.prisma.rollout.findUniqueOrThrow({ where: { id } })).state;
}

async function audits(db: Database, id: string) {
  const rows = await db.prisma.auditEvent.findMany({
    where: { targetId: id, targetType: 'rollout' },
    orderBy: { at: 'asc' },
  });
  return rows;
}

forEachDatabase((backend) => {
  test('approval: a viewer may not, an operator may; a protected group needs an admin', async (t) => {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
    const viewer = await createUser(db, 'viewer');
    const operator = await createUser(db, 'operator');
    const admin = await createUser(db, 'admin');
    const tag = uniqueName('p');
    await upHost(db, { p: tag });
    const asOperator = api(ctx, operator.auth);
    const startAt = new Date(Date.now() + 24 * 3600_000).toISOString();

    // Unprotected: a viewer cannot approve, an operator can.
    const plain = await asOperator('POST', '/rollouts', { name: 'plain', startAt });
    assert.equal(plain.status, 201, JSON.stringify(plain.body));
    assert.equal(plain.body.requiresAdmin, false);
    const byViewer = await api(ctx, viewer.auth)('POST', `/rollouts/${plain.body.id}/approve`);
    assert.equal(byViewer.status, 403);
    const approved = await asOperator('POST', `/rollouts/${plain.body.id}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.state, 'approved');
    assert.equal(approved.body.approvedBy, operator.username);
    // Cancel it: its host is free for the protected one below.
    assert.equal((await asOperator('POST', `/rollouts/${plain.body.id}/cancel`)).status, 200);

    // Protected group: an operator gets a 403 that says why, an admin approves.
    // (Protected groups themselves are managed by admins.)
    const group = await api(ctx, admin.auth)('POST', '/groups', {
      name: `${tag}-vault`,
      selector: { p: tag },
      limit: { maxOut: 1 },
      protected: true,
    });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const guarded = await asOperator('POST', '/rollouts', { name: 'guarded', startAt });
    assert.equal(guarded.status, 201);
    assert.equal(guarded.body.requiresAdmin, true);
    const refused = await asOperator('POST', `/rollouts/${guarded.body.id}/approve`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /protected group: an admin must approve/);
    assert.equal(await stateOf(db, guarded.body.id), 'awaiting_approval');
    const byAdmin = await api(ctx, admin.auth)('POST', `/rollouts/${guarded.body.id}/approve`);
    assert.equal(byAdmin.status, 200, JSON.stringify(byAdmin.body));
    const audit = (await audits(db, guarded.body.id)).find((a) => a.action === 'rollout.approve');
    assert.equal((audit!.details as { role?: string }).role, 'admin');
  });

  test('an approval expires before a later start: back to awaiting approval, audited', async (t) => {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, {
      database: db,
      config: { rolloutTickMs: 100, rolloutApprovalTtlSeconds: 600 },
    });
    const operator = await createUser(db, 'operator');
    await upHost(db, { e: uniqueName('e') });
    const asOperator = api(ctx, operator.auth);
    const startAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    const created = await asOperator('POST', '/rollouts', { name: 'later', startAt });
    const id = created.body.id as string;
    const before = Date.now();
    const approved = await asOperator('POST', `/rollouts/${id}/approve`);
    assert.equal(approved.status, 200);
    const expiresAt = Date.parse(approved.body.approvalExpiresAt);
    assert.ok(expiresAt >= before + 600_000 && expiresAt <= Date.now() + 600_000);
    // Ten minutes pass (the approval's expiry moved into the past): the executor sends it back.
    await db.prisma.rollout.update({ where: { id }, data: { approvalExpiresAt: new Date(Date.now() - 1) } });
    await until(async () => (await stateOf(db, id)) === 'awaiting_approval', 'approval expired');
    const row = await db.prisma.rollout.findUniqueOrThrow({ where: { id } });
    assert.equal(row.approvalExpiresAt, null);
    assert.ok((await audits(db, id)).some((a) => a.action === 'rollout.approval-expire'));
    // It can be approved again.
    assert.equal((await asOperator('POST', `/rollouts/${id}/approve`)).status, 200);
  });

  test('pause, resume, cancel: transitions with audit events; invalid ones answer 409', async (t) => {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
    const operator = await createUser(db, 'operator');
    const tag = uniqueName('l');
    const hosts = [await upHost(db, { l: tag }), await upHost(db, { l: tag })];
    const asOperator = api(ctx, operator.auth);
    const created = await asOperator('POST', '/rollouts', { name: 'life', hosts: hosts.map((h) => h.id) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;

    const early = await asOperator('POST', `/rollouts/${id}/pause`);
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'AP_CONFLICT');
    assert.equal(
      early.body.error.message,
      'cannot pause a rollout that is awaiting approval (only one that is running)',
    );
    assert.equal((await asOperator('POST', `/rollouts/${id}/approve`)).status, 200);
    await until(async () => (await stateOf(db, id)) === 'running', 'started');
    // No agent is connected: its steps wait, and say why.
    const running = await until(async () => {
      const r = await asOperator('GET', `/rollouts/${id}`);
      return r.body.steps.every((s: { hold: unknown }) => s.hold) && r;
    }, 'holds shown');
    assert.equal(running.body.steps[0].hold.kind, 'offline');
    assert.equal((await asOperator('POST', `/rollouts/${id}/approve`)).status, 409);

    const paused = await asOperator('POST', `/rollouts/${id}/pause`);
    assert.equal(paused.status, 200);
    assert.equal(paused.body.state, 'paused');
    const again = await asOperator('POST', `/rollouts/${id}/pause`);
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /cannot pause a rollout that is paused/);
    const resumed = await asOperator('POST', `/rollouts/${id}/resume`, { note: 'lb checked' });
    assert.equal(resumed.status, 200);
    assert.equal(resumed.body.state, 'running');
    assert.equal((await asOperator('POST', `/rollouts/${id}/resume`)).status, 409);

    const cancelled = await asOperator('POST', `/rollouts/${id}/cancel`, { reason: 'change freeze' });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, 'cancelled');
    assert.ok(cancelled.body.steps.every((s: { state: string }) => s.state === 'skipped'));
    assert.equal(cancelled.body.haltReason, 'change freeze');
    for (const verb of ['pause', 'resume', 'approve', 'cancel']) {
      const res = await asOperator('POST', `/rollouts/${id}/${verb}`);
      assert.equal(res.status, 409, verb);
      assert.match(res.body.error.message, new RegExp(`cannot ${verb} a rollout that is cancelled`));
    }
    const trail = (await audits(db, id)).map((a) => [a.action, a.actorId]);
    assert.deepEqual(
      trail.map(([action]) => action),
      [
        'rollout.create',
        'rollout.approve',
        'rollout.start',
        'rollout.pause',
        'rollout.resume',
        'rollout.cancel',
      ],
    );
    assert.equal(trail.find(([action]) => action === 'rollout.pause')?.[1], operator.id);
    const resumeAudit = (await audits(db, id)).find((a) => a.action === 'rollout.resume');
    assert.deepEqual(
      {
        from: (resumeAudit!.details as Record<string, unknown>).from,
        note: (resumeAudit!.details as Record<string, unknown>).note,
      },
      { from: 'paused', note: 'lb checked' },
    );
    const unknown = await asOperator('POST', '/rollouts/00000000-0000-4000-8000-000000000000/pause');
    assert.equal(unknown.status, 404);
  });

  test('a halted rollout resumes with a note; its failed host still counts as out', async (t) => {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const operator = await createUser(db, 'operator');
    const tag = uniqueName('f');
    const h1 = await createHost(db, { hostname: `${tag}-a`, labels: { f: tag } });
    const h2 = await createHost(db, { hostname: `${tag}-b`, labels: { f: tag } });
    const agents = [
      new ScriptedAgent({
        baseUrl: base,
        hostId: h1.id,
        hostname: h1.hostname,
        before: servicesReport(),
        after: cleanHostReport(),
        fail: true,
      }),
      new ScriptedAgent({
        baseUrl: base,
        hostId: h2.id,
        hostname: h2.hostname,
        before: servicesReport(),
        after: cleanHostReport(),
      }),
    ];
    t.after(() => Promise.all(agents.map((a) => a.close())));
    for (const a of agents) {
      await a.connect();
      a.sendReport(servicesReport());
    }
    await until(
      async () => (await db.prisma.host.count({ where: { id: { in: [h1.id, h2.id] }, reportSeq: 1 } })) === 2,
      'reports',
    );
    const asOperator = api(ctx, operator.auth);
    // Both in one group that allows one out: once a's step failed, b may not go.
    assert.equal(
      (await asOperator('POST', '/groups', { name: tag, selector: { f: tag }, limit: { maxOut: 1 } })).status,
      201,
    );
    const created = await asOperator('POST', '/rollouts', { name: 'halts', groups: [tag], maxParallel: 2 });
    const id = created.body.id as string;
    assert.deepEqual(
      created.body.steps.map((s: { hostname: string }) => s.hostname),
      [h1.hostname, h2.hostname],
    );
    await asOperator('POST', `/rollouts/${id}/approve`);
    await until(async () => (await stateOf(db, id)) === 'halted', 'halted');

    const bare = await asOperator('POST', `/rollouts/${id}/resume`);
    assert.equal(bare.status, 400);
    assert.match(bare.body.error.message, /halted rollout resumes only with a note/);
    // A new budget below the one failure counted says why it is refused.
    const tooLow = await asOperator('POST', `/rollouts/${id}/resume`, { note: 'x', failureBudget: 0 });
    assert.equal(tooLow.status, 400);
    assert.match(tooLow.body.error.message, /failureBudget 0 is below the 1 failures already counted/);
    assert.equal((await stateOf(db, id)) as string, 'halted');
    const resumed = await asOperator('POST', `/rollouts/${id}/resume`, {
      note: 'a: nginx config fixed by hand',
      failureBudget: 2,
    });
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body.state, 'running');
    assert.equal(resumed.body.haltReason, null);
    assert.equal(resumed.body.finishedAt, null);
    assert.equal(resumed.body.failureBudget, 2);
    assert.equal(resumed.body.failures, 1);
    const audit = (await audits(db, id)).find((a) => a.action === 'rollout.resume');
    const details = audit!.details as Record<string, unknown>;
    assert.equal(details.from, 'halted');
    assert.equal(details.note, 'a: nginx config fixed by hand');
    assert.match(String(details.haltReason), /failure budget 0 exceeded/);
    assert.deepEqual(details.failureBudget, { from: 0, to: 2 });

    // b waits on the limit: a's state is unknown, so a still counts as out.
    const held = await until(async () => {
      const r = await asOperator('GET', `/rollouts/${id}`);
      const b = r.body.steps.find((s: { hostId: string }) => s.hostId === h2.id);
      return b?.hold && b;
    }, 'b held');
    assert.equal(held.state, 'pending');
    assert.equal(held.hold.kind, 'limit');
    assert.equal(held.hold.group, tag);
    assert.equal(agents[1]!.stepsReceived.length, 0);
    // Cancelled (over): nothing more is dispatched.
    assert.equal((await asOperator('POST', `/rollouts/${id}/cancel`)).status, 200);
  });
});
