import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCheckrestart } from '../../../bench/lib/parse-checkrestart.js';
import { fixturePath } from '../../helpers/paths.js';

const fixture = (name: string) => readFileSync(fixturePath('bench', name), 'utf8');

describe('parseCheckrestart', () => {
  it('reads the count from the plain output, which lists no PIDs', () => {
    assert.deepEqual(parseCheckrestart(fixture('checkrestart-stale.txt')), { processCount: 3, pids: [] });
  });

  it('reads the PIDs of the -v output', () => {
    assert.deepEqual(parseCheckrestart(fixture('checkrestart-verbose-stale.txt')), {
      processCount: 3,
      pids: [13656, 13658, 13660],
    });
  });

  it('reads the count and the PIDs of the -m -v output', () => {
    assert.deepEqual(parseCheckrestart(fixture('checkrestart-machine-verbose-stale.txt')), {
      processCount: 3,
      pids: [13656, 13658, 13660],
    });
  });

  it('reads a zero count on a clean host', () => {
    assert.deepEqual(parseCheckrestart(fixture('checkrestart-clean.txt')), { processCount: 0, pids: [] });
  });

  it('lists a process once however many deleted files it has', () => {
    const out = 'PROCESSES: 1\nfile\t42\t/usr/bin/x\t/lib/a.so\nfile\t42\t/usr/bin/x\t/lib/b.so\n';
    assert.deepEqual(parseCheckrestart(out), { processCount: 1, pids: [42] });
  });

  it('has no count when checkrestart failed before printing one', () => {
    const out = 'Traceback (most recent call last):\n  File "/usr/sbin/checkrestart"\n';
    assert.equal(parseCheckrestart(out).processCount, undefined);
  });
});
