import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listToDo } from '../../../agent/output/list-to-do.js';
import { cleanHostReport, deniedUnitReport, rebootReport, servicesReport } from './sample-reports.js';

describe('listToDo', () => {
  test('nothing to do on a clean host', () => {
    assert.deepEqual(listToDo(cleanHostReport()), []);
  });

  test('groups in order of disruption, each with its items sorted', () => {
    assert.deepEqual(
      listToDo(servicesReport()).map((g) => [g.kind, g.items.map((i) => i.target)]),
      [
        ['services', ['nginx.service', 'ssh.service']],
        ['containers', ['docker 3f4e5a6b7c8d']],
        ['sessions', ['session 4']],
        ['processes', ['python3']],
      ],
    );
    assert.deepEqual(
      listToDo(deniedUnitReport()).map((g) => g.kind),
      ['pid1', 'services', 'user-managers'],
    );
  });

  test('items carry the package versions from report.packages', () => {
    const [services] = listToDo(servicesReport());
    assert.deepEqual(services?.items[0]?.packages, [
      { name: 'libssl3', previousVersion: '3.0.11-1~deb12u2', installedVersion: '3.0.13-1~deb12u1' },
    ]);
  });

  test('PID 1 takes its packages from its stale files', () => {
    const [pid1] = listToDo(deniedUnitReport());
    assert.equal(pid1?.kind, 'pid1');
    assert.deepEqual(pid1?.items[0]?.pids, [1]);
    assert.deepEqual(
      pid1?.items[0]?.packages.map((p) => p.name),
      ['libc6'],
    );
  });

  test('a required reboot without reasons still appears', () => {
    const report = rebootReport();
    report.reboot.reasons = [];
    const [reboot] = listToDo(report);
    assert.equal(reboot?.kind, 'reboot');
    assert.equal(reboot?.items[0]?.target, 'no reason given');
  });
});
