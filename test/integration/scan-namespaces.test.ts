// A library replaced inside one process's private mount namespace only. The scanner must
// resolve paths as each process sees them (through /proc/PID/root): the process in that
// namespace is stale, a process in the host namespace mapping the very same file is not.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { buildNative, type NativeBuild, startNativeHolder } from '../helpers/native.js';
import { assertClean, assertExitCode, assertStale, runScanCli } from '../helpers/run-scan.js';
import { createScratch, needsRoot } from '../helpers/scratch.js';
import { installFile, installLibDir, mapsLinesFor } from '../helpers/stale-files.js';

const execFileAsync = promisify(execFile);

describe('scan: mount namespaces', { skip: needsRoot }, () => {
  let build: NativeBuild;
  before(async () => {
    build = await buildNative();
  });

  test('a bind mount inside a private mount namespace replaces the library for that process only', async (t) => {
    const scratch = createScratch(t);
    const { libDir, lib } = installLibDir(scratch, build);
    const newDir = join(scratch.dir, 'lib-new');
    mkdirSync(newDir);
    installFile(build.libStaleV2, join(newDir, 'libstale.so'));
    const inodeOnHost = statSync(lib).ino;

    // unshare execs the holder, so the pid is the holder's; its namespace dies with it, and
    // the mount with the namespace: nothing to undo on the host.
    const inNs = await startNativeHolder(build, {
      libDir,
      wrapper: ['unshare', '--mount', '--propagation', 'private'],
    });
    scratch.defer(inNs.stop);
    const onHost = await startNativeHolder(build, { libDir });
    scratch.defer(onHost.stop);
    assert.notEqual(
      readlinkSync(`/proc/${inNs.pid}/ns/mnt`),
      readlinkSync(`/proc/${onHost.pid}/ns/mnt`),
      'setup: the holders are in different mount namespaces',
    );

    await execFileAsync('nsenter', ['-t', String(inNs.pid), '-m', 'mount', '--bind', newDir, libDir]);

    assert.equal(statSync(lib).ino, inodeOnHost, 'setup: the host still sees the old library');
    assert.notEqual(
      statSync(`/proc/${inNs.pid}/root${lib}`).ino,
      inodeOnHost,
      'setup: the namespace sees the new library',
    );
    for (const pid of [inNs.pid, onHost.pid]) {
      const lines = mapsLinesFor(pid, lib);
      assert.ok(
        lines.length > 0 && lines.every((l) => !l.endsWith('(deleted)')),
        `setup: ${pid} maps ${lib}`,
      );
    }

    const run = await runScanCli([inNs.pid, onHost.pid]);
    assertStale(run.report, inNs.pid, [{ path: lib, kind: 'library', reason: 'replaced' }]);
    assertClean(run.report, onHost.pid, [lib]);
    assertExitCode(run, true);
  });
});
