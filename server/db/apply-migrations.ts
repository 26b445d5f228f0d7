// Applies pending migrations at server start without Prisma's schema engine (a native binary this
// project cannot download). It keeps Prisma Migrate's own bookkeeping, so that a database migrated
// here and one migrated by `prisma migrate deploy` accept each other:
// - the same advisory lock (72707369) that Prisma Migrate takes, so two servers, or a server and
//   the CLI, never migrate at once;
// - the same `_prisma_migrations` table and columns, sha256 checksums of migration.sql;
// - a migration recorded as started but neither finished nor rolled back blocks every later run
//   until a person resolves it (`prisma migrate resolve`), as Prisma does.
// Each migration script runs as ONE simple query: PostgreSQL runs all its statements in one
// implicit transaction, so a failing migration leaves nothing behind. Migrations therefore must not
// contain their own BEGIN/COMMIT nor statements that refuse to run in a transaction block
// (CREATE INDEX CONCURRENTLY): the same rule as with Prisma's native engine.
import { randomUUID } from 'node:crypto';
import { DbError } from './errors.js';
import { type DbLogger, silentLogger } from './logger.js';
import type { Migration } from './read-migrations.js';

/** The two ways the runner talks to the database, implemented for PGlite and node-postgres. */
export interface MigrationSession {
  /** Runs a script of any number of statements as one simple query: all of it or nothing. */
  execScript(sql: string): Promise<void>;
  /** Runs one statement with $1… parameters and returns its rows. */
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface ApplyMigrationsOptions {
  logger?: DbLogger;
  /** How long to wait for another process's migration lock before giving up. Default 60 s. */
  lockTimeoutMs?: number;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations applied by this call, in order; empty when the database was current. */
  applied: string[];
}

/** Prisma Migrate's advisory lock key ("prisma" in ASCII, roughly); ours must be the same one. */
export const MIGRATION_LOCK_KEY = 72707369;

const LOCK_POLL_MS = 250;

// Prisma Migrate's DDL for its bookkeeping table on PostgreSQL, column for column.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

/** Applies every migration of `migrations` not yet recorded as applied, in order. */
export async function applyMigrations(
  session: MigrationSession,
  migrations: readonly Migration[],
  options: ApplyMigrationsOptions = {},
): Promise<ApplyMigrationsResult> {
  const logger = options.logger ?? silentLogger;
  await takeLock(session, options.lockTimeoutMs ?? 60_000);
  try {
    await session.execScript(CREATE_MIGRATIONS_TABLE);
    const rows = await session.query<MigrationRow>(
      `SELECT id, checksum, migration_name, started_at, finished_at, rolled_back_at, logs
         FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    );
    const pending = planMigrations(rows, migrations, logger);
    const applied: string[] = [];
    for (const migration of pending) {
      await applyOne(session, migration, logger);
      applied.push(migration.name);
    }
    return { applied };
  } finally {
    // Failing here must not hide the error that got us here; a lost session releases it anyway.
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
  }
}

/**
 * Decides what to apply from the recorded rows: refuses on an unfinished migration and on a
 * database migrated by a newer version; warns when an applied migration's file was edited.
 */
export function planMigrations(
  rows: readonly MigrationRow[],
  migrations: readonly Migration[],
  logger: DbLogger = silentLogger,
): Migration[] {
  const unfinished = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (unfinished) {
    const firstLog = unfinished.logs?.split('\n').find((line) => line.trim() !== '');
    throw new DbError(
      'DB_MIGRATION_FAILED',
      `Migration ${unfinished.migration_name} was started at ${unfinished.started_at.toISOString()} and did not ` +
        `finish${firstLog ? ` (${firstLog})` : ''}. Nothing more is migrated until it is resolved: check the ` +
        `database, then run \`npx prisma migrate resolve --rolled-back ${unfinished.migration_name}\` (or ` +
        '--applied if its changes are in place), and start again.',
      { details: { migration: unfinished.migration_name, logs: unfinished.logs } },
    );
  }
  const applied = new Map<string, MigrationRow>();
  for (const row of rows)
    if (row.finished_at !== null && row.rolled_back_at === null) applied.set(row.migration_name, row);

  const known = new Set(migrations.map((migration) => migration.name));
  const unknown = [...applied.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    // An older server writing into a newer schema could lose or corrupt data: refuse.
    throw new DbError(
      'DB_MIGRATION_FAILED',
      `The database has migrations this version does not know (${unknown.join(', ')}): it was migrated ` +
        'by a newer afterpatch. Run that version, or restore a backup taken before the upgrade.',
      { details: { unknownMigrations: unknown } },
    );
  }
  for (const migration of migrations) {
    const row = applied.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      logger.warn(
        { migration: migration.name, recorded: row.checksum, file: migration.checksum },
        'an applied migration was edited after it was applied; the database keeps the original',
      );
    }
  }
  return migrations.filter((migration) => !applied.has(migration.name));
}

async function applyOne(session: MigrationSession, migration: Migration, logger: DbLogger): Promise<void> {
  const id = randomUUID();
  const startedAt = Date.now();
  // Recorded first, in its own transaction: if the script fails, the row stays with its logs.
  await session.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  // The row is marked finished inside the script's own implicit transaction, so that a crash can
  // never leave a migration applied but recorded as unfinished. (`id` is our UUID: safe inline.)
  const script = `${migration.sql}\n;\nUPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = '${id}'`;
  try {
    await session.execScript(script);
  } catch (err) {
    const logs = describeFailure(migration.name, err);
    // If the connection is what failed, the logs cannot be written: the error below still says why.
    await session
      .query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, logs])
      .catch(() => {});
    throw new DbError(
      'DB_MIGRATION_FAILED',
      `Migration ${migration.name} failed and was rolled back: ${logs}`,
      {
        cause: err,
        details: { migration: migration.name },
      },
    );
  }
  logger.info({ migration: migration.name, durationMs: Date.now() - startedAt }, 'migration applied');
}

function describeFailure(name: string, err: unknown): string {
  const e = err as {
    message?: unknown;
    code?: unknown;
    detail?: unknown;
    hint?: unknown;
    position?: unknown;
  };
  const parts = [`${String(e.message ?? err)}`];
  if (typeof e.code === 'string') parts.push(`SQLSTATE ${e.code}`);
  if (typeof e.detail === 'string') parts.push(`detail: ${e.detail}`);
  if (typeof e.hint === 'string') parts.push(`hint: ${e.hint}`);
  if (e.position !== undefined) parts.push(`at character ${String(e.position)} of ${name}/migration.sql`);
  return parts.join('; ');
}

async function takeLock(session: MigrationSession, timeoutMs: number): Promise<void> {
  // Polled with try-lock rather than a blocking pg_advisory_lock, so a stuck holder is reported.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (row?.locked) return;
    if (Date.now() >= deadline) {
      throw new DbError(
        'DB_MIGRATION_FAILED',
        `Another process has held the migration lock (pg_advisory_lock ${MIGRATION_LOCK_KEY}) for more than ` +
          `${Math.round(timeoutMs / 1000)} s: another server or a \`prisma migrate\` is migrating this database.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}
