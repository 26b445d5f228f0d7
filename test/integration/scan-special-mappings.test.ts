// Mappings that look stale in /proc/PID/maps (" (deleted)", executable) but are not code that
// a restart would reload: memfds, SysV shared memory, /dev/shm, data files, open logs, and
// JIT/trampoline files in /tmp. The scanner must leave these processes out entirely, while a
// real library that happens to live under /tmp is still reported.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildNative, type NativeBuild, startNativeHolder } from '../helpers/native.js';
import { assertClean, assertExitCode, assertStale, runScanCli } from '../helpers/run-scan.js';
import { createScratch, needsRoot } from '../helpers/scratch.js';
import { installLibDir, mapsLinesFor, mapsLinesMatching, replaceByRename } from '../helpers/stale-files.js';

/** The permissions column of a maps line, e.g. `r-xp`. */
function perms(line: string): string {
  return line.split(' ')[1] ?? '';
}

const PAGE = Buffer.alloc(4096, 0xc3);

describe('scan: mappings that are not stale code', { skip: needsRoot, concurrency: true }, () => {
  let build: NativeBuild;
  before(async () => {
    build = await buildNative();
  });

  test('a memfd mapped executable (runc, crun, JITs) is never flagged', async (t) => {
    const scratch = createScratch(t);
    const holder = await startNativeHolder(build, { actions: ['memfd-exec=afterpatch-jit'] });
    scratch.defer(holder.stop);

    const lines = mapsLinesMatching(holder.pid, /^\/memfd:afterpatch-jit \(deleted\)$/);
    assert.ok(
      lines.some((l) => perms(l).includes('x')),
      `setup: memfd mapped exec: ${lines}`,
    );
    const run = await runScanCli([holder.pid]);
    assertClean(run.report, holder.pid, ['/memfd:afterpatch-jit']);
    assertExitCode(run, false);
  });

  test('SysV shared memory attached with SHM_EXEC is never flagged, whatever its key', async (t) => {
    const scratch = createScratch(t);
    // A non-zero key, so that the name is /SYSV<key> and not the IPC_PRIVATE /SYSV00000000.
    const key = (0x41000000 + randomBytes(3).readUIntBE(0, 3)).toString(16);
    const holder = await startNativeHolder(build, { actions: [`shm-exec=${key}`] });
    scratch.defer(holder.stop);

    const lines = mapsLinesMatching(holder.pid, /^\/SYSV[0-9a-f]{8} \(deleted\)$/);
    assert.ok(
      lines.some((l) => perms(l).includes('x')),
      `setup: shm attached exec: ${lines}`,
    );
    assert.ok(
      lines.every((l) => !l.includes('/SYSV00000000')),
      'setup: a real key',
    );
    const run = await runScanCli([holder.pid]);
    assertClean(run.report, holder.pid);
    assertExitCode(run, false);
  });

  test('a /dev/shm file mapped executable and unlinked is never flagged', async (t) => {
    const scratch = createScratch(t);
    const file = `/dev/shm/afterpatch-it-${randomBytes(6).toString('hex')}`;
    writeFileSync(file, PAGE);
    scratch.defer(() => rmSync(file, { force: true }));
    const holder = await startNativeHolder(build, { actions: [`map-exec=${file}`, `unlink=${file}`] });
    scratch.defer(holder.stop);

    const lines = mapsLinesFor(holder.pid, file);
    assert.ok(
      lines.some((l) => perms(l).includes('x') && l.endsWith('(deleted)')),
      `setup: ${lines}`,
    );
    const run = await runScanCli([holder.pid]);
    assertClean(run.report, holder.pid, [file]);
    assertExitCode(run, false);
  });

  test('a deleted data file mapped read-only (no exec) is not code: not flagged', async (t) => {
    const scratch = createScratch(t);
    const file = join(scratch.dir, 'data.db');
    writeFileSync(file, PAGE);
    const holder = await startNativeHolder(build, { actions: [`map-ro=${file}`, `unlink=${file}`] });
    scratch.defer(holder.stop);

    const lines = mapsLinesFor(holder.pid, file);
    assert.ok(
      lines.length > 0 && lines.every((l) => perms(l) === 'r--p' && l.endsWith('(deleted)')),
      `${lines}`,
    );
    const run = await runScanCli([holder.pid]);
    assertClean(run.report, holder.pid, [file]);
    assertExitCode(run, false);
  });

  test('a deleted file held open but not mapped (a log) is not flagged', async (t) => {
    const scratch = createScratch(t);
    const file = join(scratch.dir, 'app.log');
    const holder = await startNativeHolder(build, { actions: [`open=${file}`, `unlink=${file}`] });
    scratch.defer(holder.stop);

    const fds = readdirSync(`/proc/${holder.pid}/fd`).map((fd) =>
      readlinkSync(`/proc/${holder.pid}/fd/${fd}`),
    );
    assert.ok(fds.includes(`${file} (deleted)`), `setup: the log is open and deleted: ${fds}`);
    const run = await runScanCli([holder.pid]);
    assertClean(run.report, holder.pid);
    assertExitCode(run, false);
  });

  test('a real library under /tmp replaced by rename is still reported (temp policy)', async (t) => {
    // Explicitly /tmp, whatever TMPDIR says: the temp-directory policy is what is under test.
    const scratch = createScratch(t, '/tmp');
    const { libDir, lib } = installLibDir(scratch, build);
    assert.ok(lib.startsWith('/tmp/'), `setup: ${lib} is under /tmp`);
    const holder = await startNativeHolder(build, { libDir });
    scratch.defer(holder.stop);

    replaceByRename(lib, build.libStaleV2);

    const run = await runScanCli([holder.pid]);
    assertStale(run.report, holder.pid, [{ path: lib, kind: 'library', reason: 'deleted' }]);
    assertExitCode(run, true);
  });

  test('a libffi trampoline (/tmp/ffiXXXXXX mapped exec, deleted) is not flagged', async (t) => {
    const scratch = createScratch(t);
    // The holder creates and unlinks the file itself, as libffi does: nothing is left to clean.
    const holder = await startNativeHolder(build, { actions: ['ffi-tramp=/tmp'] });
    scratch.defer(holder.stop);

    const lines = mapsLinesMatching(holder.pid, /^\/tmp\/ffi[A-Za-z0-9]{6} \(deleted\)$/);
    assert.ok(
      lines.some((l) => perms(l).includes('x')),
      `setup: trampoline mapped exec: ${lines}`,
    );
    const run = await runScanCli([holder.pid]);
    assertClean(run.report, holder.pid);
    assertExitCode(run, false);
  });
});
