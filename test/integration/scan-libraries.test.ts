// Real libraries and executables changed under running processes, the ways package managers
// and administrators change them, and the scanner's verdict on each. Every test builds its
// own directory, holder and changes, so the tests run concurrently (the time-rule tests wait
// 3 s each, concurrently rather than in a row).
import assert from 'node:assert/strict';
import { mkdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { scanHost } from '../../agent/scan/scan-host.js';
import { buildNative, type NativeBuild, startNativeHolder } from '../helpers/native.js';
import { assertClean, assertExitCode, assertStale, runScanCli } from '../helpers/run-scan.js';
import { createScratch, needsRoot } from '../helpers/scratch.js';
import {
  AFTER_START_MS,
  backdate,
  bindMount,
  installFile,
  installLibDir,
  mapsLinesFor,
  overwriteInPlace,
  replaceByRename,
  sleep,
} from '../helpers/stale-files.js';

describe('scan: libraries and executables', { skip: needsRoot, concurrency: true }, () => {
  let build: NativeBuild;
  before(async () => {
    build = await buildNative();
  });

  test('a linked library upgraded by rename over it (dpkg, rpm) is deleted', async (t) => {
    const scratch = createScratch(t);
    const { libDir, lib } = installLibDir(scratch, build);
    const holder = await startNativeHolder(build, { libDir });
    scratch.defer(holder.stop);
    assert.match(holder.readyLine, /libstale=afterpatch-libstale-v1/);

    replaceByRename(lib, build.libStaleV2);

    assert.ok(
      mapsLinesFor(holder.pid, lib).some((l) => l.endsWith(`${lib} (deleted)`)),
      'setup: maps shows the old library as deleted',
    );
    const run = await runScanCli([holder.pid]);
    // The path is the library's name, without the " (deleted)" procfs adds.
    assertStale(run.report, holder.pid, [{ path: lib, kind: 'library', reason: 'deleted' }]);
    assertExitCode(run, true);
  });

  test('a linked library unlinked is deleted (scanHost)', async (t) => {
    const scratch = createScratch(t);
    const { libDir, lib } = installLibDir(scratch, build);
    const holder = await startNativeHolder(build, { libDir });
    scratch.defer(holder.stop);

    unlinkSync(lib);

    const report = await scanHost({ pids: [holder.pid] });
    assertStale(report, holder.pid, [{ path: lib, kind: 'library', reason: 'deleted' }]);
    assert.equal(report.status, report.reboot.required ? 'reboot' : 'restart');
  });

  test('a library rewritten in place after the process started is modified', async (t) => {
    const scratch = createScratch(t);
    const { libDir, lib } = installLibDir(scratch, build);
    const inodeBefore = statSync(lib).ino;
    const holder = await startNativeHolder(build, { libDir });
    scratch.defer(holder.stop);

    // Past the scanner's 2 s tolerance (btime has one-second resolution) with a margin.
    await sleep(AFTER_START_MS);
    overwriteInPlace(lib, 'afterpatch-libstale-v1', 'afterpatch-libstale-v2');

    assert.equal(statSync(lib).ino, inodeBefore, 'setup: same inode');
    assert.ok(
      mapsLinesFor(holder.pid, lib).every((l) => !l.endsWith('(deleted)')),
      'setup: nothing marks the library deleted',
    );
    const run = await runScanCli([holder.pid]);
    assertStale(run.report, holder.pid, [{ path: lib, kind: 'library', reason: 'modified' }]);
    assertExitCode(run, true);
  });

  test('control: a library last modified before the process started is not listed', async (t) => {
    const scratch = createScratch(t);
    const { libDir, lib } = installLibDir(scratch, build);
    // The file did change, but an hour before the process started.
    overwriteInPlace(lib, 'afterpatch-libstale-v1', 'afterpatch-libstale-v2');
    backdate(lib);
    const holder = await startNativeHolder(build, { libDir });
    scratch.defer(holder.stop);
    assert.match(
      holder.readyLine,
      /libstale=afterpatch-libstale-v2/,
      'setup: the holder loaded the changed file',
    );

    // Same wait as the positive case, so that only the file's age differs between the two.
    await sleep(AFTER_START_MS);

    assert.equal(mapsLinesFor(holder.pid, lib).length > 0, true, 'setup: the holder maps the library');
    const run = await runScanCli([holder.pid]);
    assertClean(run.report, holder.pid, [lib]);
    assertExitCode(run, false);
  });

  test("a bind mount over the library's directory makes it replaced", async (t) => {
    const scratch = createScratch(t);
    const { libDir, lib } = installLibDir(scratch, build);
    const holder = await startNativeHolder(build, { libDir });
    scratch.defer(holder.stop);
    const newDir = join(scratch.dir, 'lib-new');
    mkdirSync(newDir);
    installFile(build.libStaleV2, join(newDir, 'libstale.so'));

    await bindMount(scratch, newDir, libDir);

    const mapped = mapsLinesFor(holder.pid, lib);
    assert.ok(
      mapped.length > 0 && mapped.every((l) => !l.endsWith('(deleted)')),
      'setup: mapped, not deleted',
    );
    const run = await runScanCli([holder.pid]);
    assertStale(run.report, holder.pid, [{ path: lib, kind: 'library', reason: 'replaced' }]);
    assertExitCode(run, true);
  });

  test('the executable replaced by rename is an executable, deleted', async (t) => {
    const scratch = createScratch(t);
    mkdirSync(join(scratch.dir, 'bin'));
    const exe = join(scratch.dir, 'bin', 'holder');
    installFile(build.holder, exe);
    const holder = await startNativeHolder(build, { executable: exe });
    scratch.defer(holder.stop);

    replaceByRename(exe, build.holder);

    const run = await runScanCli([holder.pid]);
    // Once, as the executable: its mappings are the same file, not a second "library".
    assertStale(run.report, holder.pid, [{ path: exe, kind: 'executable', reason: 'deleted' }]);
    assertExitCode(run, true);
  });

  test('a plugin loaded with dlopen and then replaced is a library, deleted (scanHost)', async (t) => {
    const scratch = createScratch(t);
    mkdirSync(join(scratch.dir, 'plugins'));
    const plugin = join(scratch.dir, 'plugins', 'plugin.so');
    installFile(build.pluginV1, plugin);
    const holder = await startNativeHolder(build, { actions: [`dlopen=${plugin}`] });
    scratch.defer(holder.stop);

    replaceByRename(plugin, build.pluginV2);

    assert.ok(mapsLinesFor(holder.pid, plugin).length > 0, 'setup: the plugin is mapped');
    const report = await scanHost({ pids: [holder.pid] });
    assertStale(report, holder.pid, [{ path: plugin, kind: 'library', reason: 'deleted' }]);
  });
});
