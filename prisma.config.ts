// Prisma CLI configuration. This project's machines cannot download Prisma's native schema engine,
// and the CLI insists on finding one for every command, even `generate`, which never runs it.
// Pointing PRISMA_SCHEMA_ENGINE_BINARY at our wasm stand-in (prisma/engine/schema-engine.mjs) makes
// `generate` work and gives `migrate diff/dev/status/deploy/resolve` a working engine; a machine
// that has the real engine can still set the variable itself (`??=`). See prisma/README.md.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(
  new URL('./prisma/engine/schema-engine.mjs', import.meta.url),
);
// Nor can the CLI reach Prisma's servers for its update check ("checkpoint"): don't try.
process.env.CHECKPOINT_DISABLE ??= '1';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Read by the migrate/db commands only. Besides postgres:// URLs the stand-in engine takes
  // `pglite:<dataDir>` (a server's PGlite directory) and `pglite:memory`, an empty database that
  // lives as long as one command: all `migrate dev` needs to write a migration.
  datasource: { url: process.env.DATABASE_URL ?? 'pglite:memory' },
});
