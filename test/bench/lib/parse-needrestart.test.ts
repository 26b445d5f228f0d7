import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseNeedrestart } from '../../../bench/lib/parse-needrestart.js';
import { fixturePath } from '../../helpers/paths.js';

const fixture = (name: string) => readFileSync(fixturePath('bench', name), 'utf8');

describe('parseNeedrestart', () => {
  it('finds every process named by a "uses" line of the -v diagnostics, once each', () => {
    const found = parseNeedrestart(
      fixture('needrestart-batch-stale.out'),
      fixture('needrestart-verbose-stale.err'),
    );
    // The three holders, and the VM's own processes running from a sealed memfd.
    assert.deepEqual(found.pids, [4123, 5949, 6270, 7214, 11222, 13656, 13658, 13660, 14066]);
    assert.deepEqual(found.services, []);
  });

  it('finds nothing in batch output alone: batch mode does not print processes outside units', () => {
    assert.deepEqual(parseNeedrestart(fixture('needrestart-batch-stale.out'), '').pids, []);
  });

  it('reads all four kinds of stale line and the services of the batch output', () => {
    const stderr = [
      '[main] #10 uses obsolete binary /usr/sbin/a',
      '[main] #11 uses deleted /usr/lib/x.so',
      '[main] #12 uses non-existing /usr/lib/y.so',
      '[main] #13 uses obsolete /usr/lib/z.so',
      '[main] #14 is not a child',
      '[main] #15 exe => /usr/bin/b',
    ].join('\n');
    const stdout = 'NEEDRESTART-VER: 3.6\nNEEDRESTART-SVC: cron.service\nNEEDRESTART-SVC: ssh.service\n';
    assert.deepEqual(parseNeedrestart(stdout, stderr), {
      pids: [10, 11, 12, 13],
      services: ['cron.service', 'ssh.service'],
    });
  });
});
