import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensureFirstAdmin, INITIAL_ADMIN_PASSWORD_FILE } from '../../../server/auth/ensure-first-admin.js';
import { ensureJwtSecret } from '../../../server/auth/ensure-jwt-secret.js';
import { verifyPassword } from '../../../server/auth/password.js';
import { forEachDatabase } from '../../helpers/databases.js';

function recordingLogger() {
  const lines: string[] = [];
  const log = (fields: object, message: string) => lines.push(JSON.stringify({ ...fields, message }));
  return { lines, logger: { info: log, warn: log } };
}

forEachDatabase((backend) => {
  test('on an empty database: an admin with a generated password, written once with mode 0600', async (t) => {
    const db = await backend.open(t);
    const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-admin-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const { lines, logger } = recordingLogger();
    const result = await ensureFirstAdmin({ prisma: db.prisma, dataDir, logger });
    assert.equal(result.created, true);
    const file = join(dataDir, INITIAL_ADMIN_PASSWORD_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const password = readFileSync(file, 'utf8').trim();
    assert.ok(password.length >= 20);
    const admin = await db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    assert.equal(admin.role, 'admin');
    assert.ok(await verifyPassword(password, admin.passwordHash));
    // The log names the file, never the password.
    assert.ok(lines.some((l) => l.includes(file)));
    assert.ok(lines.every((l) => !l.includes(password)));
    const audit = await db.prisma.auditEvent.findMany({ where: { targetId: admin.id } });
    assert.deepEqual(
      audit.map((e) => [e.action, e.actorType]),
      [['user.create', 'system']],
    );
    // A second start changes nothing.
    assert.deepEqual(await ensureFirstAdmin({ prisma: db.prisma, dataDir, logger }), { created: false });
    assert.equal(readFileSync(file, 'utf8').trim(), password);
    assert.equal(await db.prisma.user.count(), 1);
  });

  test('with AFTERPATCH_ADMIN_PASSWORD: that password, and no file', async (t) => {
    const db = await backend.open(t);
    const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-admin-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const { logger, lines } = recordingLogger();
    const result = await ensureFirstAdmin({
      prisma: db.prisma,
      dataDir,
      logger,
      password: 'given password 123',
    });
    assert.deepEqual(result, { created: true, username: 'admin' });
    const admin = await db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    assert.ok(await verifyPassword('given password 123', admin.passwordHash));
    assert.throws(() => statSync(join(dataDir, INITIAL_ADMIN_PASSWORD_FILE)), { code: 'ENOENT' });
    assert.ok(lines.every((l) => !l.includes('given password 123')));
  });

  test('an unwritable password file creates no admin (nobody would know its password)', async (t) => {
    const db = await backend.open(t);
    const { logger } = recordingLogger();
    await assert.rejects(
      ensureFirstAdmin({ prisma: db.prisma, dataDir: '/nonexistent/afterpatch', logger }),
      { code: 'ENOENT' },
    );
    assert.equal(await db.prisma.user.count(), 0);
  });

  test('the JWT secret is generated once and shared through the database; config wins', async () => {
    const db = await backend.shared();
    const first = await ensureJwtSecret(db.prisma);
    assert.ok(first.length >= 48);
    assert.equal(await ensureJwtSecret(db.prisma), first);
    assert.equal(await ensureJwtSecret(db.prisma, 'from-config'), 'from-config');
  });
});
