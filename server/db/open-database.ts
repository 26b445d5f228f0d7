// Opens the server's storage: PostgreSQL when a database URL is given, else PGlite in the data
// directory; applies pending migrations before anything else touches it. The caller owns the
// returned handle (the Fastify plugin closes it in onClose): there is no global client.
import { DbError } from './errors.js';
import type { PrismaClient } from './generated/client.js';
import { type DbLogger, silentLogger } from './logger.js';
import { openPglite } from './open-pglite.js';
import { openPostgres } from './open-postgres.js';
import { defaultMigrationsDir, readMigrations } from './read-migrations.js';

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql:// URL (DATABASE_URL). When absent, PGlite in `dataDir` is used. */
  databaseUrl?: string;
  /** The server's data directory; PGlite keeps its files in <dataDir>/pglite. */
  dataDir: string;
  logger?: DbLogger;
  /** PostgreSQL only: connections in Prisma's pool. Default 10. */
  poolSize?: number;
  /** PostgreSQL only: how long a connection attempt may take. Default 10 s. */
  connectTimeoutMs?: number;
  /** Where the migration folders are. Default: this installation's prisma/migrations. */
  migrationsDir?: string;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly prisma: PrismaClient;
  /** PostgreSQL only: the URL, for a dedicated session outside the pool (the executor's leader lock). */
  readonly databaseUrl?: string;
  /** Disconnects Prisma, closes PGlite and releases its lock. Safe to call more than once. */
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  const migrations = readMigrations(options.migrationsDir ?? defaultMigrationsDir());
  const databaseUrl = options.databaseUrl?.trim();
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      throw new DbError('DB_UNAVAILABLE', 'The database URL must start with postgres:// or postgresql://');
    }
    const poolSize = options.poolSize ?? 10;
    if (!Number.isInteger(poolSize) || poolSize < 1)
      throw new RangeError(`poolSize must be a positive integer`);
    return openPostgres({
      databaseUrl,
      logger,
      migrations,
      poolSize,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    });
  }
  return openPglite({ dataDir: options.dataDir, logger, migrations });
}
