import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDatabase } from '../../helpers/databases.js';
import { buildApp, createUser } from '../../helpers/server-app.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';

forEachDatabase((backend) => {
  test('GET /healthz is public and says whether the database answers', async (t) => {
    const { app } = await buildApp(t, backend);
    const res = await app.inject({ url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', database: 'ok' });
  });

  // PGlite runs inside the server process: it cannot become unreachable on its own.
  const skip = backend.name === 'pglite' ? 'PGlite is in-process' : false;
  test('when PostgreSQL becomes unreachable: /healthz 503, the API 503 AP_DB_UNAVAILABLE', {
    skip,
  }, async (t) => {
    const target = await backend.createTarget(t);
    const url = new URL(target.databaseUrl!);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    t.after(() => proxy.stop());
    url.host = `127.0.0.1:${proxy.port}`;
    const db = await backend.open(t, {
      target: { ...target, databaseUrl: url.href },
      connectTimeoutMs: 1000,
    });
    const { app } = await buildApp(t, backend, { database: db });
    const admin = await createUser(db, 'admin');
    await proxy.stop();
    const health = await app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 503);
    assert.deepEqual(health.json(), { status: 'unavailable', database: 'unreachable' });
    const res = await app.inject({ url: '/api/v1/fleet/summary', headers: { authorization: admin.auth } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'AP_DB_UNAVAILABLE');
    assert.ok(res.headers['retry-after']);
  });
});
