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
    const census = takeHostCensus(proc);
    assert.equal(census.processes, 5);
    assert.deepEqual(census.interpreters, { python: 1, node: 2 });
    assert.equal(census.loadAverage.length, 3);
  });
});
