// The real Prisma CLI, run through our wasm schema engine shim (prisma/engine/schema-engine.mjs),
// checks what no test of our own code can: that the committed migrations produce exactly
// prisma/schema.prisma, and that a database migrated by our runner (server/db/apply-migrations.ts)
// is what Prisma Migrate itself would have made, bookkeeping included. It also keeps the shim
// honest: it speaks Prisma's internal engine protocol, which a version bump may change.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openDatabase } from '../../../server/db/open-database.js';
import { forEachDatabase, getBackend, skipPostgres } from '../../helpers/databases.js';
import { cliDatabaseUrl, runPrisma, showRun } from '../../helpers/prisma-cli.js';

const prisma = runPrisma;
const show = showRun;

describe('prisma CLI through the wasm engine shim', () => {
  test('the migrations produce exactly the schema (migrate diff against a PGlite shadow database)', async () => {
    const run = await prisma([
      'migrate',
      'diff',
      '--from-migrations',
      'prisma/migrations',
      '--to-schema',
      'prisma/schema.prisma',
      '--exit-code',
    ]);
    assert.equal(run.code, 0, show(run));
    assert.match(run.stdout, /No difference detected/);
  });

  test('a schema change shows up as a diff (the check can fail)', async () => {
    const run = await prisma([
      'migrate',
      'diff',
      '--from-empty',
      '--to-schema',
      'prisma/schema.prisma',
      '--script',
    ]);
    assert.equal(run.code, 0, show(run));
    assert.match(run.stdout, /CREATE TABLE "hosts"/);
    assert.match(
      run.stdout,
      /CREATE INDEX "hosts_hostname_trgm_idx" ON "hosts" USING GIN \("hostname" gin_trgm_ops\)/,
    );
  });
});

forEachDatabase((backend) => {
  test('a database migrated by our runner: no difference with the schema, history up to date', async (t) => {
    const target = await backend.createTarget(t);
    await (await openDatabase(target)).close();
    const diff = await prisma(
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      cliDatabaseUrl(target),
    );
    assert.equal(diff.code, 0, show(diff));
    assert.match(diff.stdout, /No difference detected/);
    const status = await prisma(['migrate', 'status'], cliDatabaseUrl(target));
    assert.equal(status.code, 0, show(status));
    assert.match(status.stdout, /Database schema is up to date!/);
  });

  test('a database migrated by `prisma migrate deploy` is current for our runner', async (t) => {
    const target = await backend.createTarget(t);
    const deploy = await prisma(['migrate', 'deploy'], cliDatabaseUrl(target));
    assert.equal(deploy.code, 0, show(deploy));
    const logged: string[] = [];
    const record = (fields: object, message: string) => logged.push(`${message} ${JSON.stringify(fields)}`);
    const db = await backend.open(t, { target, logger: { info: record, warn: record } });
    assert.deepEqual(
      logged.filter((line) => !line.startsWith('PGlite opened')),
      [],
      'nothing applied, no checksum warning',
    );
    assert.equal(await db.prisma.user.count(), 0);
  });
});

describe('PGlite and PostgreSQL get the same schema', { skip: skipPostgres }, () => {
  // PostgreSQL's catalog is checked against the Prisma schema above; PGlite runs the same SQL on
  // another PostgreSQL version, and this shows the result is the same.
  test('columns, indexes, constraints and triggers are identical', async () => {
    const [lite, server] = await Promise.all([
      getBackend('pglite').shared(),
      getBackend('postgres').shared(),
    ]);
    const [a, b] = await Promise.all([describeSchema(lite), describeSchema(server)]);
    assert.ok(a.columns.length > 50, 'the description is not empty');
    assert.deepEqual(a, b);
  });
});

async function describeSchema(db: Awaited<ReturnType<typeof openDatabase>>) {
  const columns = await db.prisma.$queryRaw<unknown[]>`
    SELECT table_name, column_name, data_type, udt_name, character_maximum_length, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = 'public'
     ORDER BY table_name, column_name`;
  const indexes = await db.prisma.$queryRaw<unknown[]>`
    SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`;
  const constraints = await db.prisma.$queryRaw<unknown[]>`
    SELECT conrelid::regclass::text AS "table", conname, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint
     -- PostgreSQL 18 (PGlite) also lists NOT NULL as constraints; is_nullable above covers them.
     WHERE connamespace = 'public'::regnamespace AND contype <> 'n'
     ORDER BY conname`;
  const triggers = await db.prisma.$queryRaw<unknown[]>`
    SELECT tgrelid::regclass::text AS "table", tgname, pg_get_triggerdef(oid) AS definition
      FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`;
  const enums = await db.prisma.$queryRaw<unknown[]>`
    SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`;
  return { columns, indexes, constraints, triggers, enums };
}
