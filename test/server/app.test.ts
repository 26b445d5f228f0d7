import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { afterpatchApp } from '../../server/app.js';
import { forEachDatabase } from '../helpers/databases.js';
import { buildApp, createUser, testConfig } from '../helpers/server-app.js';

forEachDatabase((backend) => {
  test('a route that declares no minimum role stops the app from starting', async (t) => {
    const db = await backend.shared();
    const app = Fastify();
    t.after(() => app.close());
    await app.register(fp(afterpatchApp), { config: testConfig(), database: db, bootstrapAdmin: false });
    app.register(async (child) => {
      child.get('/api/v1/forgotten', async () => ({ open: true }));
    });
    await assert.rejects(async () => {
      await app.ready();
    }, /declares no config\.minRole/);
  });

  test('the last enabled admin cannot be demoted or disabled', async (t) => {
    const db = await backend.open(t);
    const { app } = await buildApp(t, backend, { database: db });
    const admin = await createUser(db, 'admin');
    for (const payload of [{ role: 'operator' }, { disabled: true }]) {
      const res = await app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${admin.id}`,
        headers: { authorization: admin.auth },
        payload,
      });
      assert.equal(res.statusCode, 409, JSON.stringify(payload));
      assert.equal(res.json().error.code, 'AP_CONFLICT');
    }
    const second = await createUser(db, 'admin');
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${admin.id}`,
      headers: { authorization: second.auth },
      payload: { role: 'viewer' },
    });
    assert.equal(res.statusCode, 200);
  });

  test('/metrics exposes the HTTP histogram by route pattern', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const viewer = await createUser(db, 'viewer');
    await app.inject({
      url: '/api/v1/hosts/00000000-0000-4000-8000-000000000000',
      headers: { authorization: viewer.auth },
    });
    const metrics = await app.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers['content-type'] as string, /text\/plain/);
    assert.match(
      metrics.body,
      /afterpatch_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/hosts\/:id",status="404"\} 1/,
    );
    assert.match(metrics.body, /afterpatch_db_errors_total/);
  });
});
