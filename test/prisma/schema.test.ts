// Every model of prisma/schema.prisma through Prisma and back, on both backends, with the values
// that tend to break on the way: bigints past 2^53, JSON, millisecond timestamps, text at the
// protocol's length bound, enums, and what the foreign keys do on delete. Plus the append-only
// audit table, which only the database enforces.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { AUDIT_APPEND_ONLY_SQLSTATE, sqlStateOf } from '../../server/db/errors.js';
import type { Database } from '../../server/db/open-database.js';
import { forEachDatabase } from '../helpers/databases.js';

const at = (iso: string) => new Date(iso);
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function createUser(db: Database, role: 'viewer' | 'operator' | 'admin' = 'admin') {
  return db.prisma.user.create({
    data: { username: unique('user'), passwordHash: '$argon2id$v=19$…', role },
  });
}

async function createHost(
  db: Database,
  extra: { enrollmentTokenId?: string; labels?: Record<string, string> } = {},
) {
  return db.prisma.host.create({ data: { hostname: unique('web'), credentialHash: 'sha256:abc', ...extra } });
}

forEachDatabase((backend) => {
  test('User round trip; username is unique', async () => {
    const db = await backend.shared();
    const data = {
      username: unique('alice'),
      passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
      role: 'operator' as const,
      createdAt: at('2026-03-04T05:06:07.089Z'),
      disabledAt: at('2026-05-06T07:08:09.123Z'),
      sessionEpoch: 3,
    };
    const created = await db.prisma.user.create({ data });
    assert.match(created.id, /^[0-9a-f-]{36}$/, 'the database generates a UUID');
    assert.deepEqual(await db.prisma.user.findUnique({ where: { id: created.id } }), {
      id: created.id,
      ...data,
    });
    await assert.rejects(
      db.prisma.user.create({ data: { username: data.username, passwordHash: 'x', role: 'viewer' } }),
      (err) => (err as { code?: string }).code === 'P2002',
    );
  });

  test('ApiToken round trip; deleting the user deletes the tokens', async () => {
    const db = await backend.shared();
    const user = await createUser(db);
    const data = {
      userId: user.id,
      name: 'ci pipeline',
      tokenHash: unique('hash'),
      prefix: 'ap_7Hx2',
      createdAt: at('2026-01-01T00:00:00.001Z'),
      expiresAt: at('2027-01-01T00:00:00.000Z'),
      revokedAt: null,
      lastUsedAt: at('2026-02-02T02:02:02.202Z'),
    };
    const token = await db.prisma.apiToken.create({ data });
    assert.deepEqual(await db.prisma.apiToken.findUnique({ where: { tokenHash: data.tokenHash } }), {
      id: token.id,
      ...data,
    });
    await db.prisma.user.delete({ where: { id: user.id } });
    assert.equal(await db.prisma.apiToken.count({ where: { id: token.id } }), 0);
  });

  test('EnrollmentToken round trip; its creator cannot be deleted; enrolled hosts outlive it', async () => {
    const db = await backend.shared();
    const creator = await createUser(db);
    const data = {
      name: 'rack 12',
      tokenHash: unique('enroll'),
      createdById: creator.id,
      createdAt: at('2026-06-01T12:00:00.000Z'),
      expiresAt: at('2026-06-08T12:00:00.000Z'),
      revokedAt: null,
      maxUses: 40,
      uses: 3,
      labels: { env: 'prod', rack: '12', tags: ['db', 'eu'] },
    };
    const token = await db.prisma.enrollmentToken.create({ data });
    assert.deepEqual(await db.prisma.enrollmentToken.findUnique({ where: { id: token.id } }), {
      id: token.id,
      ...data,
    });
    const defaults = await db.prisma.enrollmentToken.create({
      data: { name: 'defaults', tokenHash: unique('enroll'), createdById: creator.id, expiresAt: new Date() },
    });
    assert.deepEqual([defaults.uses, defaults.maxUses, defaults.labels], [0, null, {}]);

    await assert.rejects(
      db.prisma.user.delete({ where: { id: creator.id } }),
      (err) => sqlStateOf(err) === '23001' || (err as { code?: string }).code === 'P2003',
    );
    const host = await createHost(db, { enrollmentTokenId: token.id });
    await db.prisma.enrollmentToken.delete({ where: { id: token.id } });
    const after = await db.prisma.host.findUnique({
      where: { id: host.id },
      select: { enrollmentTokenId: true },
    });
    assert.deepEqual(after, { enrollmentTokenId: null });
  });

  test('Host round trip with every field; defaults of a freshly enrolled host', async () => {
    const db = await backend.shared();
    const fresh = await createHost(db);
    assert.deepEqual(
      {
        status: fresh.status,
        online: fresh.online,
        reportSeq: fresh.reportSeq,
        labels: fresh.labels,
        report: await db.prisma.hostReport.findUnique({ where: { hostId: fresh.id } }),
        counts: [fresh.staleProcesses, fresh.servicesToRestart, fresh.containersToRestart, fresh.sessions],
        rebootRequired: fresh.rebootRequired,
      },
      {
        status: 'unknown',
        online: false,
        reportSeq: 0n,
        labels: {},
        report: null,
        counts: [0, 0, 0, 0],
        rebootRequired: false,
      },
    );

    const data = {
      id: randomUUID(),
      hostname: 'h'.repeat(1024),
      machineId: unique('machine'),
      labels: { env: 'staging', 'team/owner': 'infra' },
      credentialHash: 'sha256:0123',
      credentialRotatedAt: at('2026-07-01T00:00:00.500Z'),
      enrolledAt: at('2026-07-01T00:00:00.000Z'),
      enrollmentTokenId: null,
      revokedAt: null,
      lastSeenAt: at('2026-07-02T10:00:00.999Z'),
      online: true,
      status: 'reboot' as const,
      bootId: '30f7badf-6d45-4977-8db3-077299ca57d4',
      kernelRelease: '6.18.0-1-amd64',
      agentVersion: '0.1.0',
      reportHash: 'sha256:ffee',
      reportedAt: at('2026-07-02T09:59:59.001Z'),
      reportSeq: 9_007_199_254_740_993n,
      staleSince: at('2026-07-01T08:00:00.000Z'),
      staleProcesses: 17,
      servicesToRestart: 4,
      containersToRestart: 2,
      sessions: 1,
      rebootRequired: true,
      instanceId: '7e0d1c52-43f4-4b0e-9a43-0b6f0cbdf5a1',
    };
    await db.prisma.host.create({ data });
    assert.deepEqual(await db.prisma.host.findUnique({ where: { id: data.id } }), data);
    // The current report lives in its own table (narrow host rows), one per host, JSON intact.
    const report = {
      schemaVersion: 1,
      processes: [{ pid: 1, exe: '/usr/lib/systemd/systemd' }],
      nested: { deep: [1, 2.5, null, true] },
    };
    await db.prisma.hostReport.create({ data: { hostId: data.id, report } });
    assert.deepEqual(
      await db.prisma.host.findUnique({ where: { id: data.id }, select: { currentReport: true } }),
      { currentReport: { hostId: data.id, report } },
    );
    await assert.rejects(
      db.prisma.hostReport.create({ data: { hostId: data.id, report } }),
      (err) => (err as { code?: string }).code === 'P2002',
    );
    await assert.rejects(
      db.prisma.host.create({ data: { hostname: 'h'.repeat(1025), credentialHash: 'x' } }),
      'a hostname past the protocol bound does not fit',
    );
    await assert.rejects(
      db.prisma.host.create({ data: { hostname: 'dup', credentialHash: 'x', machineId: data.machineId } }),
      (err) => (err as { code?: string }).code === 'P2002',
    );
    // machine_id is unique but optional: any number of hosts may lack one.
    await createHost(db);
    await createHost(db);
  });

  test('HostHistory round trip; rows go with their host', async () => {
    const db = await backend.shared();
    const host = await createHost(db);
    const data = {
      hostId: host.id,
      at: at('2026-08-01T00:00:00.123Z'),
      status: 'restart' as const,
      reportHash: 'sha256:aa',
      report: { schemaVersion: 1 },
      summary: { staleProcesses: 3, servicesToRestart: 1 },
    };
    const row = await db.prisma.hostHistory.create({ data });
    assert.equal(typeof row.id, 'bigint');
    assert.deepEqual(await db.prisma.hostHistory.findUnique({ where: { id: row.id } }), {
      id: row.id,
      ...data,
    });
    await db.prisma.host.delete({ where: { id: host.id } });
    assert.equal(await db.prisma.hostHistory.count({ where: { hostId: host.id } }), 0);
  });

  test('host_labels follow hosts.labels through the trigger: insert, change, other updates, delete', async () => {
    const db = await backend.shared();
    const pairs = async (hostId: string) =>
      (await db.prisma.hostLabel.findMany({ where: { hostId }, orderBy: { key: 'asc' } })).map(
        (l) => `${l.key}=${l.value}`,
      );
    const host = await createHost(db, { labels: { env: 'prod', 'team/owner': 'infra' } });
    assert.deepEqual(await pairs(host.id), ['env=prod', 'team/owner=infra']);
    await db.prisma.host.update({ where: { id: host.id }, data: { labels: { env: 'staging', rack: 'r7' } } });
    assert.deepEqual(await pairs(host.id), ['env=staging', 'rack=r7']);
    // The per-frame update names no labels: the rows stay as they are.
    await db.prisma.host.update({ where: { id: host.id }, data: { reportSeq: 5, online: true } });
    assert.deepEqual(await pairs(host.id), ['env=staging', 'rack=r7']);
    // Not an object (never written by the server, but possible by hand): no rows, no error.
    await db.prisma.host.update({ where: { id: host.id }, data: { labels: ['a'] } });
    assert.deepEqual(await pairs(host.id), []);
    await db.prisma.host.update({ where: { id: host.id }, data: { labels: { env: 'prod' } } });
    await db.prisma.host.delete({ where: { id: host.id } });
    assert.equal(await db.prisma.hostLabel.count({ where: { hostId: host.id } }), 0);
  });

  test('HostStalePackage round trip, keyed by host and name; "which hosts run the old glibc?"', async () => {
    const db = await backend.shared();
    const [a, b, c] = [await createHost(db), await createHost(db), await createHost(db)];
    const glibc = unique('libc6');
    const data = {
      hostId: a.id,
      name: glibc,
      installedVersion: '2.36-9+deb12u10',
      previousVersion: '2.36-9+deb12u9',
      processCount: 12,
      files: ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libm.so.6'],
    };
    await db.prisma.hostStalePackage.create({ data });
    assert.deepEqual(
      await db.prisma.hostStalePackage.findUnique({ where: { hostId_name: { hostId: a.id, name: glibc } } }),
      data,
    );
    await db.prisma.hostStalePackage.create({
      data: { ...data, hostId: b.id, installedVersion: null, previousVersion: null },
    });
    await db.prisma.hostStalePackage.create({ data: { ...data, hostId: c.id, name: unique('openssl') } });
    await assert.rejects(
      db.prisma.hostStalePackage.create({ data }),
      (err) => (err as { code?: string }).code === 'P2002',
    );

    const hosts = await db.prisma.hostStalePackage.findMany({
      where: { name: glibc },
      select: { hostId: true },
    });
    assert.deepEqual(new Set(hosts.map((row) => row.hostId)), new Set([a.id, b.id]));
    await db.prisma.host.delete({ where: { id: a.id } });
    assert.equal(await db.prisma.hostStalePackage.count({ where: { name: glibc } }), 1);
  });

  test('AuditEvent round trip; the table refuses UPDATE, DELETE and TRUNCATE whoever asks', async () => {
    const db = await backend.shared();
    const data = {
      actorType: 'user' as const,
      actorId: randomUUID(),
      action: 'host.revoke',
      targetType: 'host',
      targetId: randomUUID(),
      details: { reason: 'decommissioned', by: { ip: '192.0.2.1' } },
    };
    const event = await db.prisma.auditEvent.create({ data });
    assert.equal(typeof event.id, 'bigint');
    assert.ok(Math.abs(event.at.getTime() - Date.now()) < 60_000, 'at defaults to now');
    assert.deepEqual(await db.prisma.auditEvent.findUnique({ where: { id: event.id } }), {
      ...data,
      id: event.id,
      at: event.at,
    });
    const minimal = await db.prisma.auditEvent.create({
      data: { actorType: 'system', action: 'server.start' },
    });
    assert.deepEqual(
      [minimal.actorId, minimal.targetType, minimal.targetId, minimal.details],
      [null, null, null, {}],
    );

    const refused = (err: unknown) => sqlStateOf(err) === AUDIT_APPEND_ONLY_SQLSTATE;
    await assert.rejects(
      db.prisma.auditEvent.update({ where: { id: event.id }, data: { action: 'forged' } }),
      refused,
    );
    await assert.rejects(db.prisma.auditEvent.delete({ where: { id: event.id } }), refused);
    await assert.rejects(db.prisma.auditEvent.deleteMany({ where: { action: 'no-such-action' } }), refused);
    await assert.rejects(db.prisma.$executeRawUnsafe("UPDATE audit_events SET details = '{}'"), refused);
    await assert.rejects(db.prisma.$executeRawUnsafe('DELETE FROM audit_events'), refused);
    await assert.rejects(db.prisma.$executeRawUnsafe('TRUNCATE audit_events'), refused);
    const still = await db.prisma.auditEvent.findUnique({
      where: { id: event.id },
      select: { action: true, details: true },
    });
    assert.deepEqual(still, { action: data.action, details: data.details });
  });

  test('an interactive transaction that throws leaves nothing behind', async () => {
    const db = await backend.shared();
    const username = unique('rolled-back');
    await assert.rejects(
      db.prisma.$transaction(async (tx) => {
        await tx.user.create({ data: { username, passwordHash: 'x', role: 'viewer' } });
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(await db.prisma.user.count({ where: { username } }), 0);
    // And the connection is usable afterwards (PGlite has one session for everything).
    assert.equal((await createUser(db)).role, 'admin');
  });

  test('hostname substring search; the hostname index is a trigram GIN index', async () => {
    const db = await backend.shared();
    const tag = randomUUID().slice(0, 8);
    await db.prisma.host.createMany({
      data: ['web-01', 'web-02', 'db-01'].map((name) => ({
        hostname: `${name}.${tag}.example`,
        credentialHash: 'x',
      })),
    });
    const found = await db.prisma.host.findMany({
      where: { hostname: { contains: `web-0`, mode: 'insensitive' }, AND: { hostname: { contains: tag } } },
      select: { hostname: true },
      orderBy: { hostname: 'asc' },
    });
    assert.deepEqual(
      found.map((row) => row.hostname),
      [`web-01.${tag}.example`, `web-02.${tag}.example`],
    );
    const indexes = await db.prisma.$queryRaw<Array<{ indexdef: string }>>`
      SELECT indexdef FROM pg_indexes WHERE indexname = 'hosts_hostname_trgm_idx'`;
    assert.match(indexes[0]?.indexdef ?? '', /USING gin \(hostname gin_trgm_ops\)/);
  });
});
