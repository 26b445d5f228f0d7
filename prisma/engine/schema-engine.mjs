#!/usr/bin/env node
// A stand-in for Prisma's native schema engine binary, which this project's machines cannot
// download. The Prisma CLI spawns the binary named by PRISMA_SCHEMA_ENGINE_BINARY (set in
// prisma.config.ts) and speaks newline-delimited JSON-RPC to it over stdio; this script answers
// with the published wasm build of the same engine (@prisma/schema-engine-wasm, pinned to the
// CLI's engine commit in package.json), which reaches the database through a driver adapter.
//
// Datasource URLs: postgres:// or postgresql:// (node-postgres); `pglite:memory`, an in-process
// PGlite that lives as long as the command (enough to create migrations); or `pglite:<dataDir>`,
// the server's PGlite data directory, locked like the server locks it.
//
// Where the wasm engine or the adapters differ from the native engine, this script corrects them:
// - a migration script runs as ONE simple query, so it is atomic like with the native engine
//   (adapter-pg splits it on `;`; the PGlite adapter does not await it, so failures went unseen);
// - adapter-pg has no mapping for the catalog type "char" (OID 18) that the engine's introspection
//   reads: such columns are presented as text;
// - adapter-pg's temporary shadow database was reached with the main URL (the connection string
//   wins over `database` in node-postgres): the shadow URL is built here;
// - wasm createMigration and evaluateDataLoss read the shadow schema cached by
//   diagnoseMigrationHistory, which the native engine computes itself: it is called first.
// This is Prisma's internal protocol: test/prisma/engine/schema-engine.test.ts runs the real CLI
// through this script, so a version bump that breaks it fails the test suite.
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Cleanups run at exit: close PGlite, end pools, drop temporary shadow databases. */
const disposers = [];
/** Our `print` requests to the CLI that await its answer, by request id. */
const printed = new Map();
let nextPrintId = 1_000_000;
const args = parseArgs(process.argv.slice(2));

if (args.version) {
  const { version } = await loadWasmEngine();
  process.stdout.write(`schema-engine-wasm-shim ${version()}\n`);
  process.exit(0);
}

if (args.cliCommand !== undefined) process.exit(await runCliCommand(args.cliCommand, args.datasource?.url));

const engineModule = await loadWasmEngine();
const { bindMigrationAwareSqlAdapterFactory } = await import('@prisma/driver-adapter-utils');
const datamodels = await Promise.all(
  args.datamodels.map(async (path) => [path, await readFile(path, 'utf8')]),
);
let factory;
let engine;

/**
 * Built at the first request rather than at start, so that a failure to connect is answered as
 * an error of that request, which the CLI shows, instead of an exit it reports as a crash.
 */
async function engineFor() {
  if (engine) return engine;
  factory ??= bindMigrationAwareSqlAdapterFactory(adapterFactoryFor(args.datasource ?? {}));
  engine = await engineModule.SchemaEngine.new(
    { datamodels: datamodels.length > 0 ? datamodels : undefined },
    // The engine's log lines are already the JSON the CLI reads from stderr.
    (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
    factory,
  );
  return engine;
}

// The CLI sends one request at a time; chaining keeps it so even if it ever does not.
let queue = Promise.resolve();
const input = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
input.on('line', (line) => {
  if (line.trim() === '') return;
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    reply({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    return;
  }
  if (message.method === undefined) {
    // The CLI's answer to one of our `print` requests: not queued, the request waits for it.
    printed.get(message.id)?.();
    printed.delete(message.id);
    return;
  }
  queue = queue.then(() => answer(message));
});
input.on('close', () => {
  queue.then(shutdown, shutdown);
});
// The CLI ends stdin and then kills the engine at once (SIGTERM): clean up all the same, or a
// PGlite directory would stay locked by a dead process and PGlite would not be closed cleanly.
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

async function answer(request) {
  try {
    await engineFor();
    const result = await dispatch(request.method, request.params ?? {});
    reply({ jsonrpc: '2.0', id: request.id, result: result ?? {} });
  } catch (err) {
    const { message, errorCode, isPanic } = describe(factory?.errorRegistry, err);
    log('ERROR', message);
    reply({
      jsonrpc: '2.0',
      id: request.id,
      error: {
        code: 4466,
        message: 'An error happened. Check the data field for details.',
        data: { is_panic: isPanic, message, error_code: errorCode, meta: {} },
      },
    });
  }
}

async function dispatch(method, params) {
  switch (method) {
    case 'getDatabaseVersion':
      return engine.version(params);
    case 'createMigration':
    case 'evaluateDataLoss':
      // Both read the shadow database's schema, which the wasm engine only caches during
      // diagnoseMigrationHistory (the native engine builds it on demand).
      await engine.diagnoseMigrationHistory({
        migrationsList: params.migrationsList,
        optInToShadowDatabase: true,
        filters: params.filters,
      });
      return engine[method](params);
    case 'createDatabase':
      return createDatabase(args.datasource?.url);
    case 'debugPanic':
      return engine.debugPanic();
    case 'diff': {
      // The native engine prints the diff through a `print` request to the CLI and returns no
      // stdout; the wasm engine returns it. Print it the native way.
      const { stdout, ...rest } = await engine.diff(params);
      if (stdout) await print(stdout);
      return { ...rest, stdout: null };
    }
    case 'applyMigrations':
    case 'dbExecute':
    case 'devDiagnostic':
    case 'diagnoseMigrationHistory':
    case 'ensureConnectionValidity':
    case 'introspect':
    case 'markMigrationApplied':
    case 'markMigrationRolledBack':
    case 'reset':
    case 'schemaPush':
    case 'introspectSql':
      // Called on the instance: extracting the method loses the binding to the wasm object.
      return engine[method](params);
    default:
      throw new Error(`The wasm schema engine shim does not implement ${method}`);
  }
}

let shuttingDown;

/** Frees the engine, closes databases and releases locks, then exits. Runs once. */
function shutdown() {
  shuttingDown ??= (async () => {
    try {
      engine?.free();
    } finally {
      await Promise.allSettled(disposers.map((dispose) => dispose()));
      process.exit(0);
    }
  })();
  return shuttingDown;
}

/** Asks the CLI to write `content` to its stdout and waits until it has. */
function print(content) {
  const id = nextPrintId++;
  return new Promise((resolve) => {
    printed.set(id, resolve);
    reply({ jsonrpc: '2.0', id, method: 'print', params: { content: content.replace(/\n$/, '') } });
  });
}

function reply(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** The CLI reads stderr as JSON log lines; ERROR lines become the message it shows on failure. */
function log(level, message) {
  process.stderr.write(
    `${JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message }, target: 'schema_engine_shim' })}\n`,
  );
}

function describe(errorRegistry, err) {
  // A JS error thrown in the adapter crosses the wasm boundary as "External error id#N".
  const id = /External error id#(\d+)/.exec(String(err?.message))?.[1];
  const captured = id === undefined ? undefined : errorRegistry?.consumeError(Number(id));
  if (captured) {
    const cause = captured.error;
    const message = cause?.cause?.message ?? cause?.message ?? JSON.stringify(cause);
    return { message, errorCode: undefined, isPanic: false };
  }
  if (err instanceof WebAssembly.RuntimeError) {
    // A Rust panic: its message was handed to the panic registry before the trap.
    const message = globalThis.PRISMA_WASM_PANIC_REGISTRY?.message || err.message;
    return { message, errorCode: undefined, isPanic: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  // User-facing engine errors carry Prisma's P-codes (P3006 …), which the CLI shows with the message.
  const errorCode = typeof err?.code === 'string' && /^P\d{4}$/.test(err.code) ? err.code : undefined;
  return { message, errorCode, isPanic: false };
}

function parseArgs(argv) {
  const out = { datamodels: [], datasource: undefined, version: false, cliCommand: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === 'cli') out.cliCommand = argv[++i];
    else if (arg === '--datamodels') out.datamodels.push(argv[++i]);
    else if (arg === '--datasource') out.datasource = JSON.parse(argv[++i]);
    else if (arg === '--version' || arg === '-V') out.version = true;
    // --enabled-preview-features, --extension-types: the wasm engine's constructor takes neither.
    else if (arg.startsWith('--')) i++;
  }
  return out;
}

async function loadWasmEngine() {
  // The package's entry imports the .wasm file as an ES module, which Node 20 does not do without
  // a flag: instantiate it by hand and hand it to the generated bindings instead.
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    set_message(message) {
      this.message = `RuntimeError: ${message}`;
    },
  };
  const bindingsUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bindings = await import(bindingsUrl);
  const bytes = await readFile(join(dirname(fileURLToPath(bindingsUrl)), 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bindings;
}

function adapterFactoryFor(datasource) {
  const url = datasource.url ?? '';
  if (url === '' || url === 'pglite:memory') return pgliteFactory(undefined);
  if (url.startsWith('pglite:')) return pgliteFactory(resolve(url.slice('pglite:'.length)));
  if (/^postgres(ql)?:\/\//.test(url)) return postgresFactory(url, datasource.shadowDatabaseUrl);
  throw new Error(
    `The schema engine shim supports postgres://, postgresql://, pglite:memory and pglite:<data dir> URLs, not ${url}`,
  );
}

/**
 * PGlite in this process: in memory, or the server's data directory (<dataDir>/pglite), which is
 * then locked the way the server locks it, so that the two never open it at once. The shadow
 * database is always a fresh in-memory one.
 */
function pgliteFactory(dataDir) {
  const open = async (dir) => {
    const [{ PGlite }, { pg_trgm }, { PrismaPGlite }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('pglite-prisma-adapter'),
    ]);
    const lock = dir === undefined ? undefined : await lockDataDir(dir);
    let db;
    try {
      db =
        dir === undefined
          ? await PGlite.create({ loadDataDir: await emptyCluster(PGlite), extensions: { pg_trgm } })
          : await PGlite.create({ dataDir: join(dir, 'pglite'), extensions: { pg_trgm } });
    } catch (err) {
      lock?.release();
      throw err;
    }
    disposers.push(async () => {
      try {
        await db.close();
      } finally {
        lock?.release();
      }
    });
    const adapter = await new PrismaPGlite(db).connect();
    adapter.executeScript = async (script) => {
      try {
        await db.exec(script);
      } catch (err) {
        adapter.onError(err);
      }
    };
    return adapter;
  };
  let main;
  return {
    provider: 'postgres',
    adapterName: 'pglite-prisma-adapter',
    // One database for the whole command, however often the engine connects.
    connect: () => {
      main ??= open(dataDir);
      return main;
    },
    connectToShadowDb: () => open(undefined),
  };
}

/**
 * An empty cluster as a tarball to start in-memory databases from: loading one takes a fraction
 * of a second, initdb in wasm a few seconds, and a command may need two (main and shadow). Kept
 * per PGlite version in node_modules/.cache; written aside and renamed, so concurrent commands
 * never read half of one.
 */
async function emptyCluster(PGlite) {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite')); // <package>/dist/index.js
  const { version } = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8'));
  const cache = fileURLToPath(
    new URL('../../node_modules/.cache/afterpatch-schema-engine/', import.meta.url),
  );
  const file = join(cache, `pglite-${version}-empty.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    // Not made yet.
  }
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('none');
  await db.close();
  try {
    mkdirSync(cache, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, Buffer.from(await dump.arrayBuffer()));
    renameSync(temp, file);
  } catch {
    // A cache that cannot be written only costs time.
  }
  return dump;
}

async function lockDataDir(dir) {
  const lockModule = new URL('../../dist/server/db/data-dir-lock.js', import.meta.url);
  let acquireDataDirLock;
  try {
    ({ acquireDataDirLock } = await import(lockModule.href));
  } catch {
    throw new Error("pglite:<data dir> uses the server's lock file code: run `npm run build` first");
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return acquireDataDirLock(join(dir, 'db.lock'));
}

function postgresFactory(url, shadowDatabaseUrl) {
  const connectTo = async (connectionString) => {
    const [{ default: pg }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
    presentCharAsText(pg);
    const adapter = await new PrismaPg({ connectionString, max: 2 }).connect();
    adapter.executeScript = async (script) => {
      try {
        // No parameters: node-postgres sends a simple query, which PostgreSQL runs as one
        // implicit transaction however many statements it holds.
        await adapter.underlyingDriver().query(script);
      } catch (err) {
        adapter.onError(err);
      }
    };
    disposers.push(() => adapter.dispose());
    return adapter;
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(url),
    async connectToShadowDb() {
      if (shadowDatabaseUrl) return connectTo(shadowDatabaseUrl);
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await adminQuery(url, `CREATE DATABASE "${name}"`);
      const shadowUrl = new URL(url);
      shadowUrl.pathname = `/${name}`;
      const adapter = await connectTo(shadowUrl.href);
      const dispose = adapter.dispose.bind(adapter);
      let disposed = false;
      adapter.dispose = async () => {
        if (disposed) return;
        disposed = true;
        await dispose();
        await adminQuery(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      };
      disposers.push(() => adapter.dispose());
      return adapter;
    },
  };
}

/** Runs one statement on the server of `url` through its maintenance database `postgres`. */
async function adminQuery(url, sql) {
  const { default: pg } = await import('pg');
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  adminUrl.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: adminUrl.href });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * `schema-engine --datasource {...} cli <command>`: the one-shot commands the CLI runs before
 * `migrate dev/deploy` to make sure the database exists. Success is exit code 0; on failure the
 * CLI skips the first stderr line and reads an ERROR line from the `schema_engine::logger` target.
 */
async function runCliCommand(command, url) {
  const fail = (errorCode, message) => {
    log('INFO', `cli ${command}`);
    process.stderr.write(
      `${JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields: { error_code: errorCode, message } })}\n`,
    );
    return 1;
  };
  if (!url || url.startsWith('pglite:')) return 0;
  const where = new URL(url);
  const name = decodeURIComponent(where.pathname.slice(1));
  try {
    if (command === 'can-connect-to-database') {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.end();
    } else if (command === 'create-database') {
      await createDatabase(url);
    } else if (command === 'drop-database') {
      await adminQuery(url, `DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
    } else {
      return fail('P1000', `The schema engine shim does not implement cli ${command}`);
    }
    return 0;
  } catch (err) {
    if (err?.code === '3D000') {
      return fail(
        'P1003',
        `Database \`${name}\` does not exist on the database server at \`${where.host}\`.`,
      );
    }
    if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(err?.code)) {
      return fail('P1001', `Can't reach database server at \`${where.host}\`.`);
    }
    return fail('P1000', String(err?.message ?? err));
  }
}

async function createDatabase(url) {
  if (!url || url.startsWith('pglite:')) return { databaseName: 'pglite' };
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const exists = await adminQuery(
    url,
    `SELECT 1 FROM pg_database WHERE datname = '${name.replaceAll("'", "''")}'`,
  );
  if (exists.rowCount === 0) await adminQuery(url, `CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  return { databaseName: name };
}

/** adapter-pg refuses columns of the catalog type "char" (OID 18); they hold one character. */
function presentCharAsText(pg) {
  const { prototype } = pg.Result;
  if (prototype.addFields.charAsText) return;
  const addFields = prototype.addFields;
  prototype.addFields = function addFieldsCharAsText(fields) {
    for (const field of fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return addFields.call(this, fields);
  };
  prototype.addFields.charAsText = true;
}
