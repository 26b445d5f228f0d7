// The embedded database: PGlite (PostgreSQL compiled to wasm, in this process) persisting to
// <dataDir>/pglite, guarded by the lock file <dataDir>/db.lock.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations, type MigrationSession } from './apply-migrations.js';
import { createPrismaClient } from './create-prisma-client.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { DbError } from './errors.js';
import type { DbLogger } from './logger.js';
import type { Database } from './open-database.js';
import type { Migration } from './read-migrations.js';

export interface OpenPgliteOptions {
  dataDir: string;
  logger: DbLogger;
  migrations: readonly Migration[];
}

export async function openPglite(options: OpenPgliteOptions): Promise<Database> {
  const { dataDir, logger } = options;
  const lock = lockDataDir(dataDir);
  if (lock.staleHolder) {
    logger.warn(
      { dataDir, pid: lock.staleHolder.pid, since: lock.staleHolder.acquiredAt },
      'took over the data directory lock of a process that is gone without closing the database',
    );
  }
  let pglite: PGlite | undefined;
  try {
    const startedAt = Date.now();
    pglite = await PGlite.create({ dataDir: join(dataDir, 'pglite'), extensions: { pg_trgm } });
    logger.info({ dataDir, durationMs: Date.now() - startedAt }, 'PGlite opened');
    await applyMigrations(pgliteSession(pglite), options.migrations, { logger });
  } catch (err) {
    await pglite?.close().catch(() => {});
    lock.release();
    if (err instanceof DbError) throw err;
    throw new DbError('DB_UNAVAILABLE', `Could not open the PGlite database in ${dataDir}: ${String(err)}`, {
      cause: err,
      details: { dataDir },
    });
  }
  const db = pglite;
  const prisma = createPrismaClient(new PrismaPGlite(db));
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    prisma,
    close() {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
          await db.close();
        } finally {
          lock.release();
        }
      })();
      return closing;
    },
  };
}

function lockDataDir(dataDir: string): DataDirLock {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return acquireDataDirLock(join(dataDir, 'db.lock'));
  } catch (err) {
    if (err instanceof DbError) throw err;
    throw new DbError(
      'DB_UNAVAILABLE',
      `Cannot use the data directory ${dataDir}: ${(err as Error).message}`,
      {
        cause: err,
        details: { dataDir },
      },
    );
  }
}

/** PGlite runs one session: `exec` sends a simple query, `query` an extended one. */
export function pgliteSession(db: PGlite): MigrationSession {
  return {
    async execScript(sql) {
      await db.exec(sql);
    },
    async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(sql, [...params]);
      return result.rows;
    },
  };
}
