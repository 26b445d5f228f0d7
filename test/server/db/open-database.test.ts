// openDatabase on both backends: migrations at open, the PGlite directory lock, and the errors a
// server sees at start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isDbError, isRetriableDbError } from '../../../server/db/errors.js';
import type { DbLogger } from '../../../server/db/logger.js';
import { openDatabase } from '../../../server/db/open-database.js';
import { defaultMigrationsDir, readMigrations } from '../../../server/db/read-migrations.js';
import { forEachDatabase, getBackend, skipPostgres } from '../../helpers/databases.js';
import { repoRoot } from '../../helpers/paths.js';
import { createScratch } from '../../helpers/scratch.js';

function recordingLogger(): DbLogger & { messages: Array<{ message: string; fields: object }> } {
  const messages: Array<{ message: string; fields: object }> = [];
  const record = (fields: object, message: string) => messages.push({ message, fields });
  return { messages, info: record, warn: record };
}

const migrationNames = readMigrations(defaultMigrationsDir()).map((migration) => migration.name);

forEachDatabase((backend) => {
  test('an empty database is migrated at open, and opening it again applies nothing', async (t) => {
    const target = await backend.createTarget(t);
    const logger = recordingLogger();
    const first = await openDatabase({ ...target, logger });
    assert.equal(first.kind, backend.name);
    const applied = logger.messages.filter((entry) => entry.message === 'migration applied');
    assert.deepEqual(
      applied.map((entry) => (entry.fields as { migration: string }).migration),
      migrationNames,
    );
    const tables = await first.prisma.$queryRaw<Array<{ name: string }>>`
      SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`;
    assert.deepEqual(
      tables.map((row) => row.name),
      [
        '_prisma_migrations',
        'api_tokens',
        'audit_events',
        'cluster_messages',
        'enrollment_tokens',
        'host_history',
        'host_labels',
        'host_reports',
        'host_stale_packages',
        'hosts',
        'rollout_groups',
        'rollout_steps',
        'rollouts',
        'server_instances',
        'server_settings',
        'users',
        'webhooks',
      ],
    );
    await first.close();
    await first.close(); // idempotent

    const again = recordingLogger();
    const second = await openDatabase({ ...target, logger: again });
    t.after(() => second.close());
    assert.equal(again.messages.filter((entry) => entry.message === 'migration applied').length, 0);
    const rows = await second.prisma.$queryRaw<Array<{ name: string; steps: number; finished: boolean }>>`
      SELECT migration_name AS name, applied_steps_count AS steps, finished_at IS NOT NULL AS finished
        FROM _prisma_migrations ORDER BY started_at`;
    assert.deepEqual(
      rows,
      migrationNames.map((name) => ({ name, steps: 1, finished: true })),
    );
  });
});

describe('PGlite data directory', () => {
  test('lives in <dataDir>/pglite beside the lock file, which close removes', async (t) => {
    const { dataDir } = await getBackend('pglite').createTarget(t);
    const db = await openDatabase({ dataDir });
    const holder = JSON.parse(readFileSync(join(dataDir, 'db.lock'), 'utf8')) as { pid: number };
    assert.equal(holder.pid, process.pid);
    assert.ok(existsSync(join(dataDir, 'pglite', 'PG_VERSION')));
    await db.close();
    assert.equal(existsSync(join(dataDir, 'db.lock')), false);
  });

  test('a data directory that cannot be created is DB_UNAVAILABLE', async (t) => {
    const { dir } = createScratch(t);
    writeFileSync(join(dir, 'a-file'), '');
    await assert.rejects(
      openDatabase({ dataDir: join(dir, 'a-file', 'data') }),
      (err) =>
        isDbError(err, 'DB_UNAVAILABLE') && err.message.includes('a-file/data') && !isRetriableDbError(err),
    );
  });

  test('a second opener of the same directory fails with DB_LOCKED naming the holder', async (t) => {
    const { dataDir } = await getBackend('pglite').createTarget(t);
    const first = await openDatabase({ dataDir });
    t.after(() => first.close());
    await assert.rejects(
      openDatabase({ dataDir }),
      (err) => isDbError(err, 'DB_LOCKED') && err.details.pid === process.pid && !isRetriableDbError(err),
    );
    // The failed opener left the holder's lock and database alone.
    assert.equal(await first.prisma.user.count(), 0);
  });

  test('a server killed while holding the directory leaves a lock the next one takes over', async (t) => {
    const { dataDir } = await getBackend('pglite').createTarget(t);
    // A real server process: it opens the database, says so, and is killed without closing.
    const openModule = new URL('../../../server/db/open-database.js', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openDatabase } = await import(${JSON.stringify(openModule)});
         const db = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });
         await db.prisma.user.create({ data: { username: 'before-crash', passwordHash: 'x', role: 'admin' } });
         process.stdout.write('open\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(() => child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('open') && resolve());
      child.once('exit', (code) => reject(new Error(`the server process exited early (${code})`)));
    });
    await assert.rejects(
      openDatabase({ dataDir }),
      (err) => isDbError(err, 'DB_LOCKED') && err.details.pid === child.pid,
    );

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const warnings: unknown[] = [];
    const db = await openDatabase({
      dataDir,
      logger: { info() {}, warn: (fields) => warnings.push(fields) },
    });
    t.after(() => db.close());
    assert.deepEqual(
      warnings.map((fields) => (fields as { pid: number }).pid),
      [child.pid],
      'the takeover is logged with the dead holder pid',
    );
    const users = await db.prisma.user.findMany({ select: { username: true } });
    assert.deepEqual(users, [{ username: 'before-crash' }], 'the committed row survived SIGKILL');
  });
});

describe('PostgreSQL pool', { skip: skipPostgres }, () => {
  test('poolSize bounds the connections; close() ends them all', async (t) => {
    const backend = getBackend('postgres');
    const target = await backend.createTarget(t);
    const db = await openDatabase({ ...target, poolSize: 2 });
    t.after(() => db.close());
    await Promise.all(Array.from({ length: 6 }, () => db.prisma.$executeRaw`SELECT pg_sleep(0.05)`));
    // inspect() runs on a connection of its own, hence the + 1.
    const count = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`;
    assert.deepEqual(await backend.inspect(target, count), [{ n: 2 + 1 }]);
    await db.close();
    // A backend leaves pg_stat_activity a moment after its client hung up: wait for it, bounded.
    let rows = await backend.inspect(target, count);
    for (let i = 0; i < 40 && JSON.stringify(rows) !== JSON.stringify([{ n: 1 }]); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rows = await backend.inspect(target, count);
    }
    assert.deepEqual(rows, [{ n: 1 }]);
  });

  test('poolSize must be a positive integer', async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: 'postgres://127.0.0.1:1/x', dataDir: repoRoot, poolSize: 0 }),
      RangeError,
    );
  });
});

describe('PostgreSQL unreachable', () => {
  test('a refused connection is DB_UNAVAILABLE, retriable, and the URL password is not shown', async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: 'postgres://app:s3cret@127.0.0.1:1/afterpatch', dataDir: repoRoot }),
      (err) =>
        isDbError(err, 'DB_UNAVAILABLE') &&
        isRetriableDbError(err) &&
        err.statusCode === 503 &&
        err.message.includes('127.0.0.1:1/afterpatch') &&
        !err.message.includes('s3cret'),
    );
  });

  test('a URL of another kind is refused before anything is opened', async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: 'mysql://localhost/x', dataDir: repoRoot }),
      (err) => isDbError(err, 'DB_UNAVAILABLE') && /postgres:\/\//.test(err.message),
    );
  });
});
