import assert from 'node:assert/strict';
import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createAgentLogger } from '../../../agent/daemon/agent-logger.js';
import { PackageWatcher } from '../../../agent/daemon/package-watcher.js';
import { waitFor } from '../../helpers/fake-agent-server.js';
import { createScratch } from '../../helpers/scratch.js';

const quiet = createAgentLogger({ write: () => {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What dpkg does to its database: write status-new, rename it over status. */
function dpkgWrite(dir: string, n: number): void {
  writeFileSync(join(dir, 'status-new'), `Package: p${n}\n`);
  renameSync(join(dir, 'status-new'), join(dir, 'status'));
}

describe('package watcher', () => {
  it('fires once, after the database has been quiet for the debounce time', async (t) => {
    const dir = createScratch(t).dir;
    writeFileSync(join(dir, 'status'), '');
    let changes = 0;
    const watcher = new PackageWatcher({
      targets: [{ dir, names: ['status'] }],
      debounceMs: 300,
      pollMs: 30_000,
      logger: quiet,
      onChange: () => changes++,
    });
    watcher.start();
    t.after(() => watcher.stop());
    assert.equal(watcher.mode, 'watch');
    for (let i = 0; i < 5; i++) {
      dpkgWrite(dir, i);
      await sleep(20);
    }
    await waitFor(() => changes > 0, 3000, 'the change callback');
    await sleep(500);
    assert.equal(changes, 1, 'one upgrade, one scan');
    writeFileSync(join(dir, 'available'), 'x');
    await sleep(500);
    assert.equal(changes, 1, 'other files in the directory do not count');
    dpkgWrite(dir, 9);
    await waitFor(() => changes === 2, 3000, 'the second change');
  });

  it('falls back to polling the mtime', async (t) => {
    const dir = createScratch(t).dir;
    writeFileSync(join(dir, 'status'), '');
    let changes = 0;
    const watcher = new PackageWatcher({
      targets: [{ dir, names: ['status'] }],
      debounceMs: 10,
      pollMs: 30,
      logger: quiet,
      onChange: () => changes++,
      forcePolling: true,
    });
    watcher.start();
    t.after(() => watcher.stop());
    assert.equal(watcher.mode, 'poll');
    await sleep(80);
    assert.equal(changes, 0);
    utimesSync(join(dir, 'status'), new Date(), new Date(Date.now() + 5000));
    await waitFor(() => changes === 1, 3000, 'the polled change');
  });

  it('watches nothing when no package database exists', () => {
    const watcher = new PackageWatcher({
      targets: [{ dir: '/nonexistent/afterpatch/dpkg' }],
      debounceMs: 10,
      pollMs: 30,
      logger: quiet,
      onChange: () => {},
    });
    watcher.start();
    assert.equal(watcher.mode, 'none');
    assert.deepEqual(watcher.watchedDirs, []);
    watcher.stop();
  });
});
