import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregatePackages, buildActions } from '../../../agent/detect/build-actions.js';
import { compileGlobs } from '../../../agent/detect/glob.js';
import type { Attribution, StaleProcess } from '../../../shared/scan-report.js';

function proc(pid: number, attribution: Attribution, pkg?: string): StaleProcess {
  return {
    pid,
    ppid: 1,
    comm: `p${pid}`,
    exe: '/usr/bin/x',
    cmdline: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    inContainer: attribution.kind === 'container',
    attribution,
    files: [
      {
        path: `/usr/lib/lib${pkg ?? 'none'}.so`,
        kind: 'library',
        reason: 'deleted',
        detail: 'file deleted',
        ...(pkg ? { package: { name: pkg, installedVersion: '2', previousVersion: '1' } } : {}),
      },
    ],
  };
}

describe('buildActions', () => {
  const processes = [
    proc(30, { kind: 'service', unit: 'nginx.service' }, 'openssl'),
    proc(31, { kind: 'service', unit: 'nginx.service' }, 'zlib'),
    proc(40, { kind: 'service', unit: 'dbus.service' }, 'openssl'),
    proc(1, { kind: 'pid1' }, 'systemd'),
    proc(50, { kind: 'container', runtime: 'docker', containerId: 'abc' }),
    proc(60, { kind: 'session', session: '3', uid: 1000 }, 'openssl'),
    proc(70, { kind: 'user-manager', uid: 1000, unit: 'user@1000.service' }),
    proc(80, { kind: 'user-service', uid: 1000, unit: 'pipewire.service' }),
    proc(90, { kind: 'scope', unit: 'run-u1.scope' }),
  ];
  const actions = buildActions(processes, compileGlobs(['dbus.service']));

  it('rolls processes up to one action per unit, with the packages behind it', () => {
    assert.deepEqual(actions.services, [
      { unit: 'dbus.service', pids: [40], packages: ['openssl'], denied: true },
      { unit: 'nginx.service', pids: [30, 31], packages: ['openssl', 'zlib'], denied: false },
    ]);
  });

  it('separates re-exec, containers, sessions, user units and by-hand processes', () => {
    assert.equal(actions.pid1Reexec, true);
    assert.deepEqual(actions.containers, [{ runtime: 'docker', id: 'abc', pids: [50], packages: [] }]);
    assert.deepEqual(actions.sessions, [{ session: '3', uid: 1000, pids: [60], packages: ['openssl'] }]);
    assert.deepEqual(actions.userManagers, [{ uid: 1000, pids: [70], packages: [] }]);
    assert.deepEqual(actions.userServices, [
      { unit: 'pipewire.service', uid: 1000, pids: [80], packages: [] },
    ]);
    assert.deepEqual(actions.processes, [{ pid: 90, comm: 'p90', unit: 'run-u1.scope', packages: [] }]);
  });

  it('is empty for no processes', () => {
    const none = buildActions([], compileGlobs([]));
    assert.equal(none.pid1Reexec, false);
    assert.equal(none.services.length + none.containers.length + none.processes.length, 0);
  });
});

describe('aggregatePackages', () => {
  it('answers "who still runs the old openssl?" once per package', () => {
    const packages = aggregatePackages([
      proc(30, { kind: 'service', unit: 'a.service' }, 'openssl'),
      proc(40, { kind: 'service', unit: 'b.service' }, 'openssl'),
      proc(50, { kind: 'unknown' }),
    ]);
    assert.deepEqual(packages, [
      {
        name: 'openssl',
        installedVersion: '2',
        previousVersion: '1',
        files: ['/usr/lib/libopenssl.so'],
        pids: [30, 40],
      },
    ]);
  });
});
