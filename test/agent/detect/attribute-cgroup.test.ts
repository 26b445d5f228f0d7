import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeCgroup, unescapeUnitName } from '../../../agent/detect/attribute-cgroup.js';

const ID = 'a'.repeat(64);

function pick(path: string | undefined, isHostPid1 = false) {
  const { cgroup: _cgroup, ...rest } = attributeCgroup(path, isHostPid1);
  return rest;
}

describe('attributeCgroup', () => {
  it('maps a service and rolls children in sub-cgroups up to it', () => {
    assert.deepEqual(pick('/system.slice/nginx.service'), { kind: 'service', unit: 'nginx.service' });
    assert.deepEqual(pick('/system.slice/system-getty.slice/getty@tty1.service'), {
      kind: 'service',
      unit: 'getty@tty1.service',
    });
    assert.deepEqual(pick('/system.slice/postgresql@15-main.service/workers'), {
      kind: 'service',
      unit: 'postgresql@15-main.service',
    });
  });

  it('recognises PID 1 (re-exec, not reboot) and the user manager', () => {
    assert.deepEqual(pick('/init.scope', true), { kind: 'pid1' });
    assert.deepEqual(pick('/init.scope'), { kind: 'pid1' });
    assert.deepEqual(pick('/user.slice/user-1000.slice/user@1000.service/init.scope'), {
      kind: 'user-manager',
      uid: 1000,
      unit: 'user@1000.service',
    });
  });

  it('recognises user services and login sessions', () => {
    assert.deepEqual(pick('/user.slice/user-1000.slice/user@1000.service/app.slice/pipewire.service'), {
      kind: 'user-service',
      uid: 1000,
      unit: 'pipewire.service',
    });
    assert.deepEqual(pick('/user.slice/user-1000.slice/session-3.scope'), {
      kind: 'session',
      session: '3',
      uid: 1000,
    });
    assert.deepEqual(pick('/user.slice/user-0.slice/session-c2.scope'), {
      kind: 'session',
      session: 'c2',
      uid: 0,
    });
  });

  it('blames the container, not containerd.service or docker.service', () => {
    assert.deepEqual(pick(`/system.slice/docker-${ID}.scope`), {
      kind: 'container',
      runtime: 'docker',
      containerId: ID,
    });
    assert.deepEqual(pick(`/docker/${ID}`), { kind: 'container', runtime: 'docker', containerId: ID });
    assert.deepEqual(pick(`/machine.slice/libpod-${ID}.scope/container`), {
      kind: 'container',
      runtime: 'podman',
      containerId: ID,
    });
    assert.deepEqual(
      pick(
        `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/cri-containerd-${ID}.scope`,
      ),
      {
        kind: 'container',
        runtime: 'containerd',
        containerId: ID,
        podUid: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      },
    );
    assert.deepEqual(pick(`/kubepods/besteffort/pod0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/${ID}`), {
      kind: 'container',
      runtime: 'containerd',
      containerId: ID,
      podUid: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    });
    assert.deepEqual(
      pick(`/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice/crio-${ID}.scope`),
      {
        kind: 'container',
        runtime: 'cri-o',
        containerId: ID,
        podUid: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      },
    );
    assert.deepEqual(pick('/lxc.payload.web01/system.slice/nginx.service'), {
      kind: 'container',
      runtime: 'lxc',
      containerId: 'web01',
    });
    assert.deepEqual(pick('/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope'), {
      kind: 'container',
      runtime: 'nspawn',
      containerId: 'qemu-1-vm1',
    });
  });

  it('calls transient scopes scopes and the root unknown', () => {
    assert.deepEqual(pick('/system.slice/run-u42.scope'), { kind: 'scope', unit: 'run-u42.scope' });
    assert.deepEqual(pick('/'), { kind: 'unknown' });
    assert.deepEqual(pick(undefined), { kind: 'unknown' });
  });

  it('finds the unit below a prefix (nested hierarchies, simulated hosts), even one named like a runtime', () => {
    for (const prefix of [
      '/afterpatch-sim/web-1',
      '/afterpatch-sim/docker',
      '/lxc/system.slice/../x',
      '/a/b/c',
    ]) {
      const cgroup = `${prefix}/system.slice/app.service`;
      assert.deepEqual(
        attributeCgroup(cgroup, false),
        { kind: 'service', unit: 'app.service', cgroup },
        prefix,
      );
    }
    const cgroupfs = `/docker/${'ab'.repeat(32)}`;
    assert.equal(attributeCgroup(cgroupfs, false).kind, 'container');
  });

  it('unescapes systemd unit names', () => {
    assert.equal(unescapeUnitName('dev-disk-by\\x2duuid.device'), 'dev-disk-by-uuid.device');
  });
});
