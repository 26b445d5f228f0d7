import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  isKernelThread,
  parseBootTimeSeconds,
  parseProcStat,
  processStartMs,
} from '../../../agent/procfs/parse-stat.js';
import { fixturePath } from '../../helpers/paths.js';

describe('parseProcStat', () => {
  it('reads fields after the LAST parenthesis, whatever comm contains', () => {
    const stat = parseProcStat(readFileSync(fixturePath('procfs', 'stat-odd-comm.txt'), 'utf8'));
    assert.equal(stat?.pid, 1234);
    assert.equal(stat?.comm, 'we(ir)d) name');
    assert.equal(stat?.state, 'S');
    assert.equal(stat?.ppid, 1);
    assert.equal(stat?.startTicks, 98765);
    assert.equal(stat && isKernelThread(stat), false);
  });

  it('recognises kernel threads by PF_KTHREAD', () => {
    const stat = parseProcStat(readFileSync(fixturePath('procfs', 'stat-kthread.txt'), 'utf8'));
    assert.equal(stat?.comm, 'kthreadd');
    assert.equal(stat && isKernelThread(stat), true);
  });

  it('returns undefined for truncated input', () => {
    assert.equal(parseProcStat('12 (x) S 1 2'), undefined);
    assert.equal(parseProcStat('no parens'), undefined);
  });
});

describe('boot and start times', () => {
  it('reads btime from /proc/stat', () => {
    assert.equal(parseBootTimeSeconds('cpu  1 2 3\nbtime 1700000000\nprocesses 5\n'), 1700000000);
    assert.equal(parseBootTimeSeconds('cpu 1\n'), undefined);
  });
  it('converts start ticks to epoch milliseconds', () => {
    assert.equal(processStartMs(1700000000, 250), 1700000002500);
  });
});
