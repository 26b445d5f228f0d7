import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAfterpatchReport } from '../../../bench/lib/afterpatch-findings.js';

// Only the fields the benchmark reads; the rest of a report does not matter to it.
function report(processes: { pid: number; paths: string[] }[]) {
  return JSON.stringify({
    status: processes.length > 0 ? 'restart' : 'ok',
    scan: { processesSeen: 612 },
    processes: processes.map(({ pid, paths }) => ({
      pid,
      files: paths.map((path) => ({ path, kind: 'library', reason: 'deleted' })),
    })),
  });
}

describe('parseAfterpatchReport', () => {
  const lib = '/var/lib/afterpatch-bench-x/libstale.so';

  it('lists every stale PID and those flagged for the given file', () => {
    const json = report([
      { pid: 10, paths: [lib] },
      { pid: 11, paths: ['/usr/lib/other.so', lib] },
      { pid: 12, paths: ['/usr/lib/other.so'] },
    ]);
    assert.deepEqual(parseAfterpatchReport(json, lib), {
      pids: [10, 11, 12],
      pidsWithFile: [10, 11],
      processesSeen: 612,
      status: 'restart',
    });
  });

  it('reads a clean report', () => {
    assert.deepEqual(parseAfterpatchReport(report([]), lib), {
      pids: [],
      pidsWithFile: [],
      processesSeen: 612,
      status: 'ok',
    });
  });

  it('rejects output that is not a scan report', () => {
    assert.throws(() => parseAfterpatchReport('', lib), SyntaxError);
    assert.throws(() => parseAfterpatchReport('{"status":"ok"}', lib), /not a scan report/);
  });
});
