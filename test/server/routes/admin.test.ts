// Enrollment tokens and the audit log through the admin API; bad input on any route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { forEachDatabase } from '../../helpers/databases.js';
import { buildApp, createUser } from '../../helpers/server-app.js';

forEachDatabase((backend) => {
  test('enrollment tokens: created with expiry, uses and labels, shown once, listed, revoked', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const admin = await createUser(db, 'admin');
    const operator = await createUser(db, 'operator');
    const body = { name: 'web rollout', expiresInSeconds: 3600, maxUses: 2, labels: { group: 'web' } };
    const denied = await app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: operator.auth },
      payload: body,
    });
    assert.equal(denied.statusCode, 403);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: admin.auth },
      payload: body,
    });
    assert.equal(created.statusCode, 201);
    const { token, enrollmentToken } = created.json();
    assert.match(token, /^ape_/);
    assert.equal(enrollmentToken.maxUses, 2);
    assert.equal(enrollmentToken.usable, true);
    assert.deepEqual(enrollmentToken.labels, { group: 'web' });
    const enrolled = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/enroll',
      payload: { enrollmentToken: token, hostname: 'w1' },
    });
    assert.equal(enrolled.statusCode, 201);
    const list = await app.inject({
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: admin.auth },
    });
    const listed = list.json().items.find((e: { id: string }) => e.id === enrollmentToken.id);
    assert.equal(listed.uses, 1);
    assert.equal(JSON.stringify(list.json()).includes(token), false);
    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/v1/enrollment-tokens/${enrollmentToken.id}`,
      headers: { authorization: admin.auth },
    });
    assert.equal(revoked.json().usable, false);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/enroll',
      payload: { enrollmentToken: token, hostname: 'w2' },
    });
    assert.equal(refused.statusCode, 401);
    const audit = await app.inject({
      url: `/api/v1/audit?actorId=${admin.id}`,
      headers: { authorization: admin.auth },
    });
    assert.deepEqual(
      audit.json().items.map((e: { action: string }) => e.action),
      ['enrollment-token.revoke', 'enrollment-token.create'],
    );
    assert.equal(audit.json().items[1].details.actorName, admin.username);
  });

  test('audit: filters by actor, action prefix and time; cursor pagination', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const admin = await createUser(db, 'admin');
    const start = new Date();
    for (let i = 0; i < 3; i++) {
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: admin.username, password: 'wrong' },
      });
    }
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: admin.username, password: admin.password },
    });
    const get = (query: string) =>
      app.inject({ url: `/api/v1/audit?${query}`, headers: { authorization: admin.auth } });
    const page1 = (await get(`actorId=${admin.id}&action=auth.&limit=3`)).json();
    assert.deepEqual(
      page1.items.map((e: { action: string }) => e.action),
      ['auth.login.success', 'auth.login.failure', 'auth.login.failure'],
    );
    const page2 = (await get(`actorId=${admin.id}&action=auth.&limit=3&before=${page1.nextCursor}`)).json();
    assert.deepEqual(
      page2.items.map((e: { action: string }) => e.action),
      ['auth.login.failure'],
    );
    assert.equal(page2.nextCursor, null);
    const exact = (await get(`actorId=${admin.id}&action=auth.login.success`)).json();
    assert.equal(exact.items.length, 1);
    assert.equal(exact.items[0].details.ip, '127.0.0.1');
    const future = (
      await get(`actorId=${admin.id}&from=${new Date(Date.now() + 60_000).toISOString()}`)
    ).json();
    assert.equal(future.items.length, 0);
    const since = (await get(`actorId=${admin.id}&from=${start.toISOString()}`)).json();
    assert.equal(since.items.length, 4);
    assert.equal((await get('limit=1000')).statusCode, 400);
  });

  test('bad input is answered with a coded error, never a crash', async (t) => {
    const { app, db, config } = await buildApp(t, backend, { config: { bodyLimitBytes: 4096 } });
    const admin = await createUser(db, 'admin');
    const cases: Array<[InjectOptions, number, string]> = [
      [
        {
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: '{"username":',
        },
        400,
        'AP_BAD_REQUEST',
      ],
      [
        {
          method: 'POST',
          url: '/api/v1/auth/login',
          headers: { 'content-type': 'text/plain' },
          payload: 'hello',
        },
        415,
        'AP_UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x' } },
        400,
        'AP_VALIDATION_FAILED',
      ],
      [
        { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x', password: 'y', extra: 1 } },
        400,
        'AP_VALIDATION_FAILED',
      ],
      [
        { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'x', password: 'y'.repeat(5000) } },
        413,
        'AP_PAYLOAD_TOO_LARGE',
      ],
      [
        {
          method: 'POST',
          url: '/api/v1/agents/token',
          payload: { hostId: 'not-a-uuid', credential: 'apc_x' },
        },
        400,
        'AP_VALIDATION_FAILED',
      ],
      [
        {
          method: 'POST',
          url: '/api/v1/agents/token',
          payload: { hostId: '00000000-0000-4000-8000-000000000000', credential: 'apc_x' },
        },
        401,
        'AP_AGENT_CREDENTIAL_INVALID',
      ],
      [
        { method: 'GET', url: '/api/v1/no-such-thing', headers: { authorization: admin.auth } },
        404,
        'AP_NOT_FOUND',
      ],
      [
        {
          method: 'PATCH',
          url: '/api/v1/users/00000000-0000-4000-8000-000000000000',
          headers: { authorization: admin.auth },
          payload: {},
        },
        400,
        'AP_VALIDATION_FAILED',
      ],
      [
        {
          method: 'PATCH',
          url: '/api/v1/users/00000000-0000-4000-8000-000000000000',
          headers: { authorization: admin.auth },
          payload: { role: 'viewer' },
        },
        404,
        'AP_NOT_FOUND',
      ],
    ];
    for (const [request, status, code] of cases) {
      const res = await app.inject(request);
      assert.equal(res.statusCode, status, `${JSON.stringify(request).slice(0, 120)}: ${res.body}`);
      assert.equal(res.json().error.code, code);
    }
    assert.equal(config.bodyLimitBytes, 4096);
  });

  test('OpenAPI at /docs/json lists the API; /docs is served without any external resource', async (t) => {
    const { app } = await buildApp(t, backend);
    const spec = (await app.inject({ url: '/docs/json' })).json();
    for (const path of [
      '/api/v1/fleet/summary',
      '/api/v1/hosts',
      '/api/v1/hosts/{id}/history',
      '/api/v1/agents/enroll',
      '/api/v1/audit',
    ]) {
      assert.ok(spec.paths[path], path);
    }
    assert.ok(
      spec.paths['/api/v1/hosts'].get.parameters.some((p: { name: string }) => p.name === 'pageSize'),
    );
    const page = await app.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /(src|href)="(https?:)?\/\//);
    const asset = page.body.match(/src="\.\/(static\/[^"]+\.js)"/)?.[1];
    assert.ok(asset);
    assert.equal((await app.inject({ url: `/docs/${asset}` })).statusCode, 200);
  });
});
