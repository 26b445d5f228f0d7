import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildOperationArgv } from '../../../agent/executor/build-argv.js';
import { buildExecutorConfig } from '../../../agent/executor/executor-config.js';
import { checkStepPolicy } from '../../../agent/executor/step-policy.js';
import type { StepOperation, StepPayload } from '../../../shared/agent-protocol.js';

function step(...operations: StepOperation[]): StepPayload {
  return {
    stepId: 's1',
    rolloutId: 'r1',
    operations,
    hooks: false,
    healthChecks: [],
    holdSec: 0,
    timeoutSec: 60,
  };
}

test('the default policy allows unit restarts, docker/podman restarts, PID 1 re-exec and reboots', () => {
  const config = buildExecutorConfig();
  for (const op of [
    { kind: 'restart-unit', unit: 'nginx.service' },
    { kind: 'restart-container', runtime: 'docker', id: 'abc123' },
    { kind: 'restart-container', runtime: 'podman', id: 'web' },
    { kind: 'reexec-pid1' },
    { kind: 'reboot' },
  ] as StepOperation[]) {
    assert.deepEqual(checkStepPolicy(step(op), config), { allowed: true }, JSON.stringify(op));
  }
});

test('a host that forbids reboots refuses a step containing one, with the reason', () => {
  const verdict = checkStepPolicy(
    step({ kind: 'restart-unit', unit: 'a.service' }, { kind: 'reboot' }),
    buildExecutorConfig({ allowReboot: false }),
  );
  assert.deepEqual(verdict, {
    allowed: false,
    reason: 'reboots are disabled on this host (executor.allowReboot)',
  });
});

test('unit globs: deny wins over allow; units outside allowUnits are refused', () => {
  const config = buildExecutorConfig({ allowUnits: ['web-*.service'], denyUnits: ['web-db.service'] });
  assert.equal(checkStepPolicy(step({ kind: 'restart-unit', unit: 'web-1.service' }), config).allowed, true);
  const denied = checkStepPolicy(step({ kind: 'restart-unit', unit: 'web-db.service' }), config);
  assert.match(denied.allowed ? '' : denied.reason, /denied on this host \(executor.denyUnits\)/);
  const other = checkStepPolicy(step({ kind: 'restart-unit', unit: 'sshd.service' }), config);
  assert.match(other.allowed ? '' : other.reason, /not allowed on this host \(executor.allowUnits\)/);
});

test('the agent never restarts its own unit by default, and disabled executors refuse everything', () => {
  const own = checkStepPolicy(
    step({ kind: 'restart-unit', unit: 'afterpatch-agent.service' }),
    buildExecutorConfig(),
  );
  assert.equal(own.allowed, false);
  const off = checkStepPolicy(step({ kind: 'reexec-pid1' }), buildExecutorConfig({ enabled: false }));
  assert.match(off.allowed ? '' : off.reason, /disabled on this host/);
});

test('containers of orchestrated runtimes are refused: their orchestrator restarts them', () => {
  for (const runtime of ['containerd', 'cri-o', 'lxc']) {
    const verdict = checkStepPolicy(
      step({ kind: 'restart-container', runtime, id: 'abc' }),
      buildExecutorConfig(),
    );
    assert.match(verdict.allowed ? '' : verdict.reason, /restarted by their orchestrator/, runtime);
  }
});

test('a name that looks like an option is refused, and argv always ends options before a name', () => {
  const config = buildExecutorConfig();
  // The protocol pattern already forbids a leading '-'; the policy checks again (defence in depth).
  const verdict = checkStepPolicy(step({ kind: 'restart-unit', unit: '--force' }), config);
  assert.equal(verdict.allowed, false);
  assert.deepEqual(buildOperationArgv({ kind: 'restart-unit', unit: 'a.service' }, config), {
    file: '/usr/bin/systemctl',
    args: ['restart', '--', 'a.service'],
    what: 'restart a.service',
  });
  const docker = buildOperationArgv({ kind: 'restart-container', runtime: 'docker', id: 'web' }, config);
  assert.deepEqual([docker.file, ...docker.args], ['/usr/bin/docker', 'restart', '--', 'web']);
  const podman = buildOperationArgv(
    { kind: 'restart-container', runtime: 'podman', id: 'web' },
    buildExecutorConfig({ podmanPath: '/opt/podman' }),
  );
  assert.deepEqual([podman.file, ...podman.args], ['/opt/podman', 'restart', '--', 'web']);
  assert.deepEqual(buildOperationArgv({ kind: 'reexec-pid1' }, config).args, ['daemon-reexec']);
  assert.deepEqual(buildOperationArgv({ kind: 'reboot' }, config).args, ['reboot']);
});
