// Rollouts with two server instances on one PostgreSQL database: scripted agents spread over both,
// the rollout created and approved through the instance that does NOT hold the executor lock. The
// leader dispatches to agents connected to the other instance (forwarded over LISTEN/NOTIFY), the
// other instance ingests their step-status and reports and wakes the leader. The leader's ticks
// are an hour long, so the rollout can only progress through those wake-ups. Then the leader's
// lock session is killed and the leader closed mid-rollout: the other instance takes the lock and
// finishes without dispatching any step twice. Real apps, real WebSockets; agents are scripted
// (test/helpers/scripted-agent.ts: systemctl and reboot are the true boundary).
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { Database } from '../../../server/db/open-database.js';
import { EXECUTOR_LOCK_KEY } from '../../../server/rollouts/leader-lock.js';
import { cleanHostReport, servicesReport } from '../../agent/output/sample-reports.js';
import { getBackend, skipPostgres } from '../../helpers/databases.js';
import { ScriptedAgent } from '../../helpers/scripted-agent.js';
import { buildApp, createHost, createUser, type TestApp, uniqueName } from '../../helpers/server-app.js';

const HOUR_MS = 3_600_000;

async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Fleet {
  hosts: Array<{ id: string; hostname: string }>;
  agents: ScriptedAgent[];
}

/** `count` hosts labelled with `tag`, rack a then rack b, connected alternately to `urls`. */
async function connectFleet(
  db: Database,
  tag: string,
  count: number,
  urls: string[],
  stepMs?: number,
): Promise<Fleet> {
  const hosts: Fleet['hosts'] = [];
  for (let i = 0; i < count; i++) {
    const rack = i < count / 2 ? 'a' : 'b';
    hosts.push(await createHost(db, { hostname: `${tag}-${i}`, labels: { fleet: tag, rack } }));
  }
  const agents = hosts.map(
    (h, i) =>
      new ScriptedAgent({
        baseUrl: urls[i % urls.length]!,
        hostId: h.id,
        hostname: h.hostname,
        before: servicesReport(),
        after: cleanHostReport(),
        ...(stepMs ? { stepMs } : {}),
      }),
  );
  for (const agent of agents) {
    await agent.connect();
    agent.sendReport(servicesReport());
  }
  const ids = hosts.map((h) => h.id);
  await until(
    async () =>
      (await db.prisma.host.count({ where: { id: { in: ids }, reportSeq: 1, online: true } })) === count,
    'every host online with its report',
  );
  return { hosts, agents };
}

async function api(ctx: TestApp, auth: string, method: 'POST', url: string, payload?: object) {
  const res = await ctx.app.inject({
    method,
    url,
    headers: { authorization: auth },
    ...(payload ? { payload } : {}),
  });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Groups `<tag>-web` (at most 2 out) and racks a and b (at most 1 out each); a rollout of web, approved. */
async function createApprovedRollout(ctx: TestApp, auth: string, tag: string): Promise<string> {
  await api(ctx, auth, 'POST', '/api/v1/groups', {
    name: `${tag}-web`,
    selector: { fleet: tag },
    limit: { maxOut: 2 },
  });
  for (const rack of ['a', 'b']) {
    await api(ctx, auth, 'POST', '/api/v1/groups', {
      name: `${tag}-rack-${rack}`,
      selector: { fleet: tag, rack },
      limit: { maxOut: 1 },
    });
  }
  const rollout = await api(ctx, auth, 'POST', '/api/v1/rollouts', { name: tag, groups: [`${tag}-web`] });
  await api(ctx, auth, 'POST', `/api/v1/rollouts/${rollout.id}/approve`);
  return rollout.id as string;
}

async function waitForState(db: Database, rolloutId: string, state: string): Promise<void> {
  await until(
    async () => (await db.prisma.rollout.findUnique({ where: { id: rolloutId } }))?.state === state,
    `rollout ${state}`,
  );
}

/** Every step succeeded, was dispatched exactly once (audit trail) and no limit was exceeded. */
async function assertRolloutInvariants(db: Database, rolloutId: string, fleet: Fleet): Promise<void> {
  const steps = await db.prisma.rolloutStep.findMany({ where: { rolloutId } });
  assert.equal(steps.length, fleet.hosts.length);
  assert.ok(
    steps.every((s) => s.state === 'succeeded'),
    steps.map((s) => s.state).join(),
  );
  for (const step of steps) {
    const dispatches = await db.prisma.auditEvent.count({
      where: { action: 'rollout.step.dispatch', targetId: step.id },
    });
    assert.equal(dispatches, 1, `step on ${step.hostname} dispatched ${dispatches} times`);
  }
  for (const agent of fleet.agents) assert.equal(agent.executed.size, 1, 'each host executed its step once');
  const half = fleet.hosts.length / 2;
  const rackA = new Set(fleet.hosts.slice(0, half).map((h) => h.id));
  for (const s of steps) {
    const at = s.dispatchedAt!.getTime();
    const out = steps.filter((o) => o.dispatchedAt!.getTime() <= at && o.finishedAt!.getTime() > at);
    assert.ok(out.length <= 2, 'web limit');
    assert.ok(out.filter((o) => rackA.has(o.hostId)).length <= 1, 'rack a limit');
    assert.ok(out.filter((o) => !rackA.has(o.hostId)).length <= 1, 'rack b limit');
  }
}

describe('rollouts across two server instances', { skip: skipPostgres }, () => {
  const backend = getBackend('postgres');

  async function twoInstances(t: TestContext, tickB: number) {
    const target = await backend.createTarget(t);
    const dbA = await backend.open(t, { target });
    const dbB = await backend.open(t, { target });
    // A starts first and takes the lock; its tick is an hour, so it acts only on events and wake-ups.
    const a = await buildApp(t, backend, { database: dbA, config: { rolloutTickMs: HOUR_MS } });
    const urlA = await a.app.listen({ port: 0, host: '127.0.0.1' });
    await until(async () => a.app.rollouts.executor.leading, 'A leads');
    const b = await buildApp(t, backend, { database: dbB, config: { rolloutTickMs: tickB } });
    const urlB = await b.app.listen({ port: 0, host: '127.0.0.1' });
    await b.app.rollouts.executor.idle();
    assert.equal(b.app.rollouts.executor.leading, false);
    return { a, b, urlA, urlB, operator: await createUser(dbB, 'operator') };
  }

  test('a rollout approved on the non-leader completes with agents on both instances', async (t) => {
    const { a, b, urlA, urlB, operator } = await twoInstances(t, HOUR_MS);
    const tag = uniqueName('multi');
    const fleet = await connectFleet(b.db, tag, 6, [urlA, urlB]);
    t.after(() => Promise.all(fleet.agents.map((agent) => agent.close())));

    const rolloutId = await createApprovedRollout(b, operator.auth, tag);
    await waitForState(b.db, rolloutId, 'completed');
    await assertRolloutInvariants(b.db, rolloutId, fleet);
    assert.ok(a.app.rollouts.executor.leading, 'A led throughout');
    // Half the steps reached their agents through instance B's connections.
    const onB = fleet.agents.filter((agent) => agent.options.baseUrl === urlB);
    assert.equal(onB.length, 3);
    for (const agent of onB) assert.ok(agent.stepsReceived.length >= 1);
  });

  test('the leader dies mid-rollout: the other instance takes over and finishes', async (t) => {
    // B tries to take the lock every 100 ms.
    const { a, b, urlA, urlB, operator } = await twoInstances(t, 100);
    const tag = uniqueName('failover');
    const fleet = await connectFleet(b.db, tag, 6, [urlA, urlB], 400);
    t.after(() => Promise.all(fleet.agents.map((agent) => agent.close())));

    const rolloutId = await createApprovedRollout(b, operator.auth, tag);
    await until(
      async () =>
        (await b.db.prisma.rolloutStep.count({ where: { rolloutId, state: 'succeeded' } })) >= 1 &&
        (await b.db.prisma.rolloutStep.count({ where: { rolloutId, state: 'dispatched' } })) >= 1,
      'one step settled and one in flight',
    );
    // A crash: the leader's lock session ends (killed by PostgreSQL), then the process goes away.
    const holders = await b.db.prisma.$queryRaw<Array<{ pid: number }>>`
      SELECT pid FROM pg_locks
       WHERE locktype = 'advisory' AND objid = ${EXECUTOR_LOCK_KEY} AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    assert.equal(holders.length, 1);
    await b.db.prisma.$queryRaw`SELECT pg_terminate_backend(${holders[0]!.pid})`;
    await a.app.close();
    await until(async () => b.app.rollouts.executor.leading, 'B leads');

    // A's agents reconnect to B (the load balancer's other backend); B re-sends their open steps.
    for (const agent of fleet.agents.filter((x) => x.options.baseUrl === urlA)) {
      agent.options.baseUrl = urlB;
      await agent.connect();
    }
    await waitForState(b.db, rolloutId, 'completed');
    await assertRolloutInvariants(b.db, rolloutId, fleet);
  });
});
