// The migration set on disk, in Prisma Migrate's layout: prisma/migrations/<name>/migration.sql,
// applied in the order of the folder names (they start with a UTC timestamp).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Migration {
  /** The folder name, as recorded in _prisma_migrations.migration_name. */
  name: string;
  sql: string;
  /** sha256 of migration.sql in lowercase hex: the checksum Prisma Migrate records. */
  checksum: string;
}

/** Bounds reading: a migration set is a few dozen small files, never thousands or megabytes. */
const MAX_MIGRATIONS = 1000;
const MAX_MIGRATION_BYTES = 4 * 1024 * 1024;

/** Reads every `<dir>/<name>/migration.sql`, sorted by name. Other entries are ignored. */
export function readMigrations(dir: string): Migration[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort();
  if (names.length > MAX_MIGRATIONS) throw new Error(`${dir} holds more than ${MAX_MIGRATIONS} migrations`);
  return names.map((name) => {
    const bytes = readFileSync(join(dir, name, 'migration.sql'));
    if (bytes.length > MAX_MIGRATION_BYTES) throw new Error(`${name}/migration.sql is larger than 4 MiB`);
    return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
  });
}

/**
 * prisma/migrations of this installation: found from this file's place, which is
 * server/db/ in the source tree and dist/server/db/ once compiled.
 */
export function defaultMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('prisma/migrations not found above the server code');
    dir = parent;
  }
}
