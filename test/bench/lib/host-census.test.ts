import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { interpreterOf, takeHostCensus } from '../../../bench/lib/host-census.js';

describe('interpreterOf', () => {
  it('names interpreters by their comm prefix', () => {
    assert.equal(interpreterOf('python3.11'), 'python');
    assert.equal(interpreterOf('node'), 'node');
    assert.equal(interpreterOf('perl'), 'perl');
    assert.equal(interpreterOf('bash'), undefined);
  });
});

describe('takeHostCensus', () => {
  it('leaves out the given PIDs (the benchmark and its parents)', (t) => {
    const proc = mkdtempSync(join(tmpdir(), 'afterpatch-census-'));
    t.after(() => rmSync(proc, { recursive: true, force: true }));
    for (const pid of ['30', '31']) {
      mkdirSync(join(proc, pid));
      writeFileSync(join(proc, pid, 'comm'), 'node\n');
    }
    assert.deepEqual(takeHostCensus(proc, new Set([31])).interpreters, { node: 1 });
  });

  it('leaves out this process and its ancestors by default, following ppid in stat', (t) => {
    const proc = mkdtempSync(join(tmpdir(), 'afterpatch-census-'));
    t.after(() => rmSync(proc, { recursive: true, force: true }));
    const self = process.pid;
    // This process, its parent 77 (a comm with a space and parentheses), and a stranger 88.
    const tree: [number, string, number][] = [
      [self, 'node', 77],
      [77, 'node (npm) x', 1],
      [88, 'node', 1],
    ];
    for (const [pid, comm, ppid] of tree) {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), 'comm'), `${comm}\n`);
      writeFileSync(
        join(proc, String(pid), 'stat'),
        `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194304\n`,
      );
    }
    assert.deepEqual(takeHostCensus(proc).interpreters, { node: 1 });
  });

  it('counts the numeric entries and the interpreters of a procfs tree', (t) => {
    const proc = mkdtempSync(join(tmpdir(), 'afterpatch-census-'));
    t.after(() => rmSync(proc, { recursive: true, force: true }));
    for (const [pid, comm] of [
      ['1', 'init'],
      ['20', 'python3'],
      ['21', 'node'],
      ['22', 'node'],
    ] as const) {
      mkdirSync(join(proc, pid));
      writeFileSync(join(proc, pid, 'comm'), `${comm}\n`);
    }
    mkdirSync(join(proc, '23')); // vanished: no comm
    mkdirSync(join(proc, 'self'));
    const census = takeHostCensus(proc, new Set());
    assert.equal(census.processes, 5);
    assert.deepEqual(census.interpreters, { python: 1, node: 2 });
    assert.equal(census.loadAverage.length, 3);
  });
});
