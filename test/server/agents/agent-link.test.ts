// The agent link end to end: enrolment, agent tokens, and the WebSocket with real clients on a
// server listening on port 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { CLOSE_CODES, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../../shared/agent-protocol.js';
import { encodeMessage } from '../../../shared/protocol-codec.js';
import { cleanHostReport, servicesReport } from '../../agent/output/sample-reports.js';
import { forEachDatabase } from '../../helpers/databases.js';
import {
  agentAuth,
  buildApp,
  createEnrollmentToken,
  createHost,
  createUser,
  type TestApp,
} from '../../helpers/server-app.js';
import { startTcpProxy, startTcpProxyOn } from '../../helpers/tcp-proxy.js';

interface Client {
  ws: WebSocket;
  frames: Array<{ type: string; payload: Record<string, unknown> }>;
  next(): Promise<{ type: string; payload: Record<string, unknown> }>;
  closed: Promise<{ code: number; reason: string }>;
}

async function listen(ctx: TestApp): Promise<string> {
  const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  return address.replace('http', 'ws');
}

function connect(
  base: string,
  authorization?: string,
  options: { autoPong?: boolean } = {},
): Promise<Client> {
  const ws = new WebSocket(`${base}/api/v1/agent/ws`, {
    headers: authorization ? { authorization } : {},
    autoPong: options.autoPong ?? true,
  });
  const frames: Client['frames'] = [];
  const waiters: Array<(f: Client['frames'][number]) => void> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        closed,
        next: () => {
          const f = frames.shift();
          return f ? Promise.resolve(f) : new Promise((r) => waiters.push(r));
        },
      }),
    );
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error('refused'), { status: res.statusCode })),
    );
    ws.once('error', reject);
  });
}

function hello(hostId: string) {
  return encodeMessage('hello', {
    hostId,
    agentVersion: '0.1.0',
    bootId: 'boot-1',
    kernelRelease: '6.1.0-21-amd64',
    hostname: 'web-01',
    lastAckedSeq: 0,
  });
}

async function waitFor<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

forEachDatabase((backend) => {
  test('enroll, token, connect, report: stored, acknowledged, history only on change', async (t) => {
    const ctx = await buildApp(t, backend);
    const { app, db } = ctx;
    const admin = await createUser(db, 'admin');
    const enrollmentToken = await createEnrollmentToken(db, admin.id, { labels: { env: 'test' } });
    const enrolled = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/enroll',
      payload: { enrollmentToken, hostname: 'web-01', machineId: `m-${admin.id}` },
    });
    assert.equal(enrolled.statusCode, 201);
    const { hostId, credential } = enrolled.json();
    assert.match(credential, /^apc_[\w-]{43}$/);
    const host = await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    assert.deepEqual(host.labels, { env: 'test' });
    assert.ok(!host.credentialHash.includes(credential));

    const tokenRes = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/token',
      payload: { hostId, credential },
    });
    assert.equal(tokenRes.statusCode, 200);
    const { token, expiresAt } = tokenRes.json();
    const ttl = Date.parse(expiresAt) - Date.now();
    assert.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, String(ttl));

    const base = await listen(ctx);
    const client = await connect(base, `Bearer ${token}`);
    client.ws.send(hello(hostId));
    const report = servicesReport();
    client.ws.send(encodeMessage('report', { hostId, seq: 1, trigger: 'startup', report }));
    assert.deepEqual(await client.next(), { v: PROTOCOL_VERSION, type: 'ack', payload: { seq: 1 } });
    let stored = await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    assert.equal(stored.online, true);
    assert.equal(stored.status, 'restart');
    assert.equal(stored.reportSeq, 1n);
    assert.equal(stored.staleProcesses, report.processes.length);
    assert.equal(stored.agentVersion, '0.1.0');
    assert.deepEqual(stored.staleSince, new Date(report.scan.startedAt));
    const packages = await db.prisma.hostStalePackage.findMany({ where: { hostId } });
    assert.deepEqual(packages.map((p) => p.name).sort(), report.packages.map((p) => p.name).sort());

    // The same findings scanned later: acknowledged, no new history row.
    const later = servicesReport();
    later.scan = { ...later.scan, startedAt: '2024-05-14T10:30:00.000Z', durationMs: 50 };
    client.ws.send(encodeMessage('report', { hostId, seq: 2, trigger: 'interval', report: later }));
    assert.equal((await client.next()).payload.seq, 2);
    // A retransmission of seq 2 is acknowledged again and not stored twice.
    client.ws.send(encodeMessage('report', { hostId, seq: 2, trigger: 'interval', report: later }));
    assert.equal((await client.next()).payload.seq, 2);
    client.ws.send(encodeMessage('unchanged', { hostId, seq: 3, scannedAt: '2024-05-14T11:00:00.000Z' }));
    assert.equal((await client.next()).payload.seq, 3);
    assert.equal(await db.prisma.hostHistory.count({ where: { hostId } }), 1);
    // The host is fixed: a history row, staleSince cleared, packages gone.
    client.ws.send(
      encodeMessage('report', { hostId, seq: 4, trigger: 'interval', report: cleanHostReport() }),
    );
    assert.equal((await client.next()).payload.seq, 4);
    stored = await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    assert.equal(stored.status, 'ok');
    assert.equal(stored.staleSince, null);
    assert.equal(stored.reportSeq, 4n);
    assert.equal(await db.prisma.hostHistory.count({ where: { hostId } }), 2);
    assert.equal(await db.prisma.hostStalePackage.count({ where: { hostId } }), 0);
    const metrics = await app.inject({ url: '/metrics' });
    assert.match(metrics.body, /afterpatch_agents_connected 1/);
    assert.match(metrics.body, /afterpatch_reports_ingested_total\{result="stored"\} 2/);

    client.ws.close(1000);
    await client.closed;
    await waitFor(async () => {
      const h = await db.prisma.host.findUniqueOrThrow({ where: { id: hostId }, select: { online: true } });
      return h.online ? undefined : true;
    }, 'online=false');
    const audit = await db.prisma.auditEvent.findMany({ where: { targetId: hostId } });
    assert.deepEqual(
      audit.map((e) => e.action),
      ['agent.enroll'],
    );
  });

  test('enrollment tokens: expired, revoked, used up and unknown ones are refused; re-enrolling rotates', async (t) => {
    const ctx = await buildApp(t, backend);
    const { app, db } = ctx;
    const admin = await createUser(db, 'admin');
    const enroll = (enrollmentToken: string, machineId?: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/agents/enroll',
        payload: { enrollmentToken, hostname: 'h', ...(machineId ? { machineId } : {}) },
      });
    const expired = await createEnrollmentToken(db, admin.id, { expiresAt: new Date(Date.now() - 1000) });
    const revoked = await createEnrollmentToken(db, admin.id, { revoked: true });
    for (const token of [expired, revoked, 'ape_unknown']) {
      const res = await enroll(token);
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'AP_ENROLLMENT_TOKEN_INVALID');
    }
    const once = await createEnrollmentToken(db, admin.id, { maxUses: 1 });
    const machineId = `machine-${admin.id}`;
    const first = await enroll(once, machineId);
    assert.equal(first.statusCode, 201);
    assert.equal((await enroll(once, machineId)).statusCode, 401);
    const again = await createEnrollmentToken(db, admin.id);
    const second = await enroll(again, machineId);
    assert.equal(second.statusCode, 201);
    assert.equal(second.json().hostId, first.json().hostId);
    // The old credential no longer works, the new one does.
    const token = (credential: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/agents/token',
        payload: { hostId: first.json().hostId, credential },
      });
    const old = await token(first.json().credential);
    assert.equal(old.statusCode, 401);
    assert.equal(old.json().error.code, 'AP_AGENT_CREDENTIAL_INVALID');
    assert.equal((await token(second.json().credential)).statusCode, 200);
    // An agent token obtained before the rotation no longer opens the WebSocket.
    const before = agentAuth(first.json().hostId, 900, ctx.config.jwtSecret, -60);
    const base = await listen(ctx);
    await assert.rejects(connect(base, before), { status: 401 });
    await connect(base, agentAuth(first.json().hostId)).then((c) => c.ws.close());
    const actions = (
      await db.prisma.auditEvent.findMany({
        where: { targetId: first.json().hostId },
        orderBy: { id: 'asc' },
      })
    ).map((e) => e.action);
    assert.deepEqual(actions, ['agent.enroll', 'agent.reenroll']);
  });

  test('the upgrade is refused with 401 without a valid, current agent token', async (t) => {
    const ctx = await buildApp(t, backend);
    const host = await createHost(ctx.db);
    const admin = await createUser(ctx.db, 'admin');
    const base = await listen(ctx);
    const revokedHost = await createHost(ctx.db);
    await ctx.db.prisma.host.update({ where: { id: revokedHost.id }, data: { revokedAt: new Date() } });
    const jwt = (await import('jsonwebtoken')).default;
    const expired = jwt.sign(
      { typ: 'agent', exp: Math.floor(Date.now() / 1000) - 5 },
      ctx.config.jwtSecret!,
      {
        subject: host.id,
        issuer: 'afterpatch',
      },
    );
    for (const authorization of [
      undefined,
      'Bearer garbage',
      `Bearer ${expired}`,
      admin.auth,
      agentAuth(revokedHost.id),
    ]) {
      await assert.rejects(connect(base, authorization), { status: 401 }, String(authorization));
    }
    await assert.rejects(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${base}/not-the-endpoint`, {
          headers: { authorization: agentAuth(host.id) },
        });
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) =>
          reject(Object.assign(new Error('refused'), { status: res.statusCode })),
        );
      }),
      { status: 404 },
    );
    // The same credentials on REST are refused too: revoked hosts get no token.
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/agents/token',
      payload: { hostId: revokedHost.id, credential: revokedHost.credential },
    });
    assert.equal(res.statusCode, 401);
  });

  test('invalid frames get an error frame and the matching close code, never a crash', async (t) => {
    const ctx = await buildApp(t, backend);
    const host = await createHost(ctx.db);
    const other = await createHost(ctx.db);
    const base = await listen(ctx);
    const report = servicesReport();
    const cases: Array<[string, (hostId: string) => string | Buffer, number]> = [
      ['malformed JSON', () => '{"v":1,', CLOSE_CODES.protocolError],
      [
        'unknown type',
        (id) => JSON.stringify({ v: 1, type: 'explode', payload: { hostId: id } }),
        CLOSE_CODES.protocolError,
      ],
      [
        'wrong version',
        (id) => JSON.stringify({ v: 2, type: 'hello', payload: { hostId: id } }),
        CLOSE_CODES.unsupportedVersion,
      ],
      ['server-only type', () => encodeMessage('ack', { seq: 1 }), CLOSE_CODES.protocolError],
      [
        'report before hello',
        (id) => encodeMessage('report', { hostId: id, seq: 1, trigger: 'startup', report }),
        CLOSE_CODES.protocolError,
      ],
      ['hello for another host', () => hello(other.id), CLOSE_CODES.hostMismatch],
      [
        'invalid payload',
        (id) => JSON.stringify({ v: 1, type: 'hello', payload: { hostId: id } }),
        CLOSE_CODES.protocolError,
      ],
    ];
    for (const [name, frame, code] of cases) {
      const client = await connect(base, agentAuth(host.id));
      client.ws.send(frame(host.id));
      const error = await client.next();
      assert.equal(error.type, 'error', name);
      assert.equal(error.payload.code, code, name);
      assert.equal((await client.closed).code, code, name);
    }
    // After hello: a report for another host.
    const client = await connect(base, agentAuth(host.id));
    client.ws.send(hello(host.id));
    client.ws.send(encodeMessage('report', { hostId: other.id, seq: 1, trigger: 'startup', report }));
    assert.equal((await client.next()).payload.code, CLOSE_CODES.hostMismatch);
    assert.equal((await client.closed).code, CLOSE_CODES.hostMismatch);
    assert.equal((await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: other.id } })).reportSeq, 0n);
    // An oversized frame: ws refuses it while reading, with 1009.
    const big = await connect(base, agentAuth(host.id));
    big.ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x20));
    assert.equal((await big.closed).code, CLOSE_CODES.tooBig);
    // The server still serves.
    assert.equal((await ctx.app.inject({ url: '/healthz' })).statusCode, 200);
  });

  test('a second connection replaces the first (4005); revoking the host closes it (4001)', async (t) => {
    const ctx = await buildApp(t, backend);
    const host = await createHost(ctx.db);
    const admin = await createUser(ctx.db, 'admin');
    const base = await listen(ctx);
    const first = await connect(base, agentAuth(host.id));
    first.ws.send(hello(host.id));
    const second = await connect(base, agentAuth(host.id));
    assert.equal((await first.closed).code, CLOSE_CODES.replaced);
    second.ws.send(hello(host.id));
    await waitFor(
      async () =>
        (await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).online ? true : undefined,
      'online',
    );
    // The replaced connection's close must not mark the host offline.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).online, true);
    const scan = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/hosts/${host.id}/scan`,
      headers: { authorization: admin.auth },
    });
    assert.equal(scan.statusCode, 202);
    const request = await second.next();
    assert.equal(request.type, 'scan-request');
    assert.equal(request.payload.requestId, scan.json().requestId);
    const revoked = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/hosts/${host.id}/revoke`,
      headers: { authorization: admin.auth },
    });
    assert.equal(revoked.statusCode, 200);
    assert.ok(revoked.json().revokedAt);
    assert.equal((await second.closed).code, CLOSE_CODES.unauthorized);
    const events = await ctx.db.prisma.auditEvent.findMany({
      where: { targetId: host.id },
      orderBy: { id: 'asc' },
    });
    assert.deepEqual(
      events.map((e) => e.action),
      ['host.scan-request', 'host.credential.revoke'],
    );
  });

  test('a peer that stops answering pings is terminated by the heartbeat', async (t) => {
    const ctx = await buildApp(t, backend, { config: { heartbeatIntervalSeconds: 0.05 } });
    const host = await createHost(ctx.db);
    const other = await createHost(ctx.db);
    const base = await listen(ctx);
    // A live peer (ws answers pings by itself) stays connected over many intervals.
    const alive = await connect(base, agentAuth(host.id));
    alive.ws.send(hello(host.id));
    const dead = await connect(base, agentAuth(other.id), { autoPong: false });
    dead.ws.send(hello(other.id));
    // Terminated without a close frame: the client sees an abnormal closure.
    assert.equal((await dead.closed).code, 1006);
    await waitFor(
      async () =>
        (await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: other.id } })).online ? undefined : true,
      'offline',
    );
    assert.equal(alive.ws.readyState, WebSocket.OPEN);
    alive.ws.close();
  });

  test('when the database fails, the report is not acknowledged and the agent is told to retry (4013)', async (t) => {
    const fresh = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: fresh });
    const host = await createHost(fresh);
    const base = await listen(ctx);
    const client = await connect(base, agentAuth(host.id));
    client.ws.send(hello(host.id));
    await waitFor(
      async () =>
        (await fresh.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).online ? true : undefined,
      'hello',
    );
    // Break the table the report goes to: the same path as a database outage for the ingest.
    await fresh.prisma.$executeRawUnsafe('ALTER TABLE host_history RENAME TO host_history_gone');
    client.ws.send(
      encodeMessage('report', { hostId: host.id, seq: 1, trigger: 'startup', report: servicesReport() }),
    );
    const frame = await client.next();
    assert.equal(frame.type, 'error');
    assert.equal(frame.payload.code, CLOSE_CODES.tryAgainLater);
    assert.equal((await client.closed).code, CLOSE_CODES.tryAgainLater);
    // Nothing of the report was kept: the transaction rolled back.
    const stored = await fresh.prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.equal(stored.reportSeq, 0n);
    assert.equal(stored.status, 'unknown');
    await fresh.prisma.$executeRawUnsafe('ALTER TABLE host_history_gone RENAME TO host_history');
  });

  test('PostgreSQL unreachable: no ack, 4013, and the same report is stored after it is back', {
    skip: backend.name === 'pglite' ? 'PGlite is in-process' : false,
  }, async (t) => {
    const target = await backend.createTarget(t);
    const url = new URL(target.databaseUrl!);
    let proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    t.after(() => proxy.stop());
    url.host = `127.0.0.1:${proxy.port}`;
    const db = await backend.open(t, {
      target: { ...target, databaseUrl: url.href },
      connectTimeoutMs: 1000,
    });
    const ctx = await buildApp(t, backend, { database: db });
    const host = await createHost(db);
    const base = await listen(ctx);
    const client = await connect(base, agentAuth(host.id));
    client.ws.send(hello(host.id));
    await waitFor(
      async () =>
        (await db.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).online ? true : undefined,
      'hello',
    );
    const port = proxy.port;
    await proxy.stop();
    const frame = encodeMessage('report', {
      hostId: host.id,
      seq: 1,
      trigger: 'startup',
      report: servicesReport(),
    });
    client.ws.send(frame);
    const error = await client.next();
    assert.equal(error.type, 'error');
    assert.equal(error.payload.code, CLOSE_CODES.tryAgainLater);
    assert.equal((await client.closed).code, CLOSE_CODES.tryAgainLater);
    // The database is back (same address): the agent reconnects and resends; it is stored once.
    const upstream = new URL(target.databaseUrl!);
    proxy = await startTcpProxyOn(upstream.hostname, Number(upstream.port || 5432), port);
    const again = await connect(base, agentAuth(host.id));
    again.ws.send(hello(host.id));
    again.ws.send(frame);
    assert.deepEqual((await again.next()).payload, { seq: 1 });
    assert.equal((await db.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).reportSeq, 1n);
    again.ws.close();
  });

  test('closing the server closes agent connections with 4013 and marks hosts offline', async (t) => {
    const ctx = await buildApp(t, backend);
    const host = await createHost(ctx.db);
    const base = await listen(ctx);
    const client = await connect(base, agentAuth(host.id));
    client.ws.send(hello(host.id));
    await waitFor(
      async () =>
        (await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).online ? true : undefined,
      'hello',
    );
    await ctx.app.close();
    assert.equal((await client.closed).code, CLOSE_CODES.tryAgainLater);
    assert.equal((await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).online, false);
  });
});
