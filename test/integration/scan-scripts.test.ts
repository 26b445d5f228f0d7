// A Python program whose script or imported module changes while it runs. The interpreter
// reads both and closes them, so nothing in /proc shows the change: only the files' content
// and times do. chmod moves ctime but not the code, and must not raise an alarm.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Holder, startHolder } from '../helpers/native.js';
import { assertClean, assertExitCode, assertStale, runScanCli } from '../helpers/run-scan.js';
import { createScratch, needsRoot, type Scratch } from '../helpers/scratch.js';
import { AFTER_START_MS, backdate, replaceByRename, sleep } from '../helpers/stale-files.js';

const PYTHON = '/usr/bin/python3';

const APP = `import os
import sys
import time

import stalemod

sys.stdout.write('READY pid=%d stalemod=%s\\n' % (os.getpid(), stalemod.VERSION))
sys.stdout.flush()
while True:
    time.sleep(3600)
`;

const moduleSource = (version: string) => `VERSION = '${version}'\n`;

interface PythonApp {
  holder: Holder;
  script: string;
  module: string;
}

/** Runs `python3 <dir>/app.py`, which imports `<dir>/stalemod.py`, both dated an hour back. */
async function startPythonApp(scratch: Scratch): Promise<PythonApp> {
  const script = join(scratch.dir, 'app.py');
  const module = join(scratch.dir, 'stalemod.py');
  writeFileSync(script, APP);
  writeFileSync(module, moduleSource('v1'));
  backdate(script);
  backdate(module);
  const holder = await startHolder({ command: PYTHON, args: [script], cwd: '/' });
  scratch.defer(holder.stop);
  assert.match(holder.readyLine, /stalemod=v1/);
  return { holder, script, module };
}

const skip = needsRoot || (existsSync(PYTHON) ? false : `${PYTHON} not installed`);

describe('scan: interpreted scripts', { skip, concurrency: true }, () => {
  test('an imported module rewritten after the start is a module, modified', async (t) => {
    const scratch = createScratch(t);
    const app = await startPythonApp(scratch);
    await sleep(AFTER_START_MS);

    writeFileSync(app.module, moduleSource('v2'));

    const run = await runScanCli([app.holder.pid]);
    assertStale(run.report, app.holder.pid, [{ path: app.module, kind: 'module', reason: 'modified' }]);
    assertExitCode(run, true);
  });

  test('control: chmod on the script and module (ctime moves, code does not) is not flagged', async (t) => {
    const scratch = createScratch(t);
    const app = await startPythonApp(scratch);
    await sleep(AFTER_START_MS);

    chmodSync(app.script, 0o600);
    chmodSync(app.module, 0o600);

    const run = await runScanCli([app.holder.pid]);
    assertClean(run.report, app.holder.pid);
    assertExitCode(run, false);
  });

  test('the script replaced by rename after the start is listed as a script', async (t) => {
    const scratch = createScratch(t);
    const app = await startPythonApp(scratch);
    await sleep(AFTER_START_MS);

    const next = join(scratch.dir, 'app-next.py');
    writeFileSync(next, `${APP}# v2\n`);
    replaceByRename(app.script, next);

    const run = await runScanCli([app.holder.pid]);
    // Python closed the script after reading it, so no old inode is left to compare: the new
    // file's mtime says "changed after the start" ('modified'); a scanner that also compares
    // the ctime or another identity may say 'replaced'. Either tells the truth.
    assertStale(run.report, app.holder.pid, [
      { path: app.script, kind: 'script', reason: ['modified', 'replaced'] },
    ]);
    assertExitCode(run, true);
  });
});
