// Rollouts end to end with scripted agents on real WebSockets against a real app: overlapping
// groups never exceed a limit (checked from step timestamps), a failure halts, a restarted app
// resumes without re-dispatching a settled step, a step is re-sent on reconnect.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { ScanReport } from '../../../shared/scan-report.js';
import { cleanHostReport, rebootReport, servicesReport } from '../../agent/output/sample-reports.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { ScriptedAgent } from '../../helpers/scripted-agent.js';
import { buildApp, createHost, createUser, uniqueName } from '../../helpers/server-app.js';

async function until<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const NEW_KERNEL = rebootReport().kernel.newestInstalled!;

/** The host after rebooting into the newest kernel: nothing left to do. */
function afterRebootReport(): ScanReport {
  const report = cleanHostReport();
  report.kernel = { ...report.kernel, runningRelease: NEW_KERNEL, newestInstalled: NEW_KERNEL };
  return report;
}

forEachDatabase((backend) => {
  test('overlapping groups: the rollout completes and no limit is ever exceeded', async (t) => {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
    const { app } = ctx;
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const operator = await createUser(db, 'operator');
    const tag = uniqueName('fleet');
    const hosts: Array<{ id: string; hostname: string }> = [];
    for (let i = 0; i < 6; i++) {
      hosts.push(
        await createHost(db, { hostname: `web-${i}`, labels: { fleet: tag, rack: i < 3 ? 'a' : 'b' } }),
      );
    }
    const agents = hosts.map(
      (h) =>
        new ScriptedAgent({
          baseUrl: base,
          hostId: h.id,
          hostname: h.hostname,
          before: servicesReport(),
          after: cleanHostReport(),
        }),
    );
    for (const a of agents) {
      await a.connect();
      a.sendReport(servicesReport());
    }
    await until(
      async () =>
        (await db.prisma.host.count({ where: { id: { in: hosts.map((h) => h.id) }, reportSeq: 1 } })) === 6,
      'reports stored',
    );
    const group = async (body: object) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/groups',
        headers: { authorization: operator.auth },
        payload: body,
      });
      assert.equal(res.statusCode, 201, res.body);
    };
    // web: at most 2 out; rack a and rack b: at least 2 of 3 up (so at most 1 out each).
    await group({ name: `${tag}-web`, selector: { fleet: tag }, limit: { maxOut: 2 } });
    await group({ name: `${tag}-rack-a`, selector: { fleet: tag, rack: 'a' }, limit: { minUp: 2 } });
    await group({ name: `${tag}-rack-b`, selector: { fleet: tag, rack: 'b' }, limit: { minUp: 2 } });

    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/rollouts',
      headers: { authorization: operator.auth },
      payload: { name: 'patch', groups: [`${tag}-web`] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const rollout = created.json();
    assert.equal(rollout.state, 'awaiting_approval');
    assert.equal(rollout.steps.length, 6);
    const approved = await app.inject({
      method: 'POST',
      url: `/api/v1/rollouts/${rollout.id}/approve`,
      headers: { authorization: operator.auth },
    });
    assert.equal(approved.statusCode, 200, approved.body);

    await until(async () => {
      const r = await db.prisma.rollout.findUnique({ where: { id: rollout.id } });
      return r?.state === 'completed';
    }, 'rollout completed');
    const steps = await db.prisma.rolloutStep.findMany({ where: { rolloutId: rollout.id } });
    assert.ok(steps.every((s) => s.state === 'succeeded'));
    // At every dispatch instant, count hosts out (dispatched, not yet finished) per group.
    const members = {
      web: hosts.map((h) => h.id),
      a: hosts.slice(0, 3).map((h) => h.id),
      b: hosts.slice(3).map((h) => h.id),
    };
    for (const s of steps) {
      const at = s.dispatchedAt!.getTime();
      const out = steps
        .filter((o) => o.dispatchedAt!.getTime() <= at && o.finishedAt!.getTime() > at)
        .map((o) => o.hostId);
      assert.ok(out.filter((id) => members.web.includes(id)).length <= 2, 'web limit');
      assert.ok(out.filter((id) => members.a.includes(id)).length <= 1, 'rack a limit');
      assert.ok(out.filter((id) => members.b.includes(id)).length <= 1, 'rack b limit');
    }
    // Each step executed once, and its evidence recorded.
    for (const a of agents) assert.equal(a.executed.size, 1);
    assert.equal((steps[0]!.evidence as { verdict?: string }).verdict, 'verified');
    const audit = await db.prisma.auditEvent.count({ where: { action: 'rollout.step.succeed' } });
    assert.ok(audit >= 6);
    for (const a of agents) await a.close();
  });

  test('a failing step halts the rollout; a silent agent gets its step again on reconnect', async (t) => {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const operator = await createUser(db, 'operator');
    const [h1, h2] = [await createHost(db, { hostname: 'db-1' }), await createHost(db, { hostname: 'db-2' })];
    const bad = new ScriptedAgent({
      baseUrl: base,
      hostId: h1.id,
      hostname: 'db-1',
      before: servicesReport(),
      after: cleanHostReport(),
      fail: true,
    });
    const silent = new ScriptedAgent({
      baseUrl: base,
      hostId: h2.id,
      hostname: 'db-2',
      before: servicesReport(),
      after: cleanHostReport(),
      silent: true,
    });
    for (const a of [bad, silent]) {
      await a.connect();
      a.sendReport(servicesReport());
    }
    await until(
      async () => (await db.prisma.host.count({ where: { id: { in: [h1.id, h2.id] }, reportSeq: 1 } })) === 2,
      'reports',
    );
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/rollouts',
      headers: { authorization: operator.auth },
      payload: { name: 'two', hosts: [h1.id, h2.id], failureBudget: 0, maxParallel: 2 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/rollouts/${id}/approve`,
      headers: { authorization: operator.auth },
    });
    await until(
      async () => (await db.prisma.rollout.findUnique({ where: { id } }))?.state === 'halted',
      'halted',
    );
    await until(async () => silent.stepsReceived.length >= 1 || undefined, 'silent agent got its step');
    // Reconnect: the unsettled step is sent again.
    await silent.close();
    await silent.connect();
    await until(async () => silent.stepsReceived.length >= 2 || undefined, 'step re-sent after hello');
    assert.equal(silent.stepsReceived[0]!.stepId, silent.stepsReceived[1]!.stepId);
    const halt = await db.prisma.auditEvent.findFirst({ where: { action: 'rollout.halt', targetId: id } });
    assert.ok(halt);
    for (const a of [bad, silent]) await a.close();
  });

  test('a restarted app resumes the rollout without re-dispatching a settled step', async (t) => {
    const target = await backend.createTarget(t);
    const db1 = await backend.open(t, { target });
    const ctx1 = await buildApp(t, backend, { database: db1, config: { rolloutTickMs: 100 } });
    const base1 = await ctx1.app.listen({ port: 0, host: '127.0.0.1' });
    const operator = await createUser(db1, 'operator');
    const tag = uniqueName('r');
    const hosts: Array<{ id: string; hostname: string }> = [];
    for (let i = 0; i < 4; i++)
      hosts.push(await createHost(db1, { hostname: `app-${i}`, labels: { r: tag } }));
    const mk = (base: string) =>
      hosts.map(
        (h) =>
          new ScriptedAgent({
            baseUrl: base,
            hostId: h.id,
            hostname: h.hostname,
            before: servicesReport(),
            after: cleanHostReport(),
          }),
      );
    const agents1 = mk(base1);
    for (const a of agents1) {
      await a.connect();
      a.sendReport(servicesReport());
    }
    await until(
      async () =>
        (await db1.prisma.host.count({ where: { id: { in: hosts.map((h) => h.id) }, reportSeq: 1 } })) === 4,
      'reports',
    );
    await ctx1.app.inject({
      method: 'POST',
      url: '/api/v1/groups',
      headers: { authorization: operator.auth },
      payload: { name: tag, selector: { r: tag }, limit: { maxOut: 1 } },
    });
    const created = await ctx1.app.inject({
      method: 'POST',
      url: '/api/v1/rollouts',
      headers: { authorization: operator.auth },
      payload: { name: 'resume', groups: [tag] },
    });
    const id = created.json().id;
    await ctx1.app.inject({
      method: 'POST',
      url: `/api/v1/rollouts/${id}/approve`,
      headers: { authorization: operator.auth },
    });
    await until(
      async () => (await db1.prisma.rolloutStep.count({ where: { rolloutId: id, state: 'succeeded' } })) >= 1,
      'one step done',
    );
    await ctx1.app.close();
    for (const a of agents1) await a.close();
    const settledAtClose = (
      await db1.prisma.rolloutStep.findMany({
        where: { rolloutId: id, state: { in: ['succeeded', 'failed'] } },
      })
    ).map((s) => s.id);
    assert.ok(settledAtClose.length >= 1);
    await db1.close();

    const db2 = await backend.open(t, { target });
    const ctx2 = await buildApp(t, backend, { database: db2, config: { rolloutTickMs: 100 } });
    const base2 = await ctx2.app.listen({ port: 0, host: '127.0.0.1' });
    const agents2 = mk(base2);
    // The agents remember their reports' seq (their outbox survives).
    for (const [i, a] of agents2.entries()) a.seq = agents1[i]!.seq;
    for (const a of agents2) await a.connect();
    await until(
      async () => (await db2.prisma.rollout.findUnique({ where: { id } }))?.state === 'completed',
      'completed after restart',
    );
    // A step settled before the restart is never sent (let alone executed) again.
    const sentAfter = new Set(agents2.flatMap((a) => a.stepsReceived.map((st) => st.stepId)));
    for (const stepId of settledAtClose)
      assert.ok(!sentAfter.has(stepId), `settled step ${stepId} sent again`);
    assert.equal(await db2.prisma.rolloutStep.count({ where: { rolloutId: id, state: 'succeeded' } }), 4);
    for (const a of agents2) await a.close();
  });

  /** One host that needs a reboot, its agent connected and its report stored; a rollout approved. */
  async function rebootRollout(
    t: TestContext,
    rebootInto: ConstructorParameters<typeof ScriptedAgent>[0]['rebootInto'],
  ) {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const operator = await createUser(db, 'operator');
    const host = await createHost(db, { hostname: 'db-07' });
    const agent = new ScriptedAgent({
      baseUrl: base,
      hostId: host.id,
      hostname: host.hostname,
      before: rebootReport(),
      after: afterRebootReport(),
      ...(rebootInto ? { rebootInto } : {}),
    });
    t.after(() => agent.close());
    await agent.connect('boot-1');
    agent.sendReport(rebootReport());
    await until(
      async () => (await db.prisma.host.findUnique({ where: { id: host.id } }))?.reportSeq === 1n,
      'report stored',
    );
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/rollouts',
      headers: { authorization: operator.auth },
      payload: { name: 'reboot', hosts: [host.id], stepTimeoutSec: 10 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const rollout = created.json();
    assert.equal(rollout.steps[0].action, 'reboot');
    const approved = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/rollouts/${rollout.id}/approve`,
      headers: { authorization: operator.auth },
    });
    assert.equal(approved.statusCode, 200, approved.body);
    return { db, agent, host, id: rollout.id as string };
  }

  test('reboot: the agent comes back with a new boot id and the newest kernel: verified', async (t) => {
    const { db, agent, id } = await rebootRollout(t, undefined);
    await until(
      async () => (await db.prisma.rollout.findUnique({ where: { id } }))?.state === 'completed',
      'rollout completed',
    );
    const [step] = await db.prisma.rolloutStep.findMany({ where: { rolloutId: id } });
    assert.equal(step?.state, 'succeeded', step?.failureReason ?? '');
    assert.equal(step.bootIdAtDispatch, 'boot-1');
    assert.equal(step.expectedKernel, NEW_KERNEL);
    const evidence = step.evidence as { verdict: string; checks: Record<string, unknown> };
    assert.equal(evidence.verdict, 'verified');
    assert.deepEqual(evidence.checks.bootId, { atDispatch: 'boot-1', after: 'boot-1-next' });
    assert.deepEqual(evidence.checks.kernel, { expected: NEW_KERNEL, running: NEW_KERNEL });
    // The agent really went away and came back (its step was re-sent on the new hello).
    assert.equal(agent.bootId, 'boot-1-next');
    assert.equal(agent.executed.size, 1);
  });

  test('reboot: a reconnect with the OLD boot id is not done, whatever the agent says', async (t) => {
    // The agent claims a new boot id, but its hello after "rebooting" shows the old one: the server
    // believes the hello, keeps waiting for a new boot, and fails the step at its timeout.
    const { db, agent, id } = await rebootRollout(t, {
      bootId: 'boot-1',
      kernelRelease: NEW_KERNEL,
      claimedBootId: 'boot-2',
    });
    await until(async () => agent.stepsReceived.length >= 2 || undefined, 'reconnected, step re-sent');
    // The agent's "succeeded" is recorded, but the step stays in flight: not verified.
    const inFlight = await until(
      async () =>
        (await db.prisma.rolloutStep.findFirst({ where: { rolloutId: id, agentState: 'succeeded' } })) ??
        undefined,
      "the agent's succeeded recorded",
    );
    assert.equal(inFlight.state, 'dispatched');
    const failed = await until(
      async () => {
        const s = await db.prisma.rolloutStep.findFirst({
          where: { rolloutId: id, state: { not: 'dispatched' } },
        });
        return s ?? undefined;
      },
      'step settled',
      120_000,
    );
    assert.equal(failed.state, 'failed');
    assert.match(failed.failureReason ?? '', /no verified result within 10 s \(timeout\)/);
    assert.equal((await db.prisma.rollout.findUniqueOrThrow({ where: { id } })).state, 'halted');
  });
});
