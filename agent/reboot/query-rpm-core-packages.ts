// Asks the host's own rpm for the install time of the core packages. rpm is the one program
// this check runs: a fixed absolute path, no shell, a clean environment, a timeout and a
// bounded output. `rpm -q` exits non-zero when any name is not installed, which is normal.
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { parseRpmQueryOutput, RPM_REBOOT_PACKAGES, type RpmInstalledPackage } from './parse-rpm-query.js';

export const RPM_QUERY_FORMAT = '%{NAME} %{VERSION}-%{RELEASE} %{INSTALLTIME}\n';
const DEFAULT_RPM_PATHS: readonly string[] = ['/usr/bin/rpm', '/bin/rpm'];
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface RpmQueryOptions {
  /** Where to look for rpm, first existing wins. Tests point it at a fake. */
  rpmPaths?: readonly string[];
  timeoutMs?: number;
}

export type RpmQueryResult = { ok: true; packages: RpmInstalledPackage[] } | { ok: false; warning: string };

async function findRpm(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // try the next location
    }
  }
  return undefined;
}

function firstErrorLine(stderr: string): string | undefined {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('error:'))
    ?.slice(0, 200);
}

export async function queryRpmCorePackages(
  root: string,
  options: RpmQueryOptions = {},
): Promise<RpmQueryResult> {
  const paths = options.rpmPaths ?? DEFAULT_RPM_PATHS;
  const rpm = await findRpm(paths);
  if (rpm === undefined) {
    return {
      ok: false,
      warning: `rpm not found at ${paths.join(' or ')}: core package updates were not checked`,
    };
  }
  const args = ['--root', root, '-q', '--qf', RPM_QUERY_FORMAT, ...RPM_REBOOT_PACKAGES];
  return new Promise((resolve) => {
    execFile(
      rpm,
      args,
      {
        timeout: options.timeoutMs ?? 10_000,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_OUTPUT_BYTES,
        // The agent's own environment is not passed on: LC_ALL=C keeps the output parseable.
        env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const packages = parseRpmQueryOutput(stdout, RPM_REBOOT_PACKAGES);
        if (err === null) return resolve({ ok: true, packages });
        const code: unknown = err.code;
        // A numeric exit code with output we understood is rpm's "X is not installed".
        if (typeof code === 'number' && !err.killed) {
          const error = firstErrorLine(stderr);
          if (error && packages.length === 0) {
            return resolve({ ok: false, warning: `${rpm} failed (exit ${code}): ${error}` });
          }
          return resolve({ ok: true, packages });
        }
        // A string code is Node's own (ENOENT, EACCES, output over maxBuffer, which also kills).
        const why =
          typeof code !== 'string' && err.killed
            ? 'was stopped after the timeout'
            : `failed (${String(code ?? err.message)})`;
        resolve({ ok: false, warning: `${rpm} ${why}: core package updates were not checked` });
      },
    );
  });
}
