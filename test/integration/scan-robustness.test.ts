// The scan under adverse conditions: processes that exit while they are being read, and a
// scanner without the privilege to read other users' processes. Neither may crash the scan,
// and an unreadable process must be said to be unreadable, never silently called clean.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { unlinkSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { scanHost } from '../../agent/scan/scan-host.js';
import { buildNative, type Holder, type NativeBuild, startNativeHolder } from '../helpers/native.js';
import { assertExitCode, assertStale, assertValidReport, runScanCli } from '../helpers/run-scan.js';
import { createScratch, needsRoot, type Scratch } from '../helpers/scratch.js';
import { installLibDir } from '../helpers/stale-files.js';

const NOBODY = { uid: 65534, gid: 65534 };

/** A holder whose linked library was unlinked: stale for sure. */
async function startStaleHolder(
  scratch: Scratch,
  build: NativeBuild,
): Promise<{ holder: Holder; lib: string }> {
  const { libDir, lib } = installLibDir(scratch, build);
  const holder = await startNativeHolder(build, { libDir });
  scratch.defer(holder.stop);
  unlinkSync(lib);
  return { holder, lib };
}

/**
 * Starts `count` holders that exit on their own, spread over `spanMs`, so that some are gone
 * before the scan, some vanish while it reads them and some outlive it. Returns their pids and
 * a promise for all their exits.
 */
function startShortLived(
  build: NativeBuild,
  count: number,
  spanMs: number,
): { pids: number[]; done: Promise<void> } {
  const pids: number[] = [];
  const exits: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(build.holder, [`exit-after-ms=${Math.round((i * spanMs) / count)}`], {
      stdio: 'ignore',
    });
    if (child.pid !== undefined) pids.push(child.pid);
    exits.push(once(child, 'exit'));
  }
  return { pids, done: Promise.all(exits).then(() => undefined) };
}

/** Keeps spawning and reaping processes until stopped, so that pids churn during a scan. */
function churn(build: NativeBuild): { stop(): Promise<void> } {
  const exits: Promise<unknown>[] = [];
  const timer = setInterval(() => {
    const child = spawn(build.holder, ['exit-after-ms=0'], { stdio: 'ignore' });
    exits.push(once(child, 'exit'));
  }, 5);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(exits);
    },
  };
}

describe('scan: robustness', { skip: needsRoot, concurrency: true }, () => {
  let build: NativeBuild;
  before(async () => {
    build = await buildNative();
  });

  test('processes exiting during the scan do not break it (CLI)', async (t) => {
    const scratch = createScratch(t);
    const { holder, lib } = await startStaleHolder(scratch, build);
    // One already gone (exited and reaped) before the scan starts.
    const gone = startShortLived(build, 1, 0);
    await gone.done;
    // Spread over the CLI's start-up (Node and imports take 100-300 ms; the scan itself ~20 ms).
    const shortLived = startShortLived(build, 200, 800);
    const background = churn(build);
    scratch.defer(() => background.stop());
    scratch.defer(() => shortLived.done);

    const run = await runScanCli([holder.pid, ...gone.pids, ...shortLived.pids]);
    await background.stop();

    assertValidReport(run.report);
    assertStale(run.report, holder.pid, [{ path: lib, kind: 'library', reason: 'deleted' }]);
    const flagged = run.report.processes.filter((p) => p.pid !== holder.pid).map((p) => p.pid);
    assert.deepEqual(flagged, [], 'no short-lived (healthy) process is listed as stale');
    assertExitCode(run, true);
  });

  test('processes exiting during the scan do not break it (scanHost)', async (t) => {
    const scratch = createScratch(t);
    const { holder, lib } = await startStaleHolder(scratch, build);
    const shortLived = startShortLived(build, 60, 300);
    scratch.defer(() => shortLived.done);

    const report = await scanHost({ pids: [holder.pid, ...shortLived.pids] });

    assertValidReport(report);
    assertStale(report, holder.pid, [{ path: lib, kind: 'library', reason: 'deleted' }]);
    assert.deepEqual(
      report.processes.filter((p) => p.pid !== holder.pid).map((p) => p.pid),
      [],
      'no short-lived (healthy) process is listed as stale',
    );
  });

  test('run as nobody, a root process is reported unreadable, not clean', async (t) => {
    const scratch = createScratch(t);
    const { holder } = await startStaleHolder(scratch, build);

    const run = await runScanCli([holder.pid], { asUser: NOBODY });

    assertValidReport(run.report);
    assert.equal(
      run.report.processes.some((p) => p.pid === holder.pid),
      false,
      'a process the scanner cannot read cannot be judged stale either',
    );
    const entry = run.report.unreadable.find((u) => u.pid === holder.pid);
    assert.ok(entry, `pid ${holder.pid} must be in unreadable: ${JSON.stringify(run.report.unreadable)}`);
    assert.match(entry.error, /EACCES|EPERM|permission/i);
  });
});
