// Runs the scanner the way a user does (`afterpatch scan --json --pid …`) and checks its
// verdict on one process. Failure messages carry what the scanner said and what the kernel
// shows in /proc/PID/maps, so that a wrong verdict can be diagnosed from the test output alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Value from 'typebox/value';
import { type FileKind, ScanReport, type StaleReason } from '../../shared/scan-report.js';
import { fixturePath, repoRoot } from './paths.js';
import { mapsLinesFor } from './stale-files.js';

const execFileAsync = promisify(execFile);

export const cliPath = join(repoRoot, 'bin', 'afterpatch.js');

/**
 * An explicit empty config, so that the verdicts are the defaults' whatever the machine has in
 * /etc/afterpatch/agent.json or AFTERPATCH_CONFIG.
 */
const EMPTY_CONFIG = fixturePath('integration', 'empty-config.json');

export interface ScanRun {
  /** The CLI's exit code: 0 nothing stale, 1 restarts needed, 2 reboot needed. */
  code: number;
  report: ScanReport;
  stderr: string;
}

export interface ScanCliOptions {
  /** Run the CLI with these ids (through setpriv, groups cleared), e.g. nobody 65534. */
  asUser?: { uid: number; gid: number };
  timeoutMs?: number;
}

/** `afterpatch scan --json --pid P …`; rejects when the CLI crashes or prints no JSON. */
export async function runScanCli(pids: readonly number[], opts: ScanCliOptions = {}): Promise<ScanRun> {
  const cli = [
    cliPath,
    'scan',
    '--json',
    '--config',
    EMPTY_CONFIG,
    ...pids.flatMap((pid) => ['--pid', String(pid)]),
  ];
  const [command, args] = opts.asUser
    ? [
        'setpriv',
        [
          `--reuid=${opts.asUser.uid}`,
          `--regid=${opts.asUser.gid}`,
          '--clear-groups',
          process.execPath,
          ...cli,
        ],
      ]
    : [process.execPath, cli];
  let stdout: string;
  let stderr: string;
  let code: number;
  try {
    ({ stdout, stderr } = await execFileAsync(command, args, {
      cwd: '/',
      env: withoutConfigEnv(),
      timeout: opts.timeoutMs ?? 30_000,
      maxBuffer: 64 * 1024 * 1024,
    }));
    code = 0;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & {
      code?: unknown;
      stdout?: string;
      stderr?: string;
      signal?: string;
    };
    if (typeof e.code !== 'number') {
      throw new Error(
        `scan CLI did not exit normally (${e.signal ?? e.code ?? e.message}): ${e.stderr ?? ''}`,
      );
    }
    ({ code } = e as { code: number });
    stdout = e.stdout ?? '';
    stderr = e.stderr ?? '';
  }
  let report: ScanReport;
  try {
    report = JSON.parse(stdout) as ScanReport;
  } catch {
    throw new Error(
      `scan CLI (exit ${code}) printed no JSON. stdout: ${stdout.slice(0, 2000)} stderr: ${stderr}`,
    );
  }
  return { code, report, stderr };
}

function withoutConfigEnv(): NodeJS.ProcessEnv {
  const { AFTERPATCH_CONFIG: _ignored, ...env } = process.env;
  return env;
}

/** Fails with the first schema errors when `report` is not a valid ScanReport. */
export function assertValidReport(report: unknown): asserts report is ScanReport {
  if (Value.Check(ScanReport, report)) return;
  const errors = Value.Errors(ScanReport, report).slice(0, 5);
  assert.fail(`not a valid ScanReport: ${JSON.stringify(errors, null, 2)}`);
}

export interface ExpectedFile {
  path: string;
  kind: FileKind;
  /** The reason, or the reasons the scanner may legitimately choose between. */
  reason: StaleReason | readonly StaleReason[];
}

/**
 * The process is listed and its stale files are exactly `expected` (path, kind, reason):
 * no file missing, none extra (an extra one is a false alarm).
 */
export function assertStale(report: ScanReport, pid: number, expected: readonly ExpectedFile[]): void {
  const proc = report.processes.find((p) => p.pid === pid);
  const context = () => diagnose(report, pid, expected);
  if (proc === undefined) assert.fail(`pid ${pid} is not listed as stale.\n${context()}`);
  const actual = proc.files.map(({ path, kind, reason }) => ({ path, kind, reason }));
  const unmatched = [...actual];
  for (const want of expected) {
    const reasons: readonly StaleReason[] = typeof want.reason === 'string' ? [want.reason] : want.reason;
    const i = unmatched.findIndex(
      (f) => f.path === want.path && f.kind === want.kind && reasons.includes(f.reason),
    );
    if (i < 0) assert.fail(`pid ${pid}: expected ${JSON.stringify(want)} among its files.\n${context()}`);
    unmatched.splice(i, 1);
  }
  if (unmatched.length > 0) {
    assert.fail(`pid ${pid}: unexpected stale files ${JSON.stringify(unmatched)}.\n${context()}`);
  }
}

/** The process was read and found clean: not among the stale processes nor the unreadable ones. */
export function assertClean(report: ScanReport, pid: number, paths: readonly string[] = []): void {
  const proc = report.processes.find((p) => p.pid === pid);
  if (proc !== undefined) {
    assert.fail(`pid ${pid} must not be listed, but is.\n${diagnose(report, pid, paths.map(asProbe))}`);
  }
  const unreadable = report.unreadable.find((u) => u.pid === pid);
  if (unreadable !== undefined) {
    assert.fail(
      `pid ${pid} must have been read and found clean, but is unreadable: ${JSON.stringify(unreadable)}`,
    );
  }
}

function asProbe(path: string): ExpectedFile {
  return { path, kind: 'library', reason: 'deleted' };
}

function diagnose(report: ScanReport, pid: number, expected: readonly ExpectedFile[]): string {
  const proc = report.processes.find((p) => p.pid === pid);
  const lines = [
    `report entry: ${proc ? JSON.stringify(proc.files, null, 2) : 'none'}`,
    `unreadable: ${JSON.stringify(report.unreadable.filter((u) => u.pid === pid))}`,
    `warnings: ${JSON.stringify(report.warnings)}`,
  ];
  if (existsSync(`/proc/${pid}/maps`)) {
    for (const { path } of expected) {
      lines.push(`/proc/${pid}/maps for ${path}:`, ...mapsLinesFor(pid, path).map((l) => `  ${l}`));
    }
  }
  return lines.join('\n');
}

/**
 * The exit code and status match the verdict: 2/reboot when the host must reboot (this does
 * not depend on the test: a kernel or reboot-required file on the machine), else 1/restart
 * when something is stale, else 0/ok.
 */
export function assertExitCode(run: ScanRun, stale: boolean): void {
  const [code, status] = run.report.reboot.required ? [2, 'reboot'] : stale ? [1, 'restart'] : [0, 'ok'];
  assert.equal(
    run.report.status,
    status,
    `report status; reboot reasons: ${JSON.stringify(run.report.reboot)}`,
  );
  assert.equal(run.code, code, `exit code for status ${run.report.status}; stderr: ${run.stderr}`);
}
