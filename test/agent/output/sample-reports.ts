// Realistic scan reports for the output tests. Each function returns a fresh object, so a test
// may change one without affecting the others. sample-reports.test.ts checks every one against
// the ScanReport schema, so they cannot drift from the contract.
import type {
  Attribution,
  KernelInfo,
  ScanReport,
  StaleFile,
  StaleProcess,
} from '../../../shared/scan-report.js';

const DEBIAN_KERNEL: KernelInfo = {
  runningRelease: '6.1.0-21-amd64',
  runningVersion: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)',
  installed: ['6.1.0-21-amd64', '6.1.0-18-amd64'],
  newestInstalled: '6.1.0-21-amd64',
};

const LIBSSL3 = {
  name: 'libssl3',
  installedVersion: '3.0.13-1~deb12u1',
  previousVersion: '3.0.11-1~deb12u2',
};
const LIBC6 = { name: 'libc6', installedVersion: '2.36-9+deb12u7', previousVersion: '2.36-9+deb12u4' };
const GLIBC = { name: 'glibc', installedVersion: '2.34-100.el9_4.2', previousVersion: '2.34-83.el9_3.12' };

const LIBSSL_SO = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
const LIBCRYPTO_SO = '/usr/lib/x86_64-linux-gnu/libcrypto.so.3';
const LIBC_SO = '/usr/lib/x86_64-linux-gnu/libc.so.6';

function deleted(path: string, pkg?: StaleFile['package']): StaleFile {
  return {
    path,
    kind: 'library',
    reason: 'deleted',
    detail: 'mapped file was unlinked',
    ...(pkg ? { package: pkg } : {}),
  };
}

function proc(
  fields: Pick<StaleProcess, 'pid' | 'comm' | 'exe' | 'cmdline'> & {
    ppid?: number;
    uid?: number;
    attribution: Attribution;
    files: StaleFile[];
    inContainer?: boolean;
  },
): StaleProcess {
  // Fields in schema order, so that JSON examples read like the documentation.
  return {
    pid: fields.pid,
    ppid: fields.ppid ?? 1,
    uid: fields.uid ?? 0,
    comm: fields.comm,
    exe: fields.exe,
    cmdline: fields.cmdline,
    startedAt: '2024-05-02T06:14:09.310Z',
    inContainer: fields.inContainer ?? false,
    attribution: fields.attribution,
    files: fields.files,
  };
}

function noActions(): ScanReport['actions'] {
  return {
    services: [],
    userServices: [],
    userManagers: [],
    pid1Reexec: false,
    containers: [],
    sessions: [],
    processes: [],
  };
}

/** A Debian 12 host with nothing stale, scanned as root. */
export function cleanHostReport(): ScanReport {
  return {
    schemaVersion: 1,
    tool: { name: 'afterpatch', version: '0.1.0' },
    host: {
      hostname: 'web-01',
      machineId: '8f1c2b6a4e3d4c5b9a7f0e1d2c3b4a59',
      bootId: '0d6b1f6e-2a4c-4b8e-9f3a-7c5d1e2f3a4b',
      bootTime: '2024-05-02T06:12:44.000Z',
      os: 'Debian GNU/Linux 12 (bookworm)',
      packageManager: 'dpkg',
    },
    scan: {
      startedAt: '2024-05-14T09:30:00.125Z',
      durationMs: 31.7,
      procRoot: '/proc',
      root: '/',
      processesSeen: 701,
      processesScanned: 598,
      processesVanished: 1,
      filesChecked: 17904,
    },
    status: 'ok',
    kernel: { ...DEBIAN_KERNEL, installed: [...DEBIAN_KERNEL.installed] },
    reboot: { required: false, reasons: [] },
    processes: [],
    actions: noActions(),
    packages: [],
    unreadable: [],
    warnings: [],
  };
}

/**
 * The same host after `apt upgrade` replaced libssl3: two services, a container, an SSH
 * session and a process in a transient scope still map the old library. 7 stale processes.
 */
export function servicesReport(): ScanReport {
  const report = cleanHostReport();
  const containerId = '3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081';
  report.scan = { ...report.scan, durationMs: 38.4, processesScanned: 612, filesChecked: 18342 };
  report.status = 'restart';
  report.processes = [
    proc({
      pid: 812,
      comm: 'nginx',
      exe: '/usr/sbin/nginx',
      cmdline: ['nginx: master process /usr/sbin/nginx -g daemon on; master_process on;'],
      attribution: { kind: 'service', unit: 'nginx.service', cgroup: '/system.slice/nginx.service' },
      files: [deleted(LIBSSL_SO, LIBSSL3), deleted(LIBCRYPTO_SO, LIBSSL3)],
    }),
    proc({
      pid: 813,
      ppid: 812,
      uid: 33,
      comm: 'nginx',
      exe: '/usr/sbin/nginx',
      cmdline: ['nginx: worker process'],
      attribution: { kind: 'service', unit: 'nginx.service', cgroup: '/system.slice/nginx.service' },
      files: [deleted(LIBSSL_SO, LIBSSL3), deleted(LIBCRYPTO_SO, LIBSSL3)],
    }),
    proc({
      pid: 655,
      comm: 'sshd',
      exe: '/usr/sbin/sshd',
      cmdline: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'],
      attribution: { kind: 'service', unit: 'ssh.service', cgroup: '/system.slice/ssh.service' },
      files: [deleted(LIBCRYPTO_SO, LIBSSL3)],
    }),
    proc({
      pid: 2500,
      ppid: 655,
      comm: 'sshd',
      exe: '/usr/sbin/sshd',
      cmdline: ['sshd: alice [priv]'],
      attribution: {
        kind: 'session',
        session: '4',
        uid: 1000,
        cgroup: '/user.slice/user-1000.slice/session-4.scope',
      },
      files: [deleted(LIBCRYPTO_SO, LIBSSL3)],
    }),
    proc({
      pid: 2530,
      ppid: 2500,
      uid: 1000,
      comm: 'sshd',
      exe: '/usr/sbin/sshd',
      cmdline: ['sshd: alice@pts/0'],
      attribution: {
        kind: 'session',
        session: '4',
        uid: 1000,
        cgroup: '/user.slice/user-1000.slice/session-4.scope',
      },
      files: [deleted(LIBCRYPTO_SO, LIBSSL3)],
    }),
    proc({
      pid: 4242,
      ppid: 1,
      uid: 1000,
      comm: 'python3',
      exe: '/usr/bin/python3.11',
      cmdline: ['/usr/bin/python3', '/home/alice/bin/sync-feeds.py'],
      attribution: {
        kind: 'scope',
        unit: 'run-u12.scope',
        cgroup: '/system.slice/run-u12.scope',
      },
      files: [
        deleted(LIBSSL_SO, LIBSSL3),
        {
          path: '/home/alice/bin/sync-feeds.py',
          kind: 'script',
          reason: 'modified',
          detail: 'mtime 2024-05-14T08:02:11Z is after the process started',
        },
      ],
    }),
    proc({
      pid: 3001,
      ppid: 2980,
      comm: 'gunicorn',
      exe: '/usr/local/bin/python3.12',
      cmdline: ['/usr/local/bin/python3.12', '/usr/local/bin/gunicorn', 'app:wsgi'],
      inContainer: true,
      attribution: {
        kind: 'container',
        runtime: 'docker',
        containerId,
        cgroup: `/system.slice/docker-${containerId}.scope`,
      },
      files: [
        {
          path: '/usr/lib/x86_64-linux-gnu/libssl.so.3',
          kind: 'library',
          reason: 'replaced',
          detail: 'inode 1311 mapped, inode 1577 at the path now',
        },
      ],
    }),
  ];
  report.actions = {
    ...noActions(),
    services: [
      { unit: 'ssh.service', pids: [655], packages: ['libssl3'], denied: false },
      { unit: 'nginx.service', pids: [813, 812], packages: ['libssl3'], denied: false },
    ],
    containers: [{ runtime: 'docker', id: containerId, pids: [3001], packages: [] }],
    sessions: [{ session: '4', uid: 1000, pids: [2500, 2530], packages: ['libssl3'] }],
    processes: [{ pid: 4242, comm: 'python3', unit: 'run-u12.scope', packages: ['libssl3'] }],
  };
  report.packages = [
    { ...LIBSSL3, files: [LIBCRYPTO_SO, LIBSSL_SO], pids: [655, 812, 813, 2500, 2530, 4242] },
  ];
  return report;
}

/**
 * A Rocky Linux 9 host after a glibc and kernel update, scanned by an unprivileged user: the
 * kernel and rpm database are readable, but only the user's own processes are. Reboot required.
 */
export function rebootReport(): ScanReport {
  const libc = '/usr/lib64/libc.so.6';
  const renamed: StaleFile = {
    path: `${libc};6643a1f2`,
    kind: 'library',
    reason: 'renamed',
    detail: 'rpm temporary name; the package now installs another file at /usr/lib64/libc.so.6',
    package: GLIBC,
  };
  return {
    schemaVersion: 1,
    tool: { name: 'afterpatch', version: '0.1.0' },
    host: {
      hostname: 'db-07.example.net',
      machineId: 'c0ffee5e2b7d4e19a1f3c2d4b6a8e0f1',
      bootTime: '2024-04-20T22:01:05.000Z',
      os: 'Rocky Linux 9.4 (Blue Onyx)',
      packageManager: 'rpm',
    },
    scan: {
      startedAt: '2024-05-14T10:00:00.000Z',
      durationMs: 12.9,
      procRoot: '/proc',
      root: '/',
      processesSeen: 132,
      processesScanned: 4,
      processesVanished: 0,
      filesChecked: 211,
    },
    status: 'reboot',
    kernel: {
      runningRelease: '5.14.0-362.8.1.el9_3.x86_64',
      runningVersion: '#1 SMP PREEMPT_DYNAMIC Wed Nov 8 17:36:32 UTC 2023',
      installed: ['5.14.0-427.16.1.el9_4.x86_64', '5.14.0-362.8.1.el9_3.x86_64'],
      newestInstalled: '5.14.0-427.16.1.el9_4.x86_64',
    },
    reboot: {
      required: true,
      reasons: [
        {
          code: 'core-package-updated',
          message: 'glibc was updated after boot (2024-05-14 09:41)',
          packages: ['glibc'],
        },
        {
          code: 'kernel-newer-installed',
          message: 'Kernel 5.14.0-427.16.1.el9_4.x86_64 is installed, 5.14.0-362.8.1.el9_3.x86_64 is running',
          packages: ['kernel-core'],
        },
      ],
    },
    processes: [
      proc({
        pid: 1500,
        uid: 1000,
        comm: 'systemd',
        exe: '/usr/lib/systemd/systemd',
        cmdline: ['/usr/lib/systemd/systemd', '--user'],
        attribution: {
          kind: 'user-manager',
          uid: 1000,
          unit: 'user@1000.service',
          cgroup: '/user.slice/user-1000.slice/user@1000.service/init.scope',
        },
        files: [renamed],
      }),
      proc({
        pid: 1530,
        ppid: 1500,
        uid: 1000,
        comm: 'dbus-broker',
        exe: '/usr/bin/dbus-broker',
        cmdline: ['/usr/bin/dbus-broker', '--log', '4', '--controller', '9', '--machine-id', 'c0ffee'],
        attribution: {
          kind: 'user-service',
          uid: 1000,
          unit: 'dbus-broker.service',
          cgroup: '/user.slice/user-1000.slice/user@1000.service/session.slice/dbus-broker.service',
        },
        files: [renamed],
      }),
      proc({
        pid: 2210,
        ppid: 2209,
        uid: 1000,
        comm: 'bash',
        exe: '/usr/bin/bash',
        cmdline: ['-bash'],
        attribution: {
          kind: 'session',
          uid: 1000,
          session: '12',
          cgroup: '/user.slice/user-1000.slice/session-12.scope',
        },
        files: [renamed],
      }),
    ],
    actions: {
      ...noActions(),
      userServices: [{ unit: 'dbus-broker.service', uid: 1000, pids: [1530], packages: ['glibc'] }],
      userManagers: [{ uid: 1000, pids: [1500], packages: ['glibc'] }],
      sessions: [{ session: '12', uid: 1000, pids: [2210], packages: ['glibc'] }],
    },
    packages: [{ ...GLIBC, files: [`${libc};6643a1f2`], pids: [1500, 1530, 2210] }],
    unreadable: [
      { pid: 1, comm: 'systemd', error: 'EACCES' },
      { pid: 642, comm: 'sshd', error: 'EACCES' },
      { pid: 655, comm: 'chronyd', error: 'EACCES' },
      { pid: 701, comm: 'crond', error: 'EACCES' },
      { pid: 2209, comm: 'sshd', error: 'EACCES' },
    ],
    warnings: ['not running as root: processes of other users were not read'],
  };
}

/**
 * A Debian 12 host after a libc6 update: PID 1 must be re-executed, and two of the services
 * are on the deny list (restarting dbus or logind breaks running sessions).
 */
export function deniedUnitReport(): ScanReport {
  const report = cleanHostReport();
  report.host = { ...report.host, hostname: 'ops-bastion' };
  report.scan = { ...report.scan, durationMs: 1840, processesScanned: 212, filesChecked: 9120 };
  report.status = 'restart';
  const system = (pid: number, comm: string, exe: string, unit: string, uid = 0): StaleProcess =>
    proc({
      pid,
      uid,
      comm,
      exe,
      cmdline: [exe],
      attribution: { kind: 'service', unit, cgroup: `/system.slice/${unit}` },
      files: [deleted(LIBC_SO, LIBC6)],
    });
  report.processes = [
    proc({
      pid: 1,
      ppid: 0,
      comm: 'systemd',
      exe: '/usr/lib/systemd/systemd',
      cmdline: ['/sbin/init'],
      attribution: { kind: 'pid1', unit: 'init.scope', cgroup: '/init.scope' },
      files: [deleted(LIBC_SO, LIBC6)],
    }),
    system(540, 'dbus-daemon', '/usr/bin/dbus-daemon', 'dbus.service', 101),
    system(560, 'systemd-logind', '/usr/lib/systemd/systemd-logind', 'systemd-logind.service'),
    system(610, 'cron', '/usr/sbin/cron', 'cron.service'),
    system(700, 'postgres', '/usr/lib/postgresql/15/bin/postgres', 'postgresql@15-main.service', 108),
    system(703, 'postgres', '/usr/lib/postgresql/15/bin/postgres', 'postgresql@15-main.service', 108),
    proc({
      pid: 1500,
      uid: 1000,
      comm: 'systemd',
      exe: '/usr/lib/systemd/systemd',
      cmdline: ['/lib/systemd/systemd', '--user'],
      attribution: {
        kind: 'user-manager',
        uid: 1000,
        unit: 'user@1000.service',
        cgroup: '/user.slice/user-1000.slice/user@1000.service/init.scope',
      },
      files: [deleted(LIBC_SO, LIBC6)],
    }),
  ];
  report.actions = {
    ...noActions(),
    pid1Reexec: true,
    services: [
      { unit: 'systemd-logind.service', pids: [560], packages: ['libc6'], denied: true },
      { unit: 'postgresql@15-main.service', pids: [703, 700], packages: ['libc6'], denied: false },
      { unit: 'dbus.service', pids: [540], packages: ['libc6'], denied: true },
      { unit: 'cron.service', pids: [610], packages: ['libc6'], denied: false },
    ],
    userManagers: [{ uid: 1000, pids: [1500], packages: ['libc6'] }],
  };
  report.packages = [{ ...LIBC6, files: [LIBC_SO], pids: [1, 540, 560, 610, 700, 703, 1500] }];
  return report;
}

/**
 * An agent that could read no process at all (a hardened host where even the scanning user's
 * own processes are hidden by hidepid): a clean status here would be a guess.
 */
export function unreadableOnlyReport(): ScanReport {
  const report = cleanHostReport();
  report.scan = { ...report.scan, processesSeen: 3, processesScanned: 0, filesChecked: 0, durationMs: 2.2 };
  report.unreadable = [
    { pid: 1, comm: 'systemd', error: 'EACCES' },
    { pid: 412, error: 'EACCES' },
    { pid: 655, comm: 'sshd', error: 'EPERM' },
  ];
  return report;
}

/** The small report shown in docs/scan-report.md: nginx alone still maps the old libssl3. */
export function documentedReport(): ScanReport {
  const report = servicesReport();
  report.processes = report.processes.filter((p) => p.pid === 812);
  report.actions = {
    ...noActions(),
    services: [{ unit: 'nginx.service', pids: [812], packages: ['libssl3'], denied: false }],
  };
  report.packages = report.packages.map((p) => ({ ...p, pids: [812] }));
  return report;
}

export const SAMPLE_REPORTS: Readonly<Record<string, () => ScanReport>> = Object.freeze({
  cleanHostReport,
  servicesReport,
  rebootReport,
  deniedUnitReport,
  unreadableOnlyReport,
  documentedReport,
});
