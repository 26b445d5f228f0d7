// Rollout steps executed by the real agent (the built bundle) on simulated hosts: a supervisor
// standing in for systemd as PID 1 of its own PID/mount/UTS namespaces, real services (a native
// holder that maps a library the test replaces), the systemctl stand-in (the only fake, at the
// systemd boundary) and the test double of the server's agent endpoints, which sends `step`
// frames and records `step-status` frames.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StepPayload, StepStatusPayload } from '../../shared/agent-protocol.js';
import { FakeAgentServer, type FakeHost, waitFor } from '../helpers/fake-agent-server.js';
import { buildNative } from '../helpers/native.js';
import { createScratch, needsRoot } from '../helpers/scratch.js';
import { AGENT_UNIT, SIM_SYSTEMCTL, type SimHost, startSimHost } from '../helpers/sim-host/start-sim-host.js';
import { installLibDir, replaceByRename } from '../helpers/stale-files.js';

const APP = 'stale-app.service';
const LONG = 90_000;

function step(partial: Partial<StepPayload> & Pick<StepPayload, 'operations'>): StepPayload {
  return {
    stepId: `step-${randomBytes(6).toString('hex')}`,
    rolloutId: 'rollout-1',
    hooks: false,
    healthChecks: [],
    holdSec: 0,
    timeoutSec: 120,
    ...partial,
  };
}

async function waitForHost(server: FakeAgentServer, machineHello: number): Promise<FakeHost> {
  await waitFor(() => [...server.hosts.values()].some((h) => h.hellos.length >= machineHello), LONG, 'hello');
  return [...server.hosts.values()].find((h) => h.hellos.length >= machineHello)!;
}

async function waitForFinal(
  server: FakeAgentServer,
  host: FakeHost,
  stepId: string,
): Promise<StepStatusPayload> {
  await waitFor(
    () =>
      ['succeeded', 'failed', 'refused'].includes(server.latestStepStatus(host.hostId, stepId)?.state ?? ''),
    LONG * 2,
    `final status of ${stepId}`,
  );
  return server.latestStepStatus(host.hostId, stepId)!;
}

function describeHost(sim: SimHost): string {
  return `supervisor:\n${sim.supervisorLog()}\nagent:\n${sim.logs(AGENT_UNIT).slice(-6000)}`;
}

test('sim host: a stale unit is restarted through the supervisor, once, with evidence; then a reboot', {
  skip: needsRoot,
  timeout: 300_000,
}, async (t) => {
  const scratch = createScratch(t);
  const build = await buildNative();
  const { libDir, lib } = installLibDir(scratch, build);
  const server = new FakeAgentServer({ pingIntervalMs: 1000 });
  await server.listen();
  scratch.defer(() => server.close());
  const sim = await startSimHost({
    name: `it-${randomBytes(4).toString('hex')}`,
    dir: join(scratch.dir, 'host'),
    serverUrl: server.url,
    enrollToken: 'enroll-ok',
    services: { [APP]: { argv: [build.holder], env: { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: libDir } } },
    executor: {
      healthCommands: { 'app-active': { argv: [SIM_SYSTEMCTL, 'is-active', '--', APP] } },
    },
  });
  scratch.defer(() => sim.stop());
  t.diagnostic(`sim host dir ${sim.dir}`);
  try {
    const host = await waitForHost(server, 1);
    const [oldPid] = await sim.pids(APP);
    assert.ok(oldPid, 'the service runs');

    // The library is upgraded the way dpkg does it; the agent's real scan sees the unit stale.
    replaceByRename(lib, build.libStaleV2);
    const before = host.reports.length;
    server.requestScan(host.hostId);
    await waitFor(() => host.reports.length > before, LONG, 'the rescan');
    const stale = host.reports.at(-1)!.report.processes.find((p) => p.pid === oldPid);
    assert.ok(stale, 'the holder is reported stale');
    assert.equal(stale.attribution.kind, 'service');
    assert.equal(stale.attribution.unit, APP, `cgroup ${stale.attribution.cgroup}`);

    const restart = step({
      operations: [{ kind: 'restart-unit', unit: APP }],
      healthChecks: [{ kind: 'command', name: 'app-active' }],
      holdSec: 1,
    });
    server.sendStep(host.hostId, restart);
    const done = await waitForFinal(server, host, restart.stepId);
    assert.equal(done.state, 'succeeded', done.message);
    const states = host.stepStatuses.filter((s) => s.stepId === restart.stepId).map((s) => s.state);
    assert.deepEqual(states, ['accepted', 'running', 'verifying', 'verifying', 'succeeded']);
    assert.equal(done.evidence?.operations?.[0]?.what, `restart ${APP}`);
    assert.equal(done.evidence?.operations?.[0]?.ok, true);
    assert.equal(done.evidence?.healthChecks?.[0]?.ok, true);
    const reportSeq = done.evidence?.reportSeq;
    assert.ok(reportSeq, 'evidence names the post-step report');
    const postStep = host.reports.find((r) => r.seq === reportSeq);
    assert.ok(postStep, 'the post-step report reached the server before the status');
    assert.equal(postStep.trigger, 'post-step');
    assert.equal(
      postStep.report.processes.filter((p) => p.attribution.unit === APP).length,
      0,
      'nothing stale in the unit after the restart',
    );
    const [newPid] = await sim.pids(APP);
    assert.ok(newPid && newPid !== oldPid, 'a new process runs the unit');

    // The server sends the same step again (as after a reconnect): the status, not a second run.
    const count = host.stepStatuses.length;
    server.sendStep(host.hostId, restart);
    await waitFor(() => host.stepStatuses.length > count, LONG, 'the re-sent status');
    assert.equal(host.stepStatuses.at(-1)!.state, 'succeeded');
    const status = await sim.status();
    assert.equal(status.commands.filter((c) => c === `restart ${APP}`).length, 1);
    assert.equal(status.services[APP]!.starts, 2);

    // A reboot: the agent goes down with the host and reports success from the next boot.
    const bootIdBefore = sim.bootId();
    const reboot = step({
      operations: [{ kind: 'reboot' }],
      healthChecks: [{ kind: 'command', name: 'app-active' }],
    });
    server.sendStep(host.hostId, reboot);
    const rebooted = await waitForFinal(server, host, reboot.stepId);
    assert.equal(rebooted.state, 'succeeded', rebooted.message);
    assert.equal(rebooted.evidence?.bootIdBefore, bootIdBefore);
    assert.equal(rebooted.evidence?.bootIdAfter, sim.bootId());
    assert.notEqual(rebooted.evidence?.bootIdAfter, bootIdBefore);
    assert.ok(rebooted.evidence?.kernelRelease);
    assert.ok(rebooted.evidence?.reportSeq);
    assert.ok(host.stepStatuses.some((s) => s.stepId === reboot.stepId && s.state === 'rebooting'));
    assert.equal(host.hellos.at(-1)!.bootId, sim.bootId(), 'the agent came back with the new boot id');
    const after = await sim.status();
    assert.equal(after.boots, 2);
    assert.equal(after.commands.filter((c) => c === 'reboot').length, 1);
  } catch (err) {
    t.diagnostic(describeHost(sim));
    throw err;
  }
});

test('sim host: a reboot forbidden by the local config is refused and nothing runs', {
  skip: needsRoot,
  timeout: 180_000,
}, async (t) => {
  const scratch = createScratch(t);
  const build = await buildNative();
  const { libDir } = installLibDir(scratch, build);
  const server = new FakeAgentServer({ pingIntervalMs: 1000 });
  await server.listen();
  scratch.defer(() => server.close());
  const sim = await startSimHost({
    name: `it-${randomBytes(4).toString('hex')}`,
    dir: join(scratch.dir, 'host'),
    serverUrl: server.url,
    enrollToken: 'enroll-ok',
    services: { [APP]: { argv: [build.holder], env: { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: libDir } } },
    executor: { allowReboot: false },
  });
  scratch.defer(() => sim.stop());
  try {
    const host = await waitForHost(server, 1);
    const reboot = step({ operations: [{ kind: 'reboot' }] });
    server.sendStep(host.hostId, reboot);
    const refused = await waitForFinal(server, host, reboot.stepId);
    assert.equal(refused.state, 'refused');
    assert.match(refused.message, /reboots are disabled on this host/);
    const status = await sim.status();
    assert.deepEqual(status.commands, []);
    assert.equal(status.boots, 1);
  } catch (err) {
    t.diagnostic(describeHost(sim));
    throw err;
  }
});
