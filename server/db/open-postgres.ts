// An external PostgreSQL server (DATABASE_URL): migrations over one dedicated connection (the
// advisory lock belongs to a session), then Prisma over a node-postgres pool.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { applyMigrations, type MigrationSession } from './apply-migrations.js';
import { createPrismaClient } from './create-prisma-client.js';
import { DbError } from './errors.js';
import type { DbLogger } from './logger.js';
import type { Database } from './open-database.js';
import type { Migration } from './read-migrations.js';

export interface OpenPostgresOptions {
  databaseUrl: string;
  logger: DbLogger;
  migrations: readonly Migration[];
  poolSize: number;
  connectTimeoutMs: number;
}

export async function openPostgres(options: OpenPostgresOptions): Promise<Database> {
  const { databaseUrl, logger } = options;
  const where = describeUrl(databaseUrl);
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: options.connectTimeoutMs,
  });
  // An 'error' event on a client without a listener would crash the process.
  client.on('error', (err) => logger.warn({ err }, 'migration connection error'));
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new DbError('DB_UNAVAILABLE', `Cannot connect to PostgreSQL at ${where}: ${messageOf(err)}`, {
      cause: err,
      details: { database: where },
    });
  }
  try {
    await applyMigrations(clientSession(client), options.migrations, { logger });
  } catch (err) {
    if (err instanceof DbError) throw err;
    throw new DbError('DB_UNAVAILABLE', `Lost PostgreSQL at ${where} while migrating: ${messageOf(err)}`, {
      cause: err,
      details: { database: where },
    });
  } finally {
    await client.end().catch(() => {});
  }
  const adapter = new PrismaPg(
    {
      connectionString: databaseUrl,
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs,
    },
    { onPoolError: (err) => logger.warn({ err }, 'idle database connection failed') },
  );
  const prisma = createPrismaClient(adapter);
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    prisma,
    connectionString: databaseUrl,
    close() {
      // $disconnect ends the adapter's pool.
      closing ??= prisma.$disconnect();
      return closing;
    },
  };
}

/** A dedicated node-postgres client: a query without parameters goes as a simple query. */
export function clientSession(client: pg.Client): MigrationSession {
  return {
    async execScript(sql) {
      await client.query(sql);
    },
    async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<Row & pg.QueryResultRow>(sql, [...params]);
      return result.rows;
    },
  };
}

/** host:port/database, without the credentials, for messages and logs. */
export function describeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.host}${url.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join('; ');
  const e = err as { message?: unknown; code?: unknown };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  return typeof e.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
