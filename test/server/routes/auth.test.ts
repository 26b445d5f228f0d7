import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueToken } from '../../../server/auth/jwt.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { buildApp, createUser, TEST_JWT_SECRET } from '../../helpers/server-app.js';

forEachDatabase((backend) => {
  test('login returns a JWT that authenticates, and both outcomes are audited', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const user = await createUser(db, 'viewer');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: 'nope' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.code, 'AP_LOGIN_FAILED');
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: user.password },
    });
    assert.equal(ok.statusCode, 200);
    const body = ok.json();
    assert.equal(body.user.role, 'viewer');
    const me = await app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${body.token}` },
    });
    assert.deepEqual(me.json(), { id: user.id, username: user.username, role: 'viewer', via: 'user' });
    const events = await db.prisma.auditEvent.findMany({
      where: { actorId: user.id },
      orderBy: { id: 'asc' },
    });
    assert.deepEqual(
      events.map((e) => e.action),
      ['auth.login.failure', 'auth.login.success'],
    );
    assert.equal((events[0]!.details as { reason: string }).reason, 'wrong-password');
  });

  test('logout ends every login session of the user at once; a new login works; API tokens stay', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const user = await createUser(db, 'operator');
    const login = async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user.username, password: user.password },
      });
      assert.equal(res.statusCode, 200);
      return `Bearer ${res.json().token as string}`;
    };
    const me = async (authorization: string) =>
      (await app.inject({ url: '/api/v1/auth/me', headers: { authorization } })).statusCode;
    const browser = await login();
    const laptop = await login();
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: { authorization: browser },
      payload: { name: 'ci' },
    });
    const apiToken = `Bearer ${created.json().token as string}`;
    assert.equal(await me(browser), 200);

    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: browser },
    });
    assert.equal(out.statusCode, 204);
    // Both sessions are over long before their tokens would expire.
    assert.equal(await me(browser), 401);
    assert.equal(await me(laptop), 401);
    assert.equal(await me(apiToken), 200, 'API tokens are revoked on their own');
    // An API token cannot "log out" (403, saying how to revoke it instead).
    const byToken = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: apiToken },
    });
    assert.equal(byToken.statusCode, 403);
    assert.match(byToken.json().error.message, /DELETE \/api\/v1\/api-tokens/);
    // Logging in again right away works (same second included).
    const again = await login();
    assert.equal(await me(again), 200);
    const audit = await db.prisma.auditEvent.findMany({
      where: { action: 'auth.logout', targetId: user.id },
    });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actorId, user.id);
  });

  test('an unknown user and a disabled user cannot log in', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const user = await createUser(db, 'admin');
    await db.prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    for (const username of [user.username, 'nobody-at-all']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: user.password },
      });
      assert.equal(res.statusCode, 401, username);
    }
    // A token issued before the user was disabled stops working too.
    const res = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: user.auth } });
    assert.equal(res.statusCode, 401);
  });

  test('login is rate-limited per client and username (429 with Retry-After)', async (t) => {
    const { app, db } = await buildApp(t, backend, { config: { loginRateLimitMax: 2 } });
    const user = await createUser(db, 'viewer');
    const attempt = (username: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'wrong' } });
    assert.equal((await attempt(user.username)).statusCode, 401);
    assert.equal((await attempt(user.username)).statusCode, 401);
    const limited = await attempt(user.username);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'AP_RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    // Even the right password waits now; another username does not.
    const right = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user.username, password: user.password },
    });
    assert.equal(right.statusCode, 429);
    assert.equal((await attempt('someone-else')).statusCode, 401);
  });

  test('401 without or with bad credentials, 403 for a too-low role', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const viewer = await createUser(db, 'viewer');
    const operator = await createUser(db, 'operator');
    const admin = await createUser(db, 'admin');
    const expired = issueToken(TEST_JWT_SECRET, 'user', admin.id, 60);
    const agentToken = issueToken(TEST_JWT_SECRET, 'agent', admin.id, 60).token;
    const otherSecret = issueToken(
      'another-secret-another-secret-another-secret',
      'user',
      admin.id,
      60,
    ).token;
    const cases: Array<[string | undefined, string, number]> = [
      [undefined, '/api/v1/hosts', 401],
      ['Basic YWRtaW46YWRtaW4=', '/api/v1/hosts', 401],
      ['Bearer not-a-jwt', '/api/v1/hosts', 401],
      [`Bearer ${agentToken}`, '/api/v1/hosts', 401],
      [`Bearer ${otherSecret}`, '/api/v1/hosts', 401],
      ['Bearer apt_unknown', '/api/v1/hosts', 401],
      [undefined, '/api/v1/users', 401],
      [viewer.auth, '/api/v1/hosts', 200],
      [viewer.auth, '/api/v1/users', 403],
      [operator.auth, '/api/v1/users', 403],
      [operator.auth, '/api/v1/audit', 403],
      [admin.auth, '/api/v1/users', 200],
      [admin.auth, '/api/v1/audit', 200],
    ];
    for (const [authorization, url, status] of cases) {
      const res = await app.inject({ url, headers: authorization ? { authorization } : {} });
      assert.equal(res.statusCode, status, `${authorization} ${url}`);
      if (status >= 400) assert.match(res.json().error.code, /^AP_(UNAUTHENTICATED|FORBIDDEN)$/);
    }
    // An expired token: jsonwebtoken compares with the clock, so forge one from the past.
    const jwt = await import('jsonwebtoken');
    const old = jwt.default.sign({ typ: 'user', exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_SECRET, {
      subject: admin.id,
      issuer: 'afterpatch',
    });
    assert.ok(expired.token);
    const res = await app.inject({ url: '/api/v1/hosts', headers: { authorization: `Bearer ${old}` } });
    assert.equal(res.statusCode, 401);
  });

  test('API tokens: shown once, stored hashed, act with the user role, revocable', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const operator = await createUser(db, 'operator');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: { authorization: operator.auth },
      payload: { name: 'ci' },
    });
    assert.equal(created.statusCode, 201);
    const { token, apiToken } = created.json();
    assert.match(token, /^apt_[\w-]{43}$/);
    const stored = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } });
    assert.notEqual(stored.tokenHash, token);
    assert.ok(!JSON.stringify(stored).includes(token));
    const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(me.json(), {
      id: operator.id,
      username: operator.username,
      role: 'operator',
      via: 'token',
    });
    assert.equal(
      (await app.inject({ url: '/api/v1/users', headers: { authorization: `Bearer ${token}` } })).statusCode,
      403,
    );
    const list = await app.inject({ url: '/api/v1/api-tokens', headers: { authorization: operator.auth } });
    assert.equal(list.json().items.length, 1);
    assert.equal(list.json().items[0].prefix, token.slice(0, 10));
    // Another user cannot see or revoke it; listing all needs admin.
    const viewer = await createUser(db, 'viewer');
    const foreign = await app.inject({
      method: 'DELETE',
      url: `/api/v1/api-tokens/${apiToken.id}`,
      headers: { authorization: viewer.auth },
    });
    assert.equal(foreign.statusCode, 404);
    assert.equal(
      (await app.inject({ url: '/api/v1/api-tokens?all=true', headers: { authorization: viewer.auth } }))
        .statusCode,
      403,
    );
    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/v1/api-tokens/${apiToken.id}`,
      headers: { authorization: operator.auth },
    });
    assert.equal(revoked.statusCode, 200);
    assert.ok(revoked.json().revokedAt);
    assert.equal(
      (await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
      401,
    );
    const actions = (
      await db.prisma.auditEvent.findMany({ where: { targetId: apiToken.id }, orderBy: { id: 'asc' } })
    ).map((e) => e.action);
    assert.deepEqual(actions, ['api-token.create', 'api-token.revoke']);
  });

  test('an expired API token is refused', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const admin = await createUser(db, 'admin');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: { authorization: admin.auth },
      payload: { name: 'short', expiresInSeconds: 60 },
    });
    const { token, apiToken } = created.json();
    await db.prisma.apiToken.update({
      where: { id: apiToken.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    assert.equal(
      (await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
      401,
    );
  });

  test('admins manage users, and the changes are audited', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const admin = await createUser(db, 'admin');
    const username = `u-${admin.id.slice(0, 8)}`;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: admin.auth },
      payload: { username, password: 'a long enough password', role: 'viewer' },
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().role, 'viewer');
    assert.equal(created.json().passwordHash, undefined);
    const duplicate = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: admin.auth },
      payload: { username, password: 'a long enough password', role: 'viewer' },
    });
    assert.equal(duplicate.statusCode, 409);
    const short = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: admin.auth },
      payload: { username: `${username}x`, password: 'short', role: 'viewer' },
    });
    assert.equal(short.statusCode, 400);
    assert.equal(short.json().error.code, 'AP_VALIDATION_FAILED');
    const promoted = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${created.json().id}`,
      headers: { authorization: admin.auth },
      payload: { role: 'operator' },
    });
    assert.equal(promoted.json().role, 'operator');
    const events = await db.prisma.auditEvent.findMany({
      where: { targetId: created.json().id },
      orderBy: { id: 'asc' },
    });
    assert.deepEqual(
      events.map((e) => e.action),
      ['user.create', 'user.update'],
    );
    assert.deepEqual((events[1]!.details as { role: unknown }).role, { from: 'viewer', to: 'operator' });
    assert.equal(events[1]!.actorId, admin.id);

    // A password reset ends the user's login sessions: the token taken with the old password is refused.
    const session = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: 'a long enough password' },
    });
    const auth = `Bearer ${session.json().token as string}`;
    const me = async () =>
      (await app.inject({ url: '/api/v1/auth/me', headers: { authorization: auth } })).statusCode;
    assert.equal(await me(), 200);
    const reset = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${created.json().id}`,
      headers: { authorization: admin.auth },
      payload: { password: 'another long enough password' },
    });
    assert.equal(reset.statusCode, 200);
    assert.equal(await me(), 401);
    // So does a disable: enabling the user again does not bring an old token back.
    const relogin = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: 'another long enough password' },
    });
    const auth2 = `Bearer ${relogin.json().token as string}`;
    const patch = (payload: object) =>
      app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${created.json().id}`,
        headers: { authorization: admin.auth },
        payload,
      });
    assert.equal((await patch({ disabled: true })).statusCode, 200);
    assert.equal((await patch({ disabled: false })).statusCode, 200);
    assert.equal(
      (await app.inject({ url: '/api/v1/auth/me', headers: { authorization: auth2 } })).statusCode,
      401,
    );
    const resetAudit = await db.prisma.auditEvent.findMany({
      where: { targetId: created.json().id, action: 'user.update' },
      orderBy: { id: 'asc' },
    });
    assert.equal((resetAudit[1]!.details as { sessionsEnded?: boolean }).sessionsEnded, true);
  });
});
