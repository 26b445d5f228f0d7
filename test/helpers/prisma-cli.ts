// Runs the project's Prisma CLI the way a developer does (`npx prisma …` from the repository root),
// through the wasm schema engine shim that prisma.config.ts names.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseTarget } from './databases.js';
import { repoRoot } from './paths.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `prisma <args>`; DATABASE_URL is `databaseUrl` when given and unset otherwise. */
export async function runPrisma(args: string[], databaseUrl?: string): Promise<CliRun> {
  const run = await runCli(args, databaseUrl);
  if (databaseUrl?.startsWith('pglite:') && databaseUrl !== 'pglite:memory') {
    await lockReleased(join(databaseUrl.slice('pglite:'.length), 'db.lock'));
  }
  return run;
}

/**
 * The CLI exits as soon as it has told the engine to stop; our engine shim then still closes
 * PGlite and releases the data directory's lock for a moment. Wait for that, as a person running
 * one command after the other would never notice.
 */
async function lockReleased(lockFile: string): Promise<void> {
  for (let waited = 0; existsSync(lockFile) && waited < 10_000; waited += 25) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function runCli(args: string[], databaseUrl: string | undefined): Promise<CliRun> {
  const { DATABASE_URL: _inherited, ...env } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'node_modules', 'prisma', 'build', 'index.js'), ...args],
      {
        cwd: repoRoot,
        // CHECKPOINT_DISABLE: no update check, which would wait on a network that is not there.
        env: { ...env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), CHECKPOINT_DISABLE: '1' },
        timeout: 120_000,
        maxBuffer: 4 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/** The DATABASE_URL under which the CLI reaches a test database. */
export function cliDatabaseUrl(target: DatabaseTarget): string {
  return target.databaseUrl ?? `pglite:${target.dataDir}`;
}

/** For assertion messages. */
export function showRun(run: CliRun): string {
  return `exit ${run.code}\n${run.stdout}\n${run.stderr}`;
}
