// The engine-free migration runner on both backends: atomic migrations, Prisma's bookkeeping, and
// the cases where it must refuse to go on.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import pg from 'pg';
import {
  applyMigrations,
  MIGRATION_LOCK_KEY,
  type MigrationRow,
  planMigrations,
} from '../../../server/db/apply-migrations.js';
import { isDbError } from '../../../server/db/errors.js';
import type { DbLogger } from '../../../server/db/logger.js';
import { openDatabase } from '../../../server/db/open-database.js';
import { clientSession } from '../../../server/db/open-postgres.js';
import { defaultMigrationsDir, type Migration, readMigrations } from '../../../server/db/read-migrations.js';
import { forEachDatabase, getBackend, skipPostgres } from '../../helpers/databases.js';
import { cliDatabaseUrl, runPrisma, showRun } from '../../helpers/prisma-cli.js';
import { createScratch } from '../../helpers/scratch.js';

const INIT = readMigrations(defaultMigrationsDir());

/** A copy of the real migration set plus `extra` migrations, in a temp dir removed after `t`. */
function migrationsWith(t: TestContext, extra: Record<string, string>): string {
  const dir = join(createScratch(t).dir, 'migrations');
  cpSync(defaultMigrationsDir(), dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

function recordingLogger() {
  const entries: Array<{ level: 'info' | 'warn'; message: string; fields: Record<string, unknown> }> = [];
  const logger: DbLogger = {
    info: (fields, message) =>
      entries.push({ level: 'info', message, fields: fields as Record<string, unknown> }),
    warn: (fields, message) =>
      entries.push({ level: 'warn', message, fields: fields as Record<string, unknown> }),
  };
  return { logger, entries };
}

const BROKEN = '20990101000000_broken';

forEachDatabase((backend) => {
  test('a failing migration leaves none of its changes, records its error and blocks later runs', async (t) => {
    const target = await backend.createTarget(t);
    const migrationsDir = migrationsWith(t, {
      [BROKEN]: `CREATE TABLE half_done (x int);
ALTER TABLE users ADD COLUMN half_applied int;
INSERT INTO half_done VALUES (1);
SELECT 1 / 0;
`,
    });
    await assert.rejects(
      openDatabase({ ...target, migrationsDir }),
      (err) =>
        isDbError(err, 'DB_MIGRATION_FAILED') &&
        err.details.migration === BROKEN &&
        /division by zero/.test(err.message),
    );

    const leftovers = await backend.inspect<{ tables: number; columns: number }>(
      target,
      `SELECT (SELECT count(*)::int FROM information_schema.tables WHERE table_name = 'half_done') AS tables,
              (SELECT count(*)::int FROM information_schema.columns
                WHERE table_name = 'users' AND column_name = 'half_applied') AS columns`,
    );
    assert.deepEqual(leftovers, [{ tables: 0, columns: 0 }], 'the failed migration changed nothing');
    const rows = await backend.inspect<{
      name: string;
      finished: boolean;
      steps: number;
      logs: string | null;
    }>(
      target,
      `SELECT migration_name AS name, finished_at IS NOT NULL AS finished, applied_steps_count AS steps, logs
         FROM _prisma_migrations ORDER BY started_at`,
    );
    assert.deepEqual(
      rows.map(({ name, finished, steps }) => ({ name, finished, steps })),
      [
        ...INIT.map(({ name }) => ({ name, finished: true, steps: 1 })),
        { name: BROKEN, finished: false, steps: 0 },
      ],
    );
    assert.match(rows.at(-1)?.logs ?? '', /division by zero; SQLSTATE 22012/);

    // Fixing the file is not enough: a person must first say what became of the failed attempt.
    writeFileSync(join(migrationsDir, BROKEN, 'migration.sql'), 'CREATE TABLE half_done (x int);\n');
    await assert.rejects(
      openDatabase({ ...target, migrationsDir }),
      (err) =>
        isDbError(err, 'DB_MIGRATION_FAILED') &&
        err.message.includes(`${BROKEN} was started at`) &&
        err.message.includes('division by zero') &&
        err.message.includes(`prisma migrate resolve --rolled-back ${BROKEN}`),
    );

    // The way out that the message gives, with the real CLI; then the fixed migration applies.
    const resolve = await runPrisma(['migrate', 'resolve', '--rolled-back', BROKEN], cliDatabaseUrl(target));
    assert.equal(resolve.code, 0, showRun(resolve));
    const db = await backend.open(t, { target, migrationsDir });
    const tables = await db.prisma.$queryRaw<Array<{ n: number }>>`
      SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'`;
    assert.deepEqual(tables, [{ n: 1 }]);
  });

  test('an applied migration edited afterwards is warned about, not applied again', async (t) => {
    const target = await backend.createTarget(t);
    const migrationsDir = migrationsWith(t, {});
    await (await openDatabase({ ...target, migrationsDir })).close();
    appendFileSync(join(migrationsDir, INIT[0]!.name, 'migration.sql'), '\n-- an edit after the fact\n');
    const { logger, entries } = recordingLogger();
    const db = await backend.open(t, { target, migrationsDir, logger });
    assert.deepEqual(
      entries
        .filter((entry) => entry.level === 'warn')
        .map((entry) => [entry.message, entry.fields.migration]),
      [
        [
          'an applied migration was edited after it was applied; the database keeps the original',
          INIT[0]!.name,
        ],
      ],
    );
    assert.equal(await db.prisma.user.count(), 0);
  });

  test('a database migrated by a newer version is refused', async (t) => {
    const target = await backend.createTarget(t);
    const newer = migrationsWith(t, { '20990101000000_next': 'CREATE TABLE next_feature (id int);\n' });
    await (await openDatabase({ ...target, migrationsDir: newer })).close();
    await assert.rejects(
      openDatabase(target),
      (err) => isDbError(err, 'DB_MIGRATION_FAILED') && err.message.includes('20990101000000_next'),
    );
  });
});

describe('postgres: concurrent starts', { skip: skipPostgres }, () => {
  const backend = getBackend('postgres');

  test('two servers starting at once apply each migration once', async (t) => {
    const target = await backend.createTarget(t);
    const runs = [recordingLogger(), recordingLogger()];
    await Promise.all(runs.map(({ logger }) => backend.open(t, { target, logger })));
    const applied = runs.flatMap(({ entries }) =>
      entries.filter((entry) => entry.message === 'migration applied'),
    );
    assert.equal(applied.length, INIT.length);
    const rows = await backend.inspect<{ n: number }>(
      target,
      'SELECT count(*)::int AS n FROM _prisma_migrations',
    );
    assert.deepEqual(rows, [{ n: INIT.length }]);
  });

  test('a holder of the migration lock that never lets go is reported', async (t) => {
    const target = await backend.createTarget(t);
    const holder = new pg.Client({ connectionString: target.databaseUrl });
    const runner = new pg.Client({ connectionString: target.databaseUrl });
    // The database is dropped (with its connections) after the test: errors then are expected.
    for (const client of [holder, runner]) client.on('error', () => {});
    await holder.connect();
    await runner.connect();
    t.after(() => Promise.all([holder.end(), runner.end()]).catch(() => {}));
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await assert.rejects(
      applyMigrations(clientSession(runner), INIT, { lockTimeoutMs: 300 }),
      (err) =>
        isDbError(err, 'DB_MIGRATION_FAILED') &&
        err.message.includes(`pg_advisory_lock ${MIGRATION_LOCK_KEY}`),
    );
    const tables = await runner.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'users'");
    assert.equal(tables.rowCount, 0, 'nothing was migrated without the lock');
  });
});

describe('planMigrations', () => {
  const migration = (name: string, checksum = `sum-${name}`): Migration => ({ name, sql: '', checksum });
  const row = (name: string, extra: Partial<MigrationRow> = {}): MigrationRow => ({
    id: `id-${name}`,
    checksum: `sum-${name}`,
    migration_name: name,
    started_at: new Date('2026-01-01T00:00:00Z'),
    finished_at: new Date('2026-01-01T00:00:01Z'),
    rolled_back_at: null,
    logs: null,
    ...extra,
  });

  test('pending migrations are those not applied, in order', () => {
    const plan = planMigrations([row('1_a')], [migration('1_a'), migration('2_b'), migration('3_c')]);
    assert.deepEqual(
      plan.map((m) => m.name),
      ['2_b', '3_c'],
    );
  });

  test('a rolled-back attempt is applied again', () => {
    const rows = [row('1_a', { finished_at: null, rolled_back_at: new Date(), logs: 'boom' })];
    assert.deepEqual(
      planMigrations(rows, [migration('1_a')]).map((m) => m.name),
      ['1_a'],
    );
  });

  test('an unfinished attempt blocks, quoting the first line of its logs', () => {
    const rows = [row('1_a'), row('2_b', { finished_at: null, logs: '\nsyntax error at "FOO"\nmore' })];
    assert.throws(
      () => planMigrations(rows, [migration('1_a'), migration('2_b'), migration('3_c')]),
      (err) => isDbError(err, 'DB_MIGRATION_FAILED') && err.message.includes('(syntax error at "FOO")'),
    );
  });

  test('a checksum mismatch warns and goes on', () => {
    const warnings: unknown[] = [];
    const logger: DbLogger = { info() {}, warn: (fields) => warnings.push(fields) };
    const plan = planMigrations([row('1_a')], [migration('1_a', 'edited'), migration('2_b')], logger);
    assert.deepEqual(
      plan.map((m) => m.name),
      ['2_b'],
    );
    assert.deepEqual(warnings, [{ migration: '1_a', recorded: 'sum-1_a', file: 'edited' }]);
  });
});
