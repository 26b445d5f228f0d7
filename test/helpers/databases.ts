// Runs storage tests against both backends the server supports: the embedded PGlite and an
// external PostgreSQL. Each test file gets its own PostgreSQL databases (afterpatch_test_<random>,
// dropped at the end) and its own PGlite directories, so files run in parallel and leave nothing.
//
//   forEachDatabase((backend) => {
//     test('…', async (t) => {
//       const db = await backend.shared();          // migrated, shared by the file's tests
//       const fresh = await backend.open(t);        // a new empty database, migrated at open
//     });
//   });
//
// PostgreSQL is found at AFTERPATCH_TEST_POSTGRES_URL (default: the maintenance database
// postgres://postgres@127.0.0.1:5432/postgres, used only to create and drop test databases). When
// it cannot be reached the PostgreSQL tests FAIL and say so: CI starts PostgreSQL.
// AFTERPATCH_TEST_SKIP_POSTGRES=1 skips them instead, for machines without one.
// A test database is dropped with its connections (WITH FORCE) after the test: a pg.Client a test
// connects to one itself needs an 'error' listener.

import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { type Database, type OpenDatabaseOptions, openDatabase } from '../../server/db/open-database.js';
import { repoRoot } from './paths.js';

export type BackendName = 'pglite' | 'postgres';

/** Where a database lives: what openDatabase needs to find it. */
export interface DatabaseTarget {
  /** Set for PostgreSQL. */
  databaseUrl?: string;
  /** For PGlite the server's data directory (the database is in <dataDir>/pglite). */
  dataDir: string;
}

export interface TestBackend {
  readonly name: BackendName;
  /** A new empty database, removed after test `t`. */
  createTarget(t: TestContext): Promise<DatabaseTarget>;
  /** openDatabase on `options.target` (default: a new empty one); closed after test `t`. */
  open(
    t: TestContext,
    options?: Partial<OpenDatabaseOptions> & { target?: DatabaseTarget },
  ): Promise<Database>;
  /** The file's migrated database, opened once; closed and removed when the file's tests end. */
  shared(): Promise<Database>;
  /**
   * Runs SQL on a target without openDatabase (no migration, no lock): to look at a database
   * that openDatabase refused, or to prepare one. For PGlite the target must not be open.
   */
  inspect<Row extends object>(target: DatabaseTarget, sql: string, params?: unknown[]): Promise<Row[]>;
}

export const POSTGRES_ADMIN_URL =
  process.env.AFTERPATCH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const skipPostgres: string | false =
  process.env.AFTERPATCH_TEST_SKIP_POSTGRES === '1' ? 'AFTERPATCH_TEST_SKIP_POSTGRES=1' : false;

// What lives as long as the test file: shared databases and their directories.
const fileCleanups: Array<() => unknown> = [];
after(() => runCleanups(fileCleanups));

const backends = new Map<BackendName, TestBackend>();

/** The file's backend of that name, created at first use. */
export function getBackend(name: BackendName): TestBackend {
  let backend = backends.get(name);
  if (!backend) {
    backend = name === 'pglite' ? createPgliteBackend() : createPostgresBackend();
    backends.set(name, backend);
  }
  return backend;
}

/** Declares a `describe` per backend and calls `fn` inside it to declare the tests. */
export function forEachDatabase(fn: (backend: TestBackend) => void): void {
  for (const name of ['pglite', 'postgres'] as const) {
    describe(name, { skip: name === 'postgres' ? skipPostgres : false }, () => fn(getBackend(name)));
  }
}

type Defer = (cleanup: () => unknown) => void;

/** What differs between the backends; makeBackend builds the rest on top. */
interface BackendImpl {
  name: BackendName;
  newTarget(defer: Defer): Promise<DatabaseTarget>;
  inspect: TestBackend['inspect'];
  defaults: Partial<OpenDatabaseOptions>;
}

function makeBackend(impl: BackendImpl): TestBackend {
  const fileDefer: Defer = (cleanup) => fileCleanups.push(cleanup);
  const testDefer = (t: TestContext): Defer => {
    // One after-hook per test running its cleanups last-in first-out: a database is closed
    // before its directory is removed or its PostgreSQL database dropped.
    const cleanups: Array<() => unknown> = [];
    t.after(() => runCleanups(cleanups));
    return (cleanup) => cleanups.push(cleanup);
  };
  let shared: Promise<Database> | undefined;
  return {
    name: impl.name,
    createTarget: (t) => impl.newTarget(testDefer(t)),
    async open(t, options = {}) {
      const { target, ...rest } = options;
      const defer = testDefer(t);
      const where = target ?? (await impl.newTarget(defer));
      const db = await openDatabase({ ...impl.defaults, ...where, ...rest });
      defer(() => db.close());
      return db;
    },
    shared() {
      shared ??= (async () => {
        const db = await openDatabase({ ...impl.defaults, ...(await impl.newTarget(fileDefer)) });
        fileDefer(() => db.close());
        return db;
      })();
      return shared;
    },
    inspect: impl.inspect,
  };
}

async function runCleanups(cleanups: Array<() => unknown>): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'test database cleanup failed');
}

function createPgliteBackend(): TestBackend {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'afterpatch-db-')));
  fileCleanups.push(() => rmSync(root, { recursive: true, force: true }));
  let template: Promise<string> | undefined;
  const emptyCluster = () => {
    template ??= pgliteTemplate();
    return template;
  };
  return makeBackend({
    name: 'pglite',
    defaults: {},
    async newTarget(defer) {
      const source = await emptyCluster();
      const dataDir = join(root, `db-${randomBytes(4).toString('hex')}`);
      cpSync(source, join(dataDir, 'pglite'), { recursive: true });
      defer(() => rmSync(dataDir, { recursive: true, force: true }));
      return { dataDir };
    },
    async inspect<Row extends object>(target: DatabaseTarget, sql: string, params: unknown[] = []) {
      const db = await PGlite.create({ dataDir: join(target.dataDir, 'pglite'), extensions: { pg_trgm } });
      try {
        return (await db.query<Row>(sql, params)).rows;
      } finally {
        await db.close();
      }
    },
  });
}

function createPostgresBackend(): TestBackend {
  return makeBackend({
    name: 'postgres',
    // A small pool: many test databases are open at once on one server.
    defaults: { poolSize: 4 },
    async newTarget(defer) {
      const name = `afterpatch_test_${randomBytes(6).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      defer(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${name}`;
      // openDatabase ignores dataDir when it has a URL.
      return { databaseUrl: url.href, dataDir: join(tmpdir(), 'afterpatch-unused-data-dir') };
    },
    async inspect<Row extends object>(target: DatabaseTarget, sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: target.databaseUrl });
      await client.connect();
      try {
        return (await client.query<Row & pg.QueryResultRow>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
  });
}

/**
 * An empty, closed PGlite cluster to copy new test databases from: creating a cluster takes
 * seconds (initdb in wasm), copying one a few milliseconds. Made once per PGlite version and kept
 * in node_modules/.cache, where every test file, and every later run, finds it; built aside and
 * renamed into place, so test files starting at once never see half of one.
 */
async function pgliteTemplate(): Promise<string> {
  const version = JSON.parse(
    readFileSync(join(repoRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
  ) as { version: string };
  const cache = join(repoRoot, 'node_modules', '.cache', 'afterpatch-test');
  const dir = join(cache, `pglite-${version.version}-empty`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  mkdirSync(cache, { recursive: true });
  const building = mkdtempSync(join(cache, 'building-'));
  try {
    const db = await PGlite.create({ dataDir: building });
    await db.close();
    renameSync(building, dir);
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    // Another test file finished one first: use it.
    if (!existsSync(join(dir, 'PG_VERSION'))) throw err;
  }
  return dir;
}

/** Runs one statement on the maintenance database, with a clear failure when PostgreSQL is absent. */
export async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    const url = new URL(POSTGRES_ADMIN_URL);
    throw new Error(
      `PostgreSQL is not reachable at ${url.host} (${describeError(err)}). The storage tests run against ` +
        'PostgreSQL as well as PGlite: start it (.ci/run does), point AFTERPATCH_TEST_POSTGRES_URL at one, ' +
        'or set AFTERPATCH_TEST_SKIP_POSTGRES=1 to skip these tests.',
      { cause: err },
    );
  }
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function describeError(err: unknown): string {
  if (err instanceof AggregateError) return err.errors.map(describeError).join(', ');
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' ? e.code : String(e.message ?? err);
}
