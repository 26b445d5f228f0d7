// VACUUM and ANALYZE of the tables every agent frame rewrites, for databases that would not do it
// themselves: PGlite (PostgreSQL in single-user mode: no autovacuum worker ever runs) and a
// PostgreSQL server with `autovacuum = off`. Without it, dead row versions pile up in `hosts`
// (one per frame), every overview query scans them, and the planner never gets statistics.
// A PostgreSQL server with autovacuum on (the default) is left to it.
import type { Database } from './open-database.js';

/** The tables rewritten per frame or per changed report. */
export const MAINTAINED_TABLES = ['hosts', 'host_reports', 'host_labels', 'host_stale_packages'] as const;

export interface MaintenanceLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface TableMaintenance {
  /** Whether the timer runs (false: the database's autovacuum does the work, or turned off). */
  readonly active: boolean;
  /** One pass now (tests; the timer calls it every interval). */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Why this database needs our maintenance, or undefined when it does not. */
export async function maintenanceReason(db: Database): Promise<string | undefined> {
  if (db.kind === 'pglite') return 'PGlite runs no autovacuum';
  const rows = await db.prisma.$queryRaw<Array<{ autovacuum: string }>>`
    SELECT current_setting('autovacuum') AS autovacuum`;
  return rows[0]?.autovacuum === 'on' ? undefined : 'autovacuum is off on this PostgreSQL server';
}

export async function startTableMaintenance(options: {
  db: Database;
  intervalSeconds: number;
  logger: MaintenanceLogger;
}): Promise<TableMaintenance> {
  const { db, logger } = options;
  let running: Promise<void> | undefined;
  const runOnce = (): Promise<void> => {
    running ??= (async () => {
      const started = Date.now();
      try {
        // Outside a transaction (VACUUM refuses one); one statement for the four tables.
        await db.prisma.$executeRawUnsafe(`VACUUM (ANALYZE) ${MAINTAINED_TABLES.join(', ')}`);
        // Debug: once a minute would be 1,440 lines a day; the start says it runs.
        logger.debug({ durationMs: Date.now() - started }, 'vacuumed and analyzed the host tables');
      } catch (err) {
        // Harmless to miss one (the next interval tries again); a closed database ends here too.
        logger.warn({ err }, 'table maintenance failed');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  let reason: string | undefined;
  try {
    reason = options.intervalSeconds > 0 ? await maintenanceReason(db) : undefined;
  } catch (err) {
    // Not worth failing the server's start over: the database is checked again at the next start.
    logger.warn({ err }, 'could not tell whether the database vacuums itself; not maintaining it');
  }
  if (!reason) return { active: false, runOnce, stop: async () => {} };
  logger.info(
    { reason, intervalSeconds: options.intervalSeconds, tables: MAINTAINED_TABLES },
    'the server vacuums and analyzes the host tables itself',
  );
  const timer = setInterval(() => void runOnce(), options.intervalSeconds * 1000);
  timer.unref();
  return {
    active: true,
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
