import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatNagios, MAX_LONG_OUTPUT_LINES } from '../../../agent/output/format-nagios.js';
import type { ScanReport } from '../../../shared/scan-report.js';
import { docExample } from './docs-examples.js';
import {
  cleanHostReport,
  deniedUnitReport,
  rebootReport,
  SAMPLE_REPORTS,
  servicesReport,
  unreadableOnlyReport,
} from './sample-reports.js';

// Plugin guidelines: 'label'=value[UOM];[warn];[crit];[min];[max], space separated. Labels
// here never need quotes, so require the plain form; UOM is one of the documented units.
const PERFDATA_ITEM =
  /^[A-Za-z_][A-Za-z0-9_]*=-?[0-9]+(\.[0-9]+)?(s|ms|us|%|B|KB|MB|TB|c)?(;[-0-9.:~@]*){0,4}$/;

function split(report: ScanReport): { status: string; perf: string[]; long: string[]; exitCode: number } {
  const { text, exitCode } = formatNagios(report);
  assert.ok(text.endsWith('\n'));
  const [first = '', ...long] = text.slice(0, -1).split('\n');
  const [status = '', perf = '', ...rest] = first.split(' | ');
  assert.deepEqual(rest, [], 'one | on the first line');
  return { status, perf: perf.split(' '), long, exitCode };
}

describe('formatNagios', () => {
  test('OK when nothing is needed', () => {
    const { status, perf, long, exitCode } = split(cleanHostReport());
    assert.equal(exitCode, 0);
    assert.equal(status, 'AFTERPATCH OK - nothing to restart, no reboot needed');
    assert.deepEqual(perf, [
      'reboot=0;;;0;1',
      'services=0;;;0',
      'containers=0;;;0',
      'sessions=0;;;0',
      'processes=0;;;0',
      'unreadable=0;;;0',
      'duration=0.032s',
    ]);
    assert.deepEqual(long, []);
  });

  test('WARNING with counts per kind of fix when restarts are needed', () => {
    const { status, perf, exitCode } = split(servicesReport());
    assert.equal(exitCode, 1);
    assert.equal(
      status,
      'AFTERPATCH WARNING - 2 services to restart; 1 container to restart; 1 session to log out; ' +
        '1 process to restart by hand',
    );
    assert.deepEqual(perf, [
      'reboot=0;;;0;1',
      'services=2;;;0',
      'containers=1;;;0',
      'sessions=1;;;0',
      'processes=7;;;0',
      'unreadable=0;;;0',
      'duration=0.038s',
    ]);
  });

  test('long output has one line per thing to do, in ASCII', () => {
    const { long } = split(servicesReport());
    assert.deepEqual(long, [
      'Restart service: nginx.service (pids 812, 813) - libssl3 3.0.11-1~deb12u2 -> 3.0.13-1~deb12u1',
      'Restart service: ssh.service (pid 655) - libssl3 3.0.11-1~deb12u2 -> 3.0.13-1~deb12u1',
      'Restart container: docker 3f4e5a6b7c8d (pid 3001)',
      'Log out: session 4 (uid 1000, pids 2500, 2530) - libssl3 3.0.11-1~deb12u2 -> 3.0.13-1~deb12u1',
      'Restart by hand: python3 (pid 4242, run-u12.scope) - libssl3 3.0.11-1~deb12u2 -> 3.0.13-1~deb12u1',
    ]);
  });

  test('CRITICAL when a reboot is required, naming the kernel change first', () => {
    const { status, perf, long, exitCode } = split(rebootReport());
    assert.equal(exitCode, 2);
    assert.ok(
      status.startsWith(
        'AFTERPATCH CRITICAL - reboot required (kernel 5.14.0-362.8.1.el9_3.x86_64 -> ' +
          '5.14.0-427.16.1.el9_4.x86_64, core packages glibc); ',
      ),
      status,
    );
    assert.ok(status.endsWith('; 5 processes unreadable'), status);
    assert.ok(perf.includes('reboot=1;;;0;1'));
    assert.ok(perf.includes('unreadable=5;;;0'));
    assert.equal(
      long[0],
      'Reboot: Kernel 5.14.0-427.16.1.el9_4.x86_64 is installed, 5.14.0-362.8.1.el9_3.x86_64 is running - kernel-core',
    );
    assert.ok(long.includes('Unreadable: pids 1, 642, 655, 701, 2209'));
    assert.ok(long.includes('Warning: not running as root: processes of other users were not read'));
  });

  test('denied units and a PID 1 re-exec are called out', () => {
    const { status, long, exitCode } = split(deniedUnitReport());
    assert.equal(exitCode, 1);
    assert.equal(
      status,
      'AFTERPATCH WARNING - systemd (PID 1) to re-execute; 4 services to restart (2 on the deny list); ' +
        '1 user manager to re-execute',
    );
    assert.ok(
      long.includes('Re-execute: systemctl daemon-reexec (pid 1) - libc6 2.36-9+deb12u4 -> 2.36-9+deb12u7'),
    );
    assert.ok(
      long.includes(
        'Restart service: dbus.service (pid 540) - libc6 2.36-9+deb12u4 -> 2.36-9+deb12u7 ' +
          '[not restarted automatically (deny list)]',
      ),
    );
  });

  test('UNKNOWN when not one process could be read', () => {
    const { status, perf, exitCode } = split(unreadableOnlyReport());
    assert.equal(exitCode, 3);
    assert.equal(status, 'AFTERPATCH UNKNOWN - could not read any of 3 processes (run as root)');
    assert.ok(perf.includes('unreadable=3;;;0'));
  });

  test('a required reboot stays CRITICAL even when no process could be read', () => {
    const report = unreadableOnlyReport();
    report.status = 'reboot';
    report.reboot = { required: true, reasons: [{ code: 'reboot-required-file', message: 'x' }] };
    const { status, exitCode } = split(report);
    assert.equal(exitCode, 2);
    assert.equal(
      status,
      'AFTERPATCH CRITICAL - reboot required (reboot-required flag); could not read any of 3 processes (run as root)',
    );
  });

  test('some unreadable processes are mentioned without changing an OK state', () => {
    const report = cleanHostReport();
    report.unreadable = [{ pid: 977, error: 'EACCES' }];
    const { status, exitCode } = split(report);
    assert.equal(exitCode, 0);
    assert.equal(status, 'AFTERPATCH OK - nothing to restart, no reboot needed; 1 process unreadable');
  });

  test('performance data is valid for every sample', () => {
    for (const [name, build] of Object.entries(SAMPLE_REPORTS)) {
      const { perf } = split(build());
      for (const item of perf) assert.match(item, PERFDATA_ITEM, `${name}: ${item}`);
      const labels = perf.map((p) => p.split('=')[0]);
      assert.equal(new Set(labels).size, labels.length, `${name}: unique labels`);
    }
  });

  test('durations are never written with an exponent', () => {
    const report = cleanHostReport();
    report.scan.durationMs = 0.0001;
    assert.ok(split(report).perf.includes('duration=0s'));
    report.scan.durationMs = 123456.789;
    assert.ok(split(report).perf.includes('duration=123.457s'));
  });

  test('host text cannot inject performance data or extra lines', () => {
    const report = servicesReport();
    report.actions.services[0]!.unit = 'a|b=1\nAFTERPATCH OK';
    report.warnings = ['disk | full'];
    const { text } = formatNagios(report);
    assert.equal(text.split('|').length, 2, 'only the perfdata separator');
    assert.ok(text.includes('Restart service: a/b=1\\x0aAFTERPATCH OK (pid 655)'));
    assert.ok(text.includes('Warning: disk / full'));
  });

  test('long output is capped', () => {
    const report = servicesReport();
    report.actions.services = Array.from({ length: 200 }, (_, i) => ({
      unit: `worker@${i}.service`,
      pids: [10_000 + i],
      packages: ['libssl3'],
      denied: false,
    }));
    const { long } = split(report);
    assert.equal(long.length, MAX_LONG_OUTPUT_LINES);
    assert.equal(
      long.at(-1),
      `... and ${200 + 3 - (MAX_LONG_OUTPUT_LINES - 1)} more lines (afterpatch scan --json)`,
    );
  });

  test('the examples in docs/scan-report.md are what it prints', () => {
    assert.equal(docExample('nagios servicesReport'), formatNagios(servicesReport()).text);
    assert.equal(docExample('nagios rebootReport'), formatNagios(rebootReport()).text);
  });
});
