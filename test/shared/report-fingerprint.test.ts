import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, reportFingerprint } from '../../shared/report-fingerprint.js';
import { cleanHostReport, servicesReport } from '../agent/output/sample-reports.js';

describe('reportFingerprint', () => {
  it('is a stable hex SHA-256', () => {
    const fingerprint = reportFingerprint(servicesReport());
    assert.match(fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(reportFingerprint(servicesReport()), fingerprint);
  });

  it('ignores when the scan ran, how long it took and how many processes it saw', () => {
    const a = cleanHostReport();
    const b = cleanHostReport();
    b.scan = {
      ...b.scan,
      startedAt: '2024-05-15T09:30:00.000Z',
      durationMs: 99.1,
      processesSeen: 900,
      processesScanned: 800,
      processesVanished: 7,
      filesChecked: 20000,
    };
    assert.equal(reportFingerprint(a), reportFingerprint(b));
  });

  it('ignores the flapping lists (warnings, unreadable processes) and the tool version', () => {
    const a = servicesReport();
    const b = servicesReport();
    b.warnings = ['cannot read /proc/4242/maps: ESRCH'];
    b.unreadable = [{ pid: 4242, comm: 'sh', error: 'ESRCH' }];
    b.tool = { name: 'afterpatch', version: '9.9.9' };
    assert.equal(reportFingerprint(a), reportFingerprint(b));
  });

  it('does not depend on the order of processes, packages or object keys', () => {
    const a = servicesReport();
    const shuffled = servicesReport();
    shuffled.processes.reverse();
    shuffled.packages.reverse();
    assert.ok(a.processes.length > 1);
    assert.equal(reportFingerprint(shuffled), reportFingerprint(a));
  });

  it('does not depend on the order of object keys', () => {
    const a = cleanHostReport();
    const b = { ...Object.fromEntries(Object.entries(a).reverse()), host: { ...a.host } } as typeof a;
    assert.equal(reportFingerprint(b), reportFingerprint(a));
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
    assert.equal(canonicalJson({ a: undefined, b: null }), '{"b":null}');
  });

  it('changes with anything that changes what must be done', () => {
    const base = reportFingerprint(servicesReport());
    const status = servicesReport();
    status.status = 'reboot';
    const restarted = servicesReport();
    restarted.processes = restarted.processes.slice(1);
    const newKernel = servicesReport();
    newKernel.kernel.newestInstalled = '6.1.0-22-amd64';
    const rebooted = servicesReport();
    rebooted.host.bootId = 'another-boot';
    const upgraded = servicesReport();
    upgraded.packages[0]!.installedVersion = '99';
    for (const changed of [status, restarted, newKernel, rebooted, upgraded]) {
      assert.notEqual(reportFingerprint(changed), base);
    }
  });
});
