// scanHost on a captured tree: every rule wired together, on real files with real inodes, but no
// live processes — the same path `afterpatch scan --root DIR` takes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Compile } from 'typebox/compile';
import { createScanMemory, scanHost } from '../../../agent/scan/scan-host.js';
import { ScanReport } from '../../../shared/scan-report.js';
import { CAPTURED_BTIME, CapturedTree } from '../../helpers/captured-tree.js';

const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const DOCKER_ID = 'b'.repeat(64);

describe('scanHost on a captured tree', () => {
  const tree = new CapturedTree();
  let report: ScanReport;
  const old = new Date((CAPTURED_BTIME - 86_400) * 1000);

  before(async () => {
    tree.write('/usr/sbin/nginx', 'nginx binary', old);
    tree.write(LIBC, 'libc', old);
    tree.write(LIBSSL, 'libssl 3.0.13', old);
    tree.write('/usr/lib/libplugin.so', 'plugin', old);
    tree.write('/usr/bin/cron', 'cron', old);
    // PID 1 still maps the systemd library an upgrade replaced: a re-exec, not a reboot.
    tree.write('/usr/lib/systemd/systemd', 'systemd', old);
    tree.addProcess({
      pid: 1,
      comm: 'systemd',
      exe: '/usr/lib/systemd/systemd',
      maps: [
        '/usr/lib/systemd/systemd',
        { path: '/usr/lib/systemd/libsystemd-shared-252.so', inode: 4242, deleted: true },
      ],
      cgroup: '/init.scope',
    });
    // nginx: maps a libssl that was deleted (upgraded), plus an unchanged libc.
    tree.addProcess({
      pid: 100,
      comm: 'nginx',
      exe: '/usr/sbin/nginx',
      maps: ['/usr/sbin/nginx', LIBC, { path: LIBSSL, inode: 999_999, deleted: true }],
      cgroup: '/system.slice/nginx.service',
      cmdline: ['nginx: master process /usr/sbin/nginx'],
    });
    tree.addProcess({
      pid: 101,
      comm: 'nginx',
      exe: '/usr/sbin/nginx',
      maps: ['/usr/sbin/nginx', { path: LIBSSL, inode: 999_999, deleted: true }],
      cgroup: '/system.slice/nginx.service',
    });
    // cron: everything current.
    tree.addProcess({
      pid: 200,
      comm: 'cron',
      exe: '/usr/bin/cron',
      maps: ['/usr/bin/cron', LIBC],
      cgroup: '/system.slice/cron.service',
    });
    // A container process with a replaced plugin (inode differs from the file at the path).
    tree.addProcess({
      pid: 300,
      comm: 'app',
      exe: '/usr/bin/cron',
      maps: ['/usr/bin/cron', { path: '/usr/lib/libplugin.so', inode: 123 }],
      cgroup: `/system.slice/docker-${DOCKER_ID}.scope`,
      pidNamespace: 'pid:[4026532999]',
    });
    // A login-session process whose library was overwritten in place after it started.
    tree.write('/usr/lib/libedit.so', 'edited later', new Date((CAPTURED_BTIME + 7200) * 1000));
    tree.addProcess({
      pid: 400,
      comm: 'bash',
      exe: '/usr/bin/cron',
      maps: ['/usr/bin/cron', '/usr/lib/libedit.so'],
      cgroup: '/user.slice/user-1000.slice/session-4.scope',
      uid: 1000,
    });
    // A kernel thread and a zombie: never scanned.
    tree.addProcess({ pid: 2, comm: 'kthreadd', exe: '/', maps: [], flags: 0x00200000 });
    tree.addProcess({ pid: 500, comm: 'gone', exe: '/usr/bin/cron', maps: [], state: 'Z' });
    report = await scanHost({ root: tree.root });
  });
  after(() => tree.remove());

  it('produces a report that matches the published schema', () => {
    const validator = Compile(ScanReport);
    assert.equal(validator.Check(report), true, JSON.stringify([...validator.Errors(report)].slice(0, 3)));
  });

  it('reads host facts from the captured tree', () => {
    assert.equal(report.host.hostname, 'captured-host');
    assert.equal(report.host.machineId, '0123456789abcdef0123456789abcdef');
    assert.equal(report.host.os, 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(report.host.bootTime, new Date(CAPTURED_BTIME * 1000).toISOString());
    assert.equal(report.kernel.runningRelease, '6.1.0-18-amd64');
  });

  it('lists exactly the stale processes, with their reasons', () => {
    assert.deepEqual(
      report.processes.map((p) => p.pid),
      [1, 100, 101, 300, 400],
    );
    const nginx = report.processes.find((p) => p.pid === 100)!;
    assert.deepEqual(
      nginx.files.map((f) => [f.path, f.kind, f.reason]),
      [[LIBSSL, 'library', 'deleted']],
    );
    assert.equal(nginx.startedAt, new Date((CAPTURED_BTIME + 3600) * 1000).toISOString());
    assert.deepEqual(nginx.cmdline, ['nginx: master process /usr/sbin/nginx']);
    const container = report.processes.find((p) => p.pid === 300)!;
    assert.deepEqual(
      container.files.map((f) => [f.path, f.reason]),
      [['/usr/lib/libplugin.so', 'replaced']],
    );
    assert.equal(container.inContainer, true);
    const session = report.processes.find((p) => p.pid === 400)!;
    assert.deepEqual(
      session.files.map((f) => [f.path, f.reason]),
      [['/usr/lib/libedit.so', 'modified']],
    );
    assert.equal(session.uid, 1000);
  });

  it('groups them by the fix', () => {
    assert.equal(report.status, 'restart');
    assert.deepEqual(
      report.actions.services.map((s) => [s.unit, s.pids]),
      [['nginx.service', [100, 101]]],
    );
    assert.deepEqual(
      report.actions.containers.map((c) => [c.runtime, c.id, c.pids]),
      [['docker', DOCKER_ID, [300]]],
    );
    assert.deepEqual(
      report.actions.sessions.map((s) => [s.session, s.uid, s.pids]),
      [['4', 1000, [400]]],
    );
    assert.equal(report.actions.pid1Reexec, true);
    assert.equal(report.processes[0]?.attribution.kind, 'pid1');
  });

  it('counts what it scanned and skipped', () => {
    assert.equal(report.scan.processesSeen, 8);
    assert.equal(report.scan.processesScanned, 6);
    assert.deepEqual(report.unreadable, []);
  });

  it('scans only the requested pids and warns about absent ones', async () => {
    const partial = await scanHost({ root: tree.root, pids: [200, 101, 9999] });
    assert.deepEqual(
      partial.processes.map((p) => p.pid),
      [101],
    );
    assert.equal(partial.scan.processesVanished, 1);
    assert.match(partial.warnings.join('\n'), /process 9999 does not exist/);
  });
});

describe('scanHost with memory (a long-running agent)', () => {
  const tree = new CapturedTree();
  after(() => tree.remove());

  it('remembers who a stale process is per (pid, start time), and forgets it on pid reuse', async () => {
    const old = new Date((CAPTURED_BTIME - 86_400) * 1000);
    tree.write('/usr/sbin/app', 'app', old);
    const stale = { path: '/usr/lib/libgone.so', inode: 5, deleted: true };
    tree.addProcess({
      pid: 700,
      comm: 'app',
      exe: '/usr/sbin/app',
      maps: ['/usr/sbin/app', stale],
      cgroup: '/system.slice/a.service',
    });
    const memory = createScanMemory();
    const first = await scanHost({ root: tree.root, memory });
    assert.equal(first.processes[0]?.attribution.unit, 'a.service');

    // Same process (same start time): its cgroup is not read again.
    tree.write('proc/700/cgroup', '0::/system.slice/b.service\n');
    const second = await scanHost({ root: tree.root, memory });
    assert.equal(second.processes[0]?.attribution.unit, 'a.service');

    // The pid now belongs to a new process (another start time): everything is read afresh.
    tree.remove();
    const reused = new CapturedTree();
    after(() => reused.remove());
    reused.write('/usr/sbin/app', 'app', old);
    reused.addProcess({
      pid: 700,
      comm: 'app',
      exe: '/usr/sbin/app',
      maps: ['/usr/sbin/app', stale],
      cgroup: '/system.slice/c.service',
      startTicks: 999_999,
    });
    const third = await scanHost({ root: reused.root, memory });
    assert.equal(third.processes[0]?.attribution.unit, 'c.service');
  });
});
