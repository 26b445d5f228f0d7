import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatText } from '../../../agent/output/format-text.js';
import { fixturePath } from '../../helpers/paths.js';
import { docExample } from './docs-examples.js';
import {
  cleanHostReport,
  deniedUnitReport,
  rebootReport,
  servicesReport,
  unreadableOnlyReport,
} from './sample-reports.js';

const ESC = '\x1b';
const plain = { color: false, verbose: false };
const verbose = { color: false, verbose: true };

function lines(text: string): string[] {
  return text.split('\n');
}

describe('formatText', () => {
  test('matches the golden summary for a host with services, a container, a session and a scope', () => {
    const golden = readFileSync(fixturePath('output', 'services-report.txt'), 'utf8');
    assert.equal(formatText(servicesReport(), plain), golden);
  });

  test('a clean host says so, then how much was scanned', () => {
    assert.equal(
      formatText(cleanHostReport(), plain),
      'Nothing to restart, no reboot needed.\n\nScanned 598 processes in 32 ms\n',
    );
  });

  test('one line per service with its pids and package versions', () => {
    const out = lines(formatText(servicesReport(), plain));
    assert.ok(out.includes('  nginx.service (pids 812, 813) — libssl3 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1'));
    assert.ok(out.includes('  ssh.service (pid 655) — libssl3 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1'));
  });

  test('containers by runtime and 12-character id, sessions by id and uid, scopes by hand', () => {
    const out = lines(formatText(servicesReport(), plain));
    assert.ok(out.includes('  docker 3f4e5a6b7c8d (pid 3001)'));
    assert.ok(
      out.includes('  session 4 (uid 1000, pids 2500, 2530) — libssl3 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1'),
    );
    assert.ok(
      out.includes('  python3 (pid 4242, run-u12.scope) — libssl3 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1'),
    );
  });

  test('container names that are not hex ids are shown whole', () => {
    const report = servicesReport();
    report.actions.containers = [
      { runtime: 'lxc', id: 'build-runner-0123456789', pids: [3001], packages: [] },
    ];
    assert.ok(lines(formatText(report, plain)).includes('  lxc build-runner-0123456789 (pid 3001)'));
  });

  test('groups come most disruptive first, then packages, unreadable and the scan line', () => {
    const report = rebootReport();
    report.actions.pid1Reexec = true;
    report.actions.services = [{ unit: 'chronyd.service', pids: [655], packages: ['glibc'], denied: false }];
    report.actions.containers = [{ runtime: 'podman', id: 'a'.repeat(64), pids: [3001], packages: [] }];
    report.actions.processes = [{ pid: 4242, comm: 'python3', packages: [] }];
    const out = lines(formatText(report, plain));
    const order = [
      'Reboot required',
      'Re-execute systemd (PID 1)',
      'Restart services',
      'Restart user services',
      'Re-execute user managers',
      'Restart containers',
      'Sessions that must log out',
      'Processes to restart by hand',
      'Stale packages',
      'Could not read 5 processes (run as root)',
      'Warning: not running as root: processes of other users were not read',
      'Scanned 4 processes in 13 ms',
    ].map((heading) => out.indexOf(heading));
    assert.ok(!order.includes(-1), `every heading present: ${order}`);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    assert.equal(out.at(-2), 'Scanned 4 processes in 13 ms');
  });

  test('a reboot lists each reason, kernel first, with its packages', () => {
    const out = lines(formatText(rebootReport(), plain));
    const heading = out.indexOf('Reboot required');
    assert.equal(
      out[heading + 1],
      '  Kernel 5.14.0-427.16.1.el9_4.x86_64 is installed, 5.14.0-362.8.1.el9_3.x86_64 is running — kernel-core',
    );
    assert.equal(
      out[heading + 2],
      '  glibc was updated after boot (2024-05-14 09:41) — glibc 2.34-83.el9_3.12 → 2.34-100.el9_4.2',
    );
  });

  test('user services and user managers show the uid', () => {
    const out = lines(formatText(rebootReport(), plain));
    assert.ok(
      out.includes('  dbus-broker.service (uid 1000, pid 1530) — glibc 2.34-83.el9_3.12 → 2.34-100.el9_4.2'),
    );
    assert.ok(
      out.includes('  user@1000.service (uid 1000, pid 1500) — glibc 2.34-83.el9_3.12 → 2.34-100.el9_4.2'),
    );
  });

  test('PID 1 gets a daemon-reexec line, denied units are marked and sorted with the rest', () => {
    const out = lines(formatText(deniedUnitReport(), plain));
    assert.equal(out[0], 'Re-execute systemd (PID 1)');
    assert.equal(out[1], '  systemctl daemon-reexec (pid 1) — libc6 2.36-9+deb12u4 → 2.36-9+deb12u7');
    const services = out.slice(out.indexOf('Restart services') + 1, out.indexOf('Restart services') + 5);
    assert.deepEqual(
      services.map((l) => l.split(' ')[2]),
      ['cron.service', 'dbus.service', 'postgresql@15-main.service', 'systemd-logind.service'],
    );
    const denied = '— not restarted automatically (deny list)';
    assert.ok(services[1]?.endsWith(denied));
    assert.ok(services[3]?.endsWith(denied));
    assert.ok(!services[0]?.includes('deny list'));
    assert.ok(out.includes('Scanned 212 processes in 1.8 s'));
  });

  test('stale packages give the version change and the number of processes', () => {
    const out = lines(formatText(deniedUnitReport(), plain));
    assert.ok(out.includes('  libc6 2.36-9+deb12u4 → 2.36-9+deb12u7: 7 processes'));
  });

  test('unreadable processes are never hidden, even when nothing else was found', () => {
    const report = cleanHostReport();
    report.scan.processesScanned = 590;
    report.unreadable = [{ pid: 977, comm: 'qemu-system-x86', error: 'EACCES' }];
    const out = lines(formatText(report, plain));
    assert.equal(out[0], 'Nothing to restart, no reboot needed.');
    assert.ok(out.includes('Could not read 1 process (run as root)'));
  });

  test('when no process could be read, it does not claim there is nothing to restart', () => {
    const out = formatText(unreadableOnlyReport(), plain);
    assert.ok(!out.includes('Nothing to restart'));
    assert.match(out, /^No reboot needed, but no process could be read: restarts unknown\.$/m);
    assert.match(out, /^Could not read 3 processes \(run as root\)$/m);
  });

  test('the root hint appears only for permission errors', () => {
    const report = cleanHostReport();
    report.unreadable = [{ pid: 977, error: 'EIO' }];
    assert.match(formatText(report, plain), /^Could not read 1 process$/m);
  });

  test('verbose lists each process under its item with its stale files and reasons', () => {
    const out = lines(formatText(servicesReport(), verbose));
    const at = out.indexOf(
      '  python3 (pid 4242, run-u12.scope) — libssl3 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1',
    );
    assert.deepEqual(out.slice(at + 1, at + 4), [
      '    pid 4242 python3',
      '      /home/alice/bin/sync-feeds.py (script, modified: mtime 2024-05-14T08:02:11Z is after the process started)',
      '      /usr/lib/x86_64-linux-gnu/libssl.so.3 (library, deleted: mapped file was unlinked)',
    ]);
    const container = out.indexOf('  docker 3f4e5a6b7c8d (pid 3001)');
    assert.deepEqual(out.slice(container + 1, container + 3), [
      '    pid 3001 gunicorn',
      '      /usr/lib/x86_64-linux-gnu/libssl.so.3 (library, replaced: inode 1311 mapped, inode 1577 at the path now)',
    ]);
  });

  test('verbose lists unreadable processes and the files of each stale package', () => {
    const out = lines(formatText(rebootReport(), verbose));
    const at = out.indexOf('Could not read 5 processes (run as root)');
    assert.equal(out[at + 1], '  pid 1 systemd: EACCES');
    const pkg = out.indexOf('  glibc 2.34-83.el9_3.12 → 2.34-100.el9_4.2: 3 processes');
    assert.equal(out[pkg + 1], '    /usr/lib64/libc.so.6;6643a1f2');
  });

  test('colours only when asked', () => {
    for (const build of [cleanHostReport, servicesReport, rebootReport, deniedUnitReport]) {
      assert.ok(!formatText(build(), plain).includes('\x1b'));
      assert.ok(!formatText(build(), verbose).includes('\x1b'));
    }
    const colored = formatText(rebootReport(), { color: true, verbose: false });
    assert.ok(colored.includes('\x1b[1;31mReboot required\x1b[0m'));
    assert.ok(formatText(cleanHostReport(), { color: true, verbose: false }).includes('\x1b[32mNothing'));
    // Same words underneath the colour.
    const stripped = colored.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');
    assert.equal(stripped, formatText(rebootReport(), plain));
  });

  test('the order does not depend on the order of the report', () => {
    const report = deniedUnitReport();
    const shuffled = deniedUnitReport();
    shuffled.actions.services.reverse();
    shuffled.actions.services.forEach((s) => {
      s.pids.reverse();
    });
    shuffled.processes.reverse();
    shuffled.processes.forEach((p) => {
      p.files.reverse();
    });
    assert.equal(formatText(shuffled, verbose), formatText(report, verbose));
  });

  test('long pid lists are cut short', () => {
    const report = servicesReport();
    report.actions.services = [
      {
        unit: 'php8.2-fpm.service',
        pids: Array.from({ length: 20 }, (_, i) => 2000 + i),
        packages: [],
        denied: false,
      },
    ];
    assert.ok(
      formatText(report, plain).includes(
        '  php8.2-fpm.service (pids 2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007 and 12 more)',
      ),
    );
  });

  test('escape sequences and newlines from the scanned host are shown, not executed', () => {
    const report = servicesReport();
    const process = report.processes.find((p) => p.pid === 4242)!;
    process.comm = 'evil\x1b]0;owned\x07\nroot';
    report.actions.processes[0]!.comm = process.comm;
    process.files[0]!.path = '/tmp/x\u202egpj.so';
    const out = formatText(report, verbose);
    assert.ok(!out.includes('\x1b') && !out.includes('\x07') && !out.includes('\u202e'));
    assert.ok(out.includes('  evil\\x1b]0;owned\\x07\\x0aroot (pid 4242, run-u12.scope)'));
    assert.ok(out.includes('/tmp/x\\u{202e}gpj.so'));
  });

  test('the example in docs/scan-report.md is what it prints', () => {
    assert.equal(docExample('text servicesReport'), formatText(servicesReport(), plain));
  });
});
