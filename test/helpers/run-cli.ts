// Runs the real `afterpatch` command (bin/afterpatch.js → the esbuild bundle) or the agent
// bundle as a child process, asynchronously: the tests' server runs in this process and must
// keep answering while the CLI talks to it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const AFTERPATCH_BIN = join(repoRoot, 'bin', 'afterpatch.js');
export const AGENT_BUNDLE = join(repoRoot, 'dist', 'afterpatch-agent.mjs');

export function runNode(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      {
        env: options.env ?? cleanEnv(),
        cwd: options.cwd ?? repoRoot,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0;
        if (code === undefined) reject(err);
        else resolve({ code, stdout, stderr });
      },
    );
  });
}

export function runAfterpatch(
  args: readonly string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<CliResult> {
  return runNode(AFTERPATCH_BIN, args, { env });
}

/** The environment without any AFTERPATCH_* or DATABASE_URL a developer may have set. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AFTERPATCH_') && key !== 'DATABASE_URL') env[key] = value;
  }
  // No CLI config file of the developer's: HOME-relative lookups land in an empty place.
  env.XDG_CONFIG_HOME = '/nonexistent';
  return { ...env, ...extra };
}
