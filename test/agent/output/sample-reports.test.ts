import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Compile } from 'typebox/compile';
import { ScanReport } from '../../../shared/scan-report.js';
import { SAMPLE_REPORTS } from './sample-reports.js';

const validator = Compile(ScanReport);

describe('sample reports', () => {
  for (const [name, build] of Object.entries(SAMPLE_REPORTS)) {
    test(`${name} matches the ScanReport schema`, () => {
      const report = build();
      assert.deepEqual([...validator.Errors(report)], []);
      assert.equal(validator.Check(report), true);
    });

    test(`${name} is internally consistent`, () => {
      const report = build();
      const stalePids = new Set(report.processes.map((p) => p.pid));
      const { actions } = report;
      const actionPids = [
        ...actions.services.flatMap((a) => a.pids),
        ...actions.userServices.flatMap((a) => a.pids),
        ...actions.userManagers.flatMap((a) => a.pids),
        ...actions.containers.flatMap((a) => a.pids),
        ...actions.sessions.flatMap((a) => a.pids),
        ...actions.processes.map((a) => a.pid),
        ...(actions.pid1Reexec ? [1] : []),
      ];
      // Every stale process has exactly one fix, and every fix names stale processes.
      assert.deepEqual(
        [...actionPids].sort((a, b) => a - b),
        [...stalePids].sort((a, b) => a - b),
      );
      for (const pkg of report.packages) {
        for (const pid of pkg.pids) assert.ok(stalePids.has(pid), `${pkg.name}: pid ${pid} is not stale`);
      }
      const expected = report.reboot.required ? 'reboot' : report.processes.length > 0 ? 'restart' : 'ok';
      assert.equal(report.status, expected);
    });
  }

  test('returns a fresh object on each call', () => {
    const first = SAMPLE_REPORTS.servicesReport!();
    first.actions.services.length = 0;
    assert.equal(SAMPLE_REPORTS.servicesReport!().actions.services.length, 2);
  });
});
