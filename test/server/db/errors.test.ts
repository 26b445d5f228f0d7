import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import {
  DB_ERROR_CODES,
  DbError,
  isDbError,
  isRetriableDbError,
  sqlStateOf,
} from '../../../server/db/errors.js';
import { getBackend, skipPostgres } from '../../helpers/databases.js';
import { repoRoot } from '../../helpers/paths.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isRetriableDbError', () => {
  const retriable: Array<[string, unknown]> = [
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset', withCode('ECONNRESET')],
    ['refused on every address (AggregateError)', new AggregateError([withCode('ECONNREFUSED')], '')],
    ['node-postgres dropped connection', new Error('Connection terminated unexpectedly')],
    ['server shutting down (57P01)', Object.assign(withCode('57P01'), { severity: 'FATAL' })],
    ['connection exception class 08', Object.assign(withCode('08006'), { severity: 'ERROR' })],
    ['serialization failure', Object.assign(withCode('40001'), { severity: 'ERROR' })],
    ['Prisma: cannot reach server', withCode('P1001')],
    ['Prisma: write conflict', withCode('P2034')],
    [
      'Prisma error wrapping an adapter error',
      Object.assign(withCode('P2010'), {
        meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } },
      }),
    ],
    [
      'DB_UNAVAILABLE caused by a refusal',
      new DbError('DB_UNAVAILABLE', 'x', { cause: withCode('ECONNREFUSED') }),
    ],
  ];
  for (const [name, err] of retriable) {
    test(`retriable: ${name}`, () => assert.equal(isRetriableDbError(err), true));
  }

  const final: Array<[string, unknown]> = [
    ['unique violation', Object.assign(withCode('23505'), { severity: 'ERROR' })],
    ['syntax error', Object.assign(withCode('42601'), { severity: 'ERROR' })],
    ['Prisma: unique constraint', withCode('P2002')],
    [
      'authentication failed (DB_UNAVAILABLE)',
      new DbError('DB_UNAVAILABLE', 'x', { cause: withCode('28P01') }),
    ],
    ['DB_LOCKED', new DbError('DB_LOCKED', 'x', { cause: withCode('ECONNREFUSED') })],
    ['DB_MIGRATION_FAILED', new DbError('DB_MIGRATION_FAILED', 'x')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ];
  for (const [name, err] of final) {
    test(`not retriable: ${name}`, () => assert.equal(isRetriableDbError(err), false));
  }

  test('a cause cycle ends', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    assert.equal(isRetriableDbError(a), false);
  });
});

describe('DbError', () => {
  test('carries code, HTTP status, frozen details and cause', () => {
    const cause = new Error('inner');
    const err = new DbError('DB_LOCKED', 'held', { cause, details: { pid: 7 } });
    assert.deepEqual(
      [err.code, err.statusCode, err.details.pid, err.cause, err.name],
      ['DB_LOCKED', 500, 7, cause, 'DbError'],
    );
    assert.ok(Object.isFrozen(err.details));
    assert.ok(isDbError(err) && isDbError(err, 'DB_LOCKED') && !isDbError(err, 'DB_UNAVAILABLE'));
    assert.equal(new DbError('DB_UNAVAILABLE', 'x').statusCode, 503);
  });

  test('every code is documented in server/README.md', () => {
    const readme = readFileSync(join(repoRoot, 'server', 'README.md'), 'utf8');
    for (const code of Object.keys(DB_ERROR_CODES))
      assert.ok(readme.includes(`\`${code}\``), `${code} documented`);
  });
});

describe('real failures (postgres)', { skip: skipPostgres }, () => {
  const backend = getBackend('postgres');

  test('a query whose connection is terminated is retriable; the pool recovers', async (t) => {
    const target = await backend.createTarget(t);
    const db = await backend.open(t, { target });
    // Prisma's promises are lazy: .then starts the query.
    const sleeping = db.prisma.$executeRaw`SELECT pg_sleep(30)`.then(
      () => assert.fail('the query should have been cut off'),
      (err: unknown) => err,
    );
    const admin = new pg.Client({ connectionString: target.databaseUrl });
    admin.on('error', () => {});
    await admin.connect();
    t.after(() => admin.end().catch(() => {}));
    let terminated = 0;
    for (let i = 0; i < 100 && terminated === 0; i++) {
      const result = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(30)%'`,
      );
      terminated = result.rowCount ?? 0;
      if (terminated === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(terminated, 1, 'found the sleeping query');
    const err = await sleeping;
    assert.equal(isRetriableDbError(err), true, String(err));
    assert.equal(await db.prisma.user.count(), 0, 'the next query gets a new connection');
  });

  test('a constraint violation through Prisma is not retriable and shows its SQLSTATE', async () => {
    const db = await backend.shared();
    await db.prisma.user.create({ data: { username: 'twice', passwordHash: 'x', role: 'viewer' } });
    const err = await db.prisma.user
      .create({ data: { username: 'twice', passwordHash: 'x', role: 'viewer' } })
      .catch((e: unknown) => e);
    assert.equal(isRetriableDbError(err), false);
    assert.equal((err as { code?: string }).code, 'P2002');
    const raw = await db.prisma
      .$executeRawUnsafe("INSERT INTO users (username, password_hash, role) VALUES ('twice', 'x', 'viewer')")
      .catch((e: unknown) => e);
    assert.equal(sqlStateOf(raw), '23505');
  });
});
