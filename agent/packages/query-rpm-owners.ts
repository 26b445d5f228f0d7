// Asks rpm which package owns each path. rpm's database (sqlite, ndb or Berkeley DB) is not
// something to parse by hand, so this is the one place the agent runs a program: the scanning
// host's own rpm at a fixed absolute path, without a shell, with a clean environment, bounded in
// time and output, pointed at the scanned root with --root.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseRpmQuery, type RpmPackage } from './parse-rpm-query.js';

export const RPM_PROGRAMS = ['/usr/bin/rpm', '/bin/rpm'];
// %{ARCH} beyond the NAME/EPOCH/VERSION-RELEASE triple tells multilib twins (glibc.i686 and
// glibc.x86_64) apart when matching dnf's log.
export const RPM_QUERY_FORMAT = '%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n';

export const RPM_LIMITS = Object.freeze({
  pathsPerRun: 200,
  timeoutMs: 15_000,
  maxBufferBytes: 4 * 1024 * 1024,
  // Splitting ambiguous batches (a file with two owners) costs extra runs; never unbounded.
  runs: 64,
});

export interface RpmRunResult {
  stdout: string;
  stderr: string;
  /** Set when rpm could not run or did not finish; a non-zero exit alone is normal for -qf. */
  failure?: string;
}

/** Runs rpm with these arguments. Replaced in tests; the real one is runRpm. */
export type RpmRunner = (args: readonly string[]) => Promise<RpmRunResult>;

export function findRpmProgram(): string | undefined {
  return RPM_PROGRAMS.find((p) => existsSync(p));
}

export function createRpmRunner(program: string): RpmRunner {
  return (args) =>
    new Promise((resolve) => {
      execFile(
        program,
        [...args],
        {
          timeout: RPM_LIMITS.timeoutMs,
          maxBuffer: RPM_LIMITS.maxBufferBytes,
          killSignal: 'SIGKILL',
          // LC_ALL=C keeps rpm's messages untranslated so that "not owned" can be recognised.
          env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' },
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          // A numeric code is rpm's exit status (the number of paths it could not answer);
          // anything else means it did not run (ENOENT), hit maxBuffer, or was killed on timeout.
          if (error && typeof error.code !== 'number') {
            const why =
              typeof error.code === 'string'
                ? error.code
                : error.killed
                  ? `no answer within ${RPM_LIMITS.timeoutMs} ms`
                  : error.message;
            resolve({ stdout, stderr, failure: `${program}: ${why}` });
            return;
          }
          resolve({ stdout, stderr });
        },
      );
    });
}

/** `dbPath`: the database directory inside `root` (see findRpmDbPath). */
export async function queryRpmOwners(
  root: string,
  dbPath: string,
  paths: readonly string[],
  run: RpmRunner,
): Promise<{ owners: Map<string, RpmPackage>; warnings: string[] }> {
  const owners = new Map<string, RpmPackage>();
  const warnings: string[] = [];
  // A newline in a path would break the one-line-per-answer protocol.
  const queryable = [...new Set(paths)].filter((p) => p.startsWith('/') && !p.includes('\n'));
  let runsLeft = RPM_LIMITS.runs;
  // A broken database repeats the same complaint on every run: say it once.
  let reportedErrors = false;

  const query = async (batch: readonly string[]): Promise<void> => {
    if (runsLeft <= 0) {
      warnings.push(`rpm: gave up after ${RPM_LIMITS.runs} runs; ${batch.length} file(s) not attributed`);
      return;
    }
    runsLeft--;
    const result = await run(['--root', root, '--dbpath', dbPath, '-qf', '--qf', RPM_QUERY_FORMAT, ...batch]);
    if (result.failure) {
      warnings.push(`rpm query failed for ${batch.length} file(s): ${result.failure}`);
      return;
    }
    const parsed = parseRpmQuery(batch, result.stdout, result.stderr);
    if (parsed.errors.length > 0 && !reportedErrors) {
      reportedErrors = true;
      warnings.push(`rpm: ${parsed.errors[0]!.slice(0, 300)}`);
    }
    if (parsed.consistent) {
      for (const [path, pkg] of parsed.owners) owners.set(path, pkg);
      return;
    }
    // Some file has several owners (or rpm named a path differently): halve until each answer
    // can be matched to its path.
    const half = Math.ceil(batch.length / 2);
    await query(batch.slice(0, half));
    await query(batch.slice(half));
  };

  for (let i = 0; i < queryable.length; i += RPM_LIMITS.pathsPerRun) {
    await query(queryable.slice(i, i + RPM_LIMITS.pathsPerRun));
  }
  return { owners, warnings };
}
