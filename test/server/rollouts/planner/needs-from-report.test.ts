import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsFromReport } from '../../../../server/rollouts/planner/needs-from-report.js';
import {
  cleanHostReport,
  deniedUnitReport,
  rebootReport,
  servicesReport,
} from '../../../agent/output/sample-reports.js';

describe('needsFromReport', () => {
  it('restarts services and containers, leaves sessions and scopes to a person', () => {
    const report = servicesReport();
    const containerId = report.actions.containers[0]!.id;
    const needs = needsFromReport(report);
    assert.deepEqual(needs.units, ['nginx.service', 'ssh.service']);
    assert.deepEqual(needs.containers, [{ runtime: 'docker', id: containerId }]);
    assert.equal(needs.reexecPid1, false);
    assert.equal(needs.reboot, false);
    assert.deepEqual(needs.manual, [
      'session 4 of uid 1000: the user must log out',
      'process 4242 (python3) in run-u12.scope: restart it by hand',
    ]);
  });

  it('re-executes PID 1 and never restarts services on the deny list', () => {
    const needs = needsFromReport(deniedUnitReport());
    assert.equal(needs.reexecPid1, true);
    assert.deepEqual(needs.units, ['cron.service', 'postgresql@15-main.service']);
    assert.deepEqual(needs.manual, [
      'systemd-logind.service: on the deny list, restart it by hand',
      'dbus.service: on the deny list, restart it by hand',
      'user manager of uid 1000: re-execute it as the user',
    ]);
  });

  it('asks for a reboot with its reasons when the report requires one', () => {
    const report = rebootReport();
    const needs = needsFromReport(report);
    assert.equal(needs.reboot, true);
    assert.deepEqual(
      needs.rebootReasons,
      report.reboot.reasons.map((r) => r.message),
    );
    assert.ok(needs.rebootReasons!.length > 0);
  });

  it('needs nothing on a clean host', () => {
    assert.deepEqual(needsFromReport(cleanHostReport()), {
      units: [],
      containers: [],
      reexecPid1: false,
      reboot: false,
    });
  });

  it('leaves pod containers, unknown runtimes and names a step would refuse to a person', () => {
    const report = cleanHostReport();
    report.actions.containers = [
      { runtime: 'containerd', id: 'a'.repeat(64), podUid: 'pod-1', pids: [1], packages: [] },
      { runtime: 'unknown', id: 'b'.repeat(64), pids: [2], packages: [] },
      { runtime: 'docker', id: '--rm', pids: [3], packages: [] },
    ];
    report.actions.services = [{ unit: '-evil.service', pids: [4], packages: [], denied: false }];
    const needs = needsFromReport(report);
    assert.deepEqual(needs.units, []);
    assert.deepEqual(needs.containers, []);
    assert.equal(needs.manual?.length, 4);
  });
});
