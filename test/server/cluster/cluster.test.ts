// Several server instances on one PostgreSQL database: a scan request made through instance A
// reaches the agent connected to instance B (LISTEN/NOTIFY), a revocation through A closes the
// agent's connection on B, the live events of A reach a stream opened on B, large bus messages go through the
// cluster_messages table, and the hosts of an instance that crashed (a real server process,
// SIGKILLed) are marked offline by the surviving one. Real apps, real WebSocket clients.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import WebSocket from 'ws';
import { startServerProcess } from '../../../bench/lib/server-process.js';
import type { ClusterMessage } from '../../../server/cluster/cluster-message.js';
import { createPgMessageBus } from '../../../server/cluster/pg-message-bus.js';
import type { Database } from '../../../server/db/open-database.js';
import { encodeMessage } from '../../../shared/protocol-codec.js';
import { getBackend, skipPostgres } from '../../helpers/databases.js';
import { repoRoot } from '../../helpers/paths.js';
import { agentAuth, buildApp, createHost, createUser, TEST_JWT_SECRET } from '../../helpers/server-app.js';
import { openStream } from '../../helpers/sse-stream.js';

const silent = { info() {}, warn() {} };

async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Agent {
  ws: WebSocket;
  frames: Array<{ type: string; payload: Record<string, unknown> }>;
}

async function connectAgent(baseUrl: string, host: { id: string; hostname: string }): Promise<Agent> {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/api/v1/agent/ws`, {
    headers: { authorization: agentAuth(host.id) },
  });
  const frames: Agent['frames'] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(
    encodeMessage('hello', {
      hostId: host.id,
      agentVersion: '0.1.0',
      bootId: 'b',
      kernelRelease: '6.1.0',
      hostname: host.hostname,
      lastAckedSeq: 0,
    }),
  );
  return ws.readyState === WebSocket.OPEN ? { ws, frames } : Promise.reject(new Error('closed'));
}

function hostRow(db: Database, id: string) {
  return db.prisma.host.findUniqueOrThrow({ where: { id }, select: { online: true, instanceId: true } });
}

describe('postgres cluster', { skip: skipPostgres }, () => {
  const backend = getBackend('postgres');

  /** Two Database handles (two pools) on one new PostgreSQL database, like two processes. */
  async function twoHandles(t: TestContext): Promise<[Database, Database]> {
    const target = await backend.createTarget(t);
    return [await backend.open(t, { target }), await backend.open(t, { target })];
  }

  test('a scan request made through instance A reaches the agent connected to instance B', async (t) => {
    const [dbA, dbB] = await twoHandles(t);
    const a = await buildApp(t, backend, { database: dbA });
    const b = await buildApp(t, backend, { database: dbB });
    assert.notEqual(a.app.cluster.instanceId, b.app.cluster.instanceId);
    const host = await createHost(dbA);
    const admin = await createUser(dbA, 'operator');
    const agent = await connectAgent(await b.app.listen({ port: 0, host: '127.0.0.1' }), host);
    t.after(() => agent.ws.terminate());
    await until(async () => (await hostRow(dbA, host.id)).online, 'online');
    assert.equal((await hostRow(dbA, host.id)).instanceId, b.app.cluster.instanceId);

    const scan = await a.app.inject({
      method: 'POST',
      url: `/api/v1/hosts/${host.id}/scan`,
      headers: { authorization: admin.auth },
    });
    assert.equal(scan.statusCode, 202);
    const request = await until(
      async () => agent.frames.find((f) => f.type === 'scan-request'),
      'the scan request on the agent',
    );
    assert.equal(request.payload.requestId, scan.json().requestId);
    const audit = await dbA.prisma.auditEvent.findFirstOrThrow({ where: { targetId: host.id } });
    assert.equal((audit.details as { delivery?: string }).delivery, 'forwarded');

    // Directly connected: delivered locally. Disconnected: 404 on both instances.
    assert.equal(
      await b.app.cluster.deliverToHost(host.id, 'scan-request', { requestId: 'r2', reason: 'test' }),
      'local',
    );
    agent.ws.close();
    await until(async () => !(await hostRow(dbA, host.id)).online, 'offline');
    assert.equal((await hostRow(dbA, host.id)).instanceId, null);
    for (const app of [a.app, b.app]) {
      const gone = await app.inject({
        method: 'POST',
        url: `/api/v1/hosts/${host.id}/scan`,
        headers: { authorization: admin.auth },
      });
      assert.equal(gone.statusCode, 404);
    }
  });

  test('revoking a host through instance A closes its agent connection on instance B (4001)', async (t) => {
    const [dbA, dbB] = await twoHandles(t);
    const a = await buildApp(t, backend, { database: dbA });
    const b = await buildApp(t, backend, { database: dbB });
    const host = await createHost(dbA);
    const admin = await createUser(dbA, 'admin');
    const agent = await connectAgent(await b.app.listen({ port: 0, host: '127.0.0.1' }), host);
    t.after(() => agent.ws.terminate());
    const closed = new Promise<number>((resolve) => agent.ws.once('close', resolve));
    await until(async () => (await hostRow(dbA, host.id)).online, 'online');

    const revoke = await a.app.inject({
      method: 'POST',
      url: `/api/v1/hosts/${host.id}/revoke`,
      headers: { authorization: admin.auth },
    });
    assert.equal(revoke.statusCode, 200);
    // Closed at once by B, not at the agent's next report.
    assert.equal(await closed, 4001);
    const error = agent.frames.find((f) => f.type === 'error');
    assert.match(String(error?.payload.message), /revoked/);
    await until(async () => (await hostRow(dbA, host.id)).instanceId === null, 'released by B');
    // Nobody holds it now: nothing to forward.
    assert.equal(await a.app.cluster.disconnectHost(host.id, 4001, 'again'), 'offline');
  });

  test('the live events made on instance A reach an event stream opened on instance B', async (t) => {
    const [dbA, dbB] = await twoHandles(t);
    const a = await buildApp(t, backend, { database: dbA });
    const b = await buildApp(t, backend, { database: dbB });
    const baseA = await a.app.listen({ port: 0, host: '127.0.0.1' });
    const baseB = await b.app.listen({ port: 0, host: '127.0.0.1' });
    const viewer = await createUser(dbA, 'viewer');
    const operator = await createUser(dbA, 'operator');
    const streamB = await openStream(t, `${baseB}/api/v1/events`, { authorization: viewer.auth });
    assert.equal(streamB.status, 200);
    const nextFor = async (name: string, match: (e: Record<string, unknown>) => boolean) => {
      for (;;) {
        const event = await streamB.next(name);
        if (match(event)) return event;
      }
    };

    // An agent connects to A: B's stream says the host came online.
    const host = await createHost(dbA);
    const agent = await connectAgent(baseA, host);
    t.after(() => agent.ws.terminate());
    const online = await nextFor('host.changed', (e) => e.hostId === host.id);
    assert.equal(online.online, true);

    // A rollout made through A: B's stream has it too.
    const created = await fetch(`${baseA}/api/v1/rollouts`, {
      method: 'POST',
      headers: { authorization: operator.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'relayed', hosts: [host.id] }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    const changed = await nextFor('rollout.changed', (e) => e.rolloutId === id);
    assert.equal(changed.state, 'awaiting_approval');

    // The agent leaves A: offline on B's stream.
    agent.ws.close();
    const offline = await nextFor('host.changed', (e) => e.hostId === host.id);
    assert.equal(offline.online, false);
  });

  test('a bus message over the NOTIFY limit travels through cluster_messages and is deleted', async (t) => {
    const [dbA, dbB] = await twoHandles(t);
    const ids = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'] as const;
    const received: ClusterMessage[] = [];
    const busA = createPgMessageBus({
      instanceId: ids[0],
      connectionString: dbA.connectionString!,
      prisma: dbA.prisma,
      logger: silent,
    });
    const busB = createPgMessageBus({
      instanceId: ids[1],
      connectionString: dbB.connectionString!,
      prisma: dbB.prisma,
      logger: silent,
    });
    t.after(() => Promise.all([busA.close(), busB.close()]));
    await busA.listen(() => {});
    await busB.listen((m) => received.push(m));
    const small: ClusterMessage = { kind: 'to-host', hostId: ids[0], frame: '{"small":true}' };
    const large: ClusterMessage = {
      kind: 'to-host',
      hostId: ids[0],
      frame: JSON.stringify({ x: 'y'.repeat(20_000) }),
    };
    await busA.publish(ids[1], small);
    await busA.publish(ids[1], large);
    await until(async () => received.length === 2, 'both messages');
    assert.deepEqual(received, [small, large]);
    assert.equal(await dbA.prisma.clusterMessage.count(), 0);
  });

  test('an instance reaps, at start, instances whose heartbeat is stale and marks their hosts offline', async (t) => {
    const [db] = await twoHandles(t);
    const host = await createHost(db);
    const dead = '00000000-0000-4000-8000-0000000000dd';
    await db.prisma.serverInstance.create({
      data: { id: dead, hostname: 'gone', pid: 1, heartbeatAt: new Date(Date.now() - 3600_000) },
    });
    await db.prisma.host.update({ where: { id: host.id }, data: { online: true, instanceId: dead } });
    await buildApp(t, backend, { database: db });
    assert.deepEqual(await hostRow(db, host.id), { online: false, instanceId: null });
    assert.equal(await db.prisma.serverInstance.count({ where: { id: dead } }), 0);
  });

  test('the hosts of a crashed server process are marked offline by the surviving instance', {
    timeout: 120_000,
  }, async (t) => {
    const [dbA] = await twoHandles(t);
    const a = await buildApp(t, backend, { database: dbA, config: { instanceHeartbeatSeconds: 0.2 } });
    const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-crash-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const crashing = await startServerProcess({
      bin: join(repoRoot, 'bin', 'afterpatch.js'),
      dataDir,
      databaseUrl: dbA.connectionString!,
      env: {
        AFTERPATCH_JWT_SECRET: TEST_JWT_SECRET,
        AFTERPATCH_ADMIN_PASSWORD: 'a-long-enough-password',
        AFTERPATCH_INSTANCE_HEARTBEAT_SECONDS: '0.2',
      },
    });
    t.after(() => crashing.child.kill('SIGKILL'));
    const host = await createHost(dbA);
    const agent = await connectAgent(crashing.url, host);
    t.after(() => agent.ws.terminate());
    await until(async () => (await hostRow(dbA, host.id)).online, 'online on the crashing instance');
    const crashedId = (await hostRow(dbA, host.id)).instanceId;
    assert.ok(crashedId && crashedId !== a.app.cluster.instanceId);

    crashing.child.kill('SIGKILL');
    await crashing.exited;
    // The row is still there: nobody closed anything. The survivor's heartbeat reaps it.
    await until(async () => !(await hostRow(dbA, host.id)).online, 'offline after the crash');
    assert.deepEqual(await hostRow(dbA, host.id), { online: false, instanceId: null });
    assert.equal(await dbA.prisma.serverInstance.count({ where: { id: crashedId } }), 0);
    assert.equal(await dbA.prisma.serverInstance.count({ where: { id: a.app.cluster.instanceId } }), 1);
  });
});
