// GET /api/v1/fleet/timeline over history rows with known times, on both databases. Each test
// uses a fresh database so the counts are exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDatabase } from '../../helpers/databases.js';
import { buildApp, createHost, createUser } from '../../helpers/server-app.js';

const DAY = 86_400_000;
const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY);

forEachDatabase((backend) => {
  test('counts hosts per status at the end of each day, from the history', async (t) => {
    const db = await backend.open(t);
    const { app } = await buildApp(t, backend, { database: db });
    const viewer = await createUser(db, 'viewer');
    const history = async (hostId: string, at: Date, status: 'ok' | 'restart' | 'reboot') =>
      db.prisma.hostHistory.create({
        data: { hostId, at, status, reportHash: 'h', report: {}, summary: {} },
      });
    // a: enrolled day 0, ok on day 1, restart on day 3 (noon), ok again on day 5.
    const a = await createHost(db);
    await db.prisma.host.update({ where: { id: a.id }, data: { enrolledAt: day(0) } });
    await history(a.id, day(1), 'ok');
    await history(a.id, new Date(day(3).getTime() + DAY / 2), 'restart');
    await history(a.id, day(5), 'ok');
    // b: enrolled on day 2, reboot on day 4.
    const b = await createHost(db);
    await db.prisma.host.update({ where: { id: b.id }, data: { enrolledAt: day(2) } });
    await history(b.id, day(4), 'reboot');
    // c: revoked: left out.
    const c = await createHost(db);
    await db.prisma.host.update({ where: { id: c.id }, data: { enrolledAt: day(0), revokedAt: day(1) } });
    await history(c.id, day(1), 'reboot');

    const res = await app.inject({
      url: `/api/v1/fleet/timeline?bucket=day&from=${day(0).toISOString()}&to=${day(5).toISOString()}`,
      headers: { authorization: viewer.auth },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.bucket, 'day');
    assert.deepEqual(
      body.points.map((p: { at: string; ok: number; restart: number; reboot: number; unknown: number }) => [
        p.at.slice(0, 10),
        p.ok,
        p.restart,
        p.reboot,
        p.unknown,
      ]),
      [
        ['2026-01-01', 0, 0, 0, 1],
        ['2026-01-02', 1, 0, 0, 0],
        ['2026-01-03', 1, 0, 0, 1],
        ['2026-01-04', 0, 1, 0, 1],
        ['2026-01-05', 0, 1, 1, 0],
        ['2026-01-06', 1, 0, 1, 0],
      ],
    );

    // A range starting after everything happened starts from the state then.
    const late = await app.inject({
      url: `/api/v1/fleet/timeline?bucket=hour&from=${day(10).toISOString()}&to=${new Date(day(10).getTime() + 3_600_000).toISOString()}`,
      headers: { authorization: viewer.auth },
    });
    assert.deepEqual(
      late.json().points.map((p: { ok: number; reboot: number }) => [p.ok, p.reboot]),
      [
        [1, 1],
        [1, 1],
      ],
    );
  });

  test('refuses anonymous callers, reversed and too long ranges', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const viewer = await createUser(db, 'viewer');
    assert.equal((await app.inject({ url: '/api/v1/fleet/timeline' })).statusCode, 401);
    const get = (query: string) =>
      app.inject({ url: `/api/v1/fleet/timeline?${query}`, headers: { authorization: viewer.auth } });
    assert.equal((await get('')).statusCode, 200);
    assert.equal((await get('bucket=day')).json().points.length, 30);
    assert.equal((await get('bucket=hour')).json().points.length, 48);
    assert.equal((await get(`from=${day(5).toISOString()}&to=${day(1).toISOString()}`)).statusCode, 400);
    assert.equal(
      (await get(`bucket=hour&from=${day(0).toISOString()}&to=${day(60).toISOString()}`)).statusCode,
      400,
    );
    assert.equal((await get('bucket=week')).statusCode, 400);
  });
});
