// Only one server instance executes rollouts at a time. PostgreSQL: a session-level advisory lock
// (pg_try_advisory_lock) held on a DEDICATED connection outside Prisma's pool, so it lives exactly
// as long as that session; when the holder dies, PostgreSQL ends its session (TCP keepalive finds
// a vanished peer) and the lock frees itself for another instance's next attempt. There is no TTL
// to expire under a live holder. PGlite: one process owns the data directory (data-dir-lock.ts),
// so that process is the leader by construction.
import pg from 'pg';
import type { Database } from '../db/open-database.js';

/** Arbitrary, fixed: "afterpatch rollout executor". Distinct from the migration lock 72707369. */
export const EXECUTOR_LOCK_KEY = 72707370;

export interface LeaderLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface LeaderLock {
  /** True when this instance holds (or just took) the lock. Never throws. */
  acquire(): Promise<boolean>;
  isLeader(): boolean;
  release(): Promise<void>;
}

export function createLeaderLock(db: Database, log: LeaderLog): LeaderLock {
  if (db.kind === 'pglite' || !db.databaseUrl) {
    let released = false;
    return {
      acquire: async () => !released,
      isLeader: () => !released,
      release: async () => {
        released = true;
      },
    };
  }
  const url = db.databaseUrl;
  let client: pg.Client | undefined;
  let leader = false;
  let released = false;

  function drop(reason: string, err?: unknown): void {
    if (leader) log.warn({ err, reason }, 'lost the rollout executor lock');
    leader = false;
    const c = client;
    client = undefined;
    c?.end().catch(() => {});
  }

  return {
    async acquire() {
      if (released) return false;
      if (leader && client) return true;
      try {
        if (!client) {
          const c = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5000 });
          c.on('error', (err) => drop('connection error', err));
          c.on('end', () => {
            if (client === c) drop('connection ended');
          });
          client = c;
          await c.connect();
        }
        const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
          EXECUTOR_LOCK_KEY,
        ]);
        leader = result.rows[0]?.locked === true;
        if (leader) log.info({ key: EXECUTOR_LOCK_KEY }, 'this instance executes rollouts');
        return leader;
      } catch (err) {
        drop('acquire failed', err);
        return false;
      }
    },
    isLeader: () => leader,
    async release() {
      released = true;
      leader = false;
      const c = client;
      client = undefined;
      // Ending the session releases the lock.
      await c?.end().catch(() => {});
    },
  };
}
