// Rollouts end to end on this machine: the REAL server (the built bundle, its own process, on
// PGlite) and five simulated hosts (test/helpers/sim-host: a supervisor as PID 1 of its own
// PID/mount/UTS namespaces, real services in cgroups, the real agent enrolled with an enrolment
// token). Services are made really stale (a holder mapping a library the test replaces the way
// dpkg does); two hosts raise /run/reboot-required, so the agent's own reboot check asks for a
// reboot. Groups overlap (a pool and two racks). The only fakes are at the systemd boundary (the
// supervisor and its systemctl stand-in). Every case is judged from the AUDIT TRAIL by
// test/helpers/rollout-invariants.ts, and from what the supervisors saw.
//
// Network namespaces: not used. The hosts share this machine's network namespace (agents reach
// the server on 127.0.0.1, each host's HTTP service has its own port); see docs/rollouts.md.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildNative, type NativeBuild } from '../helpers/native.js';
import {
  type AuditRecord,
  checkRolloutInvariants,
  type GroupLimitSpec,
  outIntervals,
} from '../helpers/rollout-invariants.js';
import { createScratch, needsRoot, type Scratch } from '../helpers/scratch.js';
import { freePort, RestClient, type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import type { SimStatus } from '../helpers/sim-host/sim-protocol.js';
import {
  AGENT_UNIT,
  SIM_CGROUP_BASE,
  SIM_SYSTEMCTL,
  type SimHost,
  startSimHost,
} from '../helpers/sim-host/start-sim-host.js';
import { installLibDir, replaceByRename } from '../helpers/stale-files.js';

const here = dirname(fileURLToPath(import.meta.url));
const HEALTH_WEB = join(here, '..', 'helpers', 'sim-host', 'health-web.js');
const APP = 'stale-app.service';
const WORKER = 'stale-worker.service';
const WEB = 'health-web.service';
const ADMIN_PASSWORD = 'e2e-admin-password-0123';
const OPERATOR_PASSWORD = 'e2e-operator-password-0123';
const HOST_COUNT = 5;
/**
 * Generous: the machine is shared and loaded; nothing asserts on durations. Every wait is well
 * below a case's timeout, so that a stuck case fails in its own catch and prints where it was
 * stuck (the rollout with its steps and holds, the server's and the hosts' logs).
 */
const WAIT = 120_000;
const CASE_TIMEOUT = 240_000;

interface Host {
  index: number;
  sim: SimHost;
  id: string;
  hostname: string;
  units: string[];
  webPort: number;
}

interface StepView {
  id: string;
  hostId: string;
  hostname: string;
  state: string;
  action: string;
  operations: Array<{ kind: string; unit?: string }>;
  groups: string[];
  dispatchedAt: string | null;
  finishedAt: string | null;
  agentState: string | null;
  agentMessage: string | null;
  failureReason: string | null;
  evidence: {
    verdict?: string;
    agent?: {
      bootIdBefore?: string;
      bootIdAfter?: string;
      reportSeq?: string | number;
      operations?: Array<{ what: string; ok: boolean }>;
      healthChecks?: Array<{ what: string; ok: boolean; output?: string }>;
    };
  };
  hold: { kind: string; detail: string } | null;
}

interface RolloutView {
  id: string;
  state: string;
  haltReason: string | null;
  counts: Record<string, number>;
  steps: StepView[];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      // An assertion in the probe is a verdict (e.g. the rollout halted), not "not yet".
      if (err instanceof assert.AssertionError) throw err;
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

function describeRollout(r: RolloutView | undefined): string {
  if (!r) return 'rollout: (not read)';
  const lines = r.steps.map(
    (s) =>
      `  ${s.hostname} ${s.action} ${s.state} dispatched=${s.dispatchedAt ?? '-'} finished=${s.finishedAt ?? '-'} agent=${s.agentState ?? '-'}${s.agentMessage ? ` (${s.agentMessage})` : ''} hold=${s.hold ? `${s.hold.kind}: ${s.hold.detail}` : '-'}${s.failureReason ? ` failure=${s.failureReason}` : ''}\n    evidence=${JSON.stringify(s.evidence)}`,
  );
  return `rollout ${r.id} ${r.state}${r.haltReason ? ` (${r.haltReason})` : ''}\n${lines.join('\n')}`;
}

describe('rollouts end to end: real server process, real agents on simulated hosts', {
  skip: needsRoot,
}, () => {
  // Created here (not in before) so that the suite's after hook removes everything, hosts,
  // cgroups, the server, even when a case or the setup fails.
  const scratch: Scratch = needsRoot
    ? { dir: '', defer: () => {} }
    : createScratch({ after: (fn: () => Promise<void>) => after(fn) } as unknown as TestContext);
  let build: NativeBuild;
  let lib: string;
  let dataDir: string;
  let port: number;
  let server: ServerProcess;
  let admin: RestClient;
  let operator: RestClient;
  const hosts: Host[] = [];
  let groups: GroupLimitSpec[] = [];
  let libVersion = 1;
  const serverConfig = {
    rolloutTickMs: 200,
    heartbeatIntervalSeconds: 5,
    loginRateLimitMax: 1000,
  };

  const startServer = async () => {
    server = await startServerProcess({ dataDir, port, config: serverConfig, adminPassword: ADMIN_PASSWORD });
    admin = await RestClient.login(server.baseUrl, 'admin', ADMIN_PASSWORD);
    if (operator) operator = await RestClient.login(server.baseUrl, 'e2e-operator', OPERATOR_PASSWORD);
  };

  const diagnostics = async (): Promise<string> => {
    // Without the request lines (the test polls): the executor's, the gateway's, errors.
    const serverLog = (server?.log() ?? '')
      .split('\n')
      .filter((l) => !/"msg":"(incoming request|request completed)"/.test(l))
      .join('\n');
    const parts = [`server log (tail):\n${serverLog.slice(-8000)}`];
    for (const h of hosts) {
      parts.push(
        `--- ${h.hostname}\nsupervisor (tail):\n${h.sim.supervisorLog().slice(-1500)}\nagent (tail):\n${h.sim.logs(AGENT_UNIT).slice(-3000)}`,
      );
    }
    return parts.join('\n');
  };

  /** The case's error with where it was: the rollout as the server has it now, and every log. */
  const failure = async (err: unknown, rolloutId: string | undefined, last: RolloutView | undefined) => {
    let current = last;
    if (rolloutId) current = await rollout(rolloutId).catch(() => last);
    return new Error(`${(err as Error).message}\n${describeRollout(current)}\n${await diagnostics()}`, {
      cause: err,
    });
  };

  const rollout = (id: string) => operator.call<RolloutView>('GET', `/api/v1/rollouts/${id}`);

  const auditTrail = async (): Promise<AuditRecord[]> => {
    const events: AuditRecord[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: AuditRecord[]; nextCursor: string | null } = await admin.call(
        'GET',
        `/api/v1/audit?action=rollout.&limit=200${cursor ? `&before=${cursor}` : ''}`,
      );
      events.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return events.reverse();
  };

  const fleet = async () =>
    (
      await operator.call<{ items: Array<{ id: string; hostname: string; status: string }> }>(
        'GET',
        '/api/v1/hosts?pageSize=200',
      )
    ).items.filter((i) => hosts.some((h) => h.id === i.id));

  /** Replaces the library every holder maps, raises reboot flags, rescans; waits for the fleet to see it. */
  const makeStale = async (rebootHosts: number[]) => {
    libVersion = libVersion === 1 ? 2 : 1;
    replaceByRename(lib, libVersion === 2 ? build.libStaleV2 : build.libStaleV1);
    for (const i of rebootHosts) hosts[i]!.sim.requireReboot(['linux-image-sim']);
    for (const h of hosts) await operator.call('POST', `/api/v1/hosts/${h.id}/scan`);
    let items: Array<{ id: string; hostname: string; status: string }> = [];
    const expected = (h: Host) => (rebootHosts.includes(h.index) ? 'reboot' : 'restart');
    await until(
      'every host to report what it needs',
      async () => {
        items = await fleet();
        return hosts.every((h) => items.find((i) => i.id === h.id)?.status === expected(h))
          ? true
          : undefined;
      },
      90_000,
    ).catch((err: Error) => {
      const seen = hosts.map(
        (h) => `${h.hostname}: ${items.find((i) => i.id === h.id)?.status} (want ${expected(h)})`,
      );
      throw new Error(`${err.message}: ${seen.join(', ')}`);
    });
  };

  const supervisorStatuses = async () => {
    const map = new Map<string, SimStatus>();
    for (const h of hosts) map.set(h.id, await h.sim.status());
    return map;
  };

  /** Each step ran exactly once on its host: one restart per unit, or one reboot (and one boot). */
  const assertOneExecutionPerStep = (
    steps: StepView[],
    beforeRun: Map<string, SimStatus>,
    afterRun: Map<string, SimStatus>,
  ) => {
    for (const step of steps) {
      const was = beforeRun.get(step.hostId)!;
      const now = afterRun.get(step.hostId)!;
      const commands = now.commands.slice(was.commands.length);
      if (step.action === 'reboot') {
        assert.deepEqual(commands, ['reboot'], `${step.hostname}: commands during the rollout`);
        assert.equal(now.boots - was.boots, 1, `${step.hostname}: exactly one boot`);
      } else {
        const units = step.operations.map((o) => `restart ${o.unit}`).sort();
        assert.deepEqual([...commands].sort(), units, `${step.hostname}: commands during the rollout`);
        assert.equal(now.boots, was.boots, `${step.hostname}: no reboot`);
      }
    }
  };

  const assertInvariants = async () => {
    const violations = checkRolloutInvariants(await auditTrail(), groups);
    assert.deepEqual(violations, [], `invariant violations:\n${violations.join('\n')}`);
  };

  /** Every rollout this file created (a clean start ends those an earlier case left open). */
  const rolloutIds: string[] = [];
  const createRollout = async (body: Record<string, unknown>) => {
    const created = await operator.call<RolloutView>('POST', '/api/v1/rollouts', body);
    rolloutIds.push(created.id);
    return created;
  };

  /**
   * Each case starts from the same fleet, whatever an earlier case left behind (a failed case
   * must not fail the next one): no rollout of an earlier case open (a halted one keeps its failed
   * host counted out of its groups) or with a step in flight, and every host clean (services on
   * the current library, no reboot flag, a healthy web service) as the server sees it.
   */
  const cleanStart = async () => {
    for (const id of rolloutIds) {
      const { state } = await rollout(id);
      if (!['completed', 'cancelled'].includes(state))
        await operator.call('POST', `/api/v1/rollouts/${id}/cancel`, { reason: 'e2e: clean start' });
    }
    await until('no step of an earlier case in flight', async () => {
      for (const id of rolloutIds)
        if ((await rollout(id)).steps.some((s) => s.state === 'dispatched')) return undefined;
      return true;
    });
    const statuses = new Map((await fleet()).map((i) => [i.id, i.status]));
    for (const h of hosts) {
      writeFileSync(join(h.sim.dir, 'health-mode'), 'ok\n');
      if (statuses.get(h.id) === 'ok') continue;
      for (const flag of ['reboot-required', 'reboot-required.pkgs'])
        rmSync(join(h.sim.runDir, flag), { force: true });
      for (const unit of h.units) await h.sim.restart(unit);
      await operator.call('POST', `/api/v1/hosts/${h.id}/scan`);
    }
    let items: Array<{ hostname: string; status: string }> = [];
    await until('every host clean', async () => {
      items = await fleet();
      return items.length === HOST_COUNT && items.every((i) => i.status === 'ok') ? true : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}: ${items.map((i) => `${i.hostname}: ${i.status}`).join(', ')}`);
    });
  };

  before(async () => {
    build = await buildNative();
    ({ lib } = installLibDir(scratch, build));
    dataDir = join(scratch.dir, 'server-data');
    mkdirSync(dataDir);
    port = await freePort();
    await startServer();
    scratch.defer(() => server.stop());
    await admin.call('POST', '/api/v1/users', {
      username: 'e2e-operator',
      password: OPERATOR_PASSWORD,
      role: 'operator',
    });
    operator = await RestClient.login(server.baseUrl, 'e2e-operator', OPERATOR_PASSWORD);
    const tag = `e2e-${randomBytes(3).toString('hex')}`;
    const { token } = await admin.call<{ token: string }>('POST', '/api/v1/enrollment-tokens', {
      name: tag,
      expiresInSeconds: 3600,
      maxUses: HOST_COUNT,
      labels: { fleet: tag },
    });
    const sims = await Promise.all(
      Array.from({ length: HOST_COUNT }, async (_, index) => {
        const name = `${tag}-h${index}`;
        const dir = join(scratch.dir, name);
        const webPort = await freePort();
        const units = index % 2 === 0 ? [APP, WORKER] : [APP];
        const holder = {
          argv: [build.holder] as [string],
          env: { PATH: '/usr/bin:/bin', LD_LIBRARY_PATH: dirname(lib) },
        };
        const services: Record<string, { argv: [string, ...string[]]; env?: Record<string, string> }> = {};
        for (const unit of units) services[unit] = holder;
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'health-mode'), 'ok\n');
        services[WEB] = {
          argv: [
            process.execPath,
            HEALTH_WEB,
            String(webPort),
            join(SIM_CGROUP_BASE, name, 'system.slice', APP, 'cgroup.procs'),
            join(dir, 'health-mode'),
          ],
        };
        const sim = await startSimHost({
          name,
          dir,
          serverUrl: server.baseUrl,
          enrollToken: token,
          services,
          rebootDelayMs: 1000,
          executor: {
            healthCommands: { 'app-active': { argv: [SIM_SYSTEMCTL, 'is-active', '--', APP] } },
          },
        });
        scratch.defer(() => sim.stop());
        return { index, sim, name, units, webPort };
      }),
    );
    const items = await until('every simulated host to enrol and report', async () => {
      const list = await operator.call<{ items: Array<{ id: string; hostname: string; status: string }> }>(
        'GET',
        `/api/v1/hosts?label=fleet:${tag}&pageSize=200`,
      );
      return list.items.length === HOST_COUNT && list.items.every((i) => i.status === 'ok')
        ? list.items
        : undefined;
    });
    for (const s of sims) {
      const item = items.find((i) => i.hostname === s.name);
      assert.ok(item, `host ${s.name} enrolled`);
      hosts.push({
        index: s.index,
        sim: s.sim,
        id: item.id,
        hostname: s.name,
        units: s.units,
        webPort: s.webPort,
      });
    }
    const ids = hosts.map((h) => h.id);
    const groupBodies = [
      {
        name: `${tag}-pool`,
        hostIds: ids,
        limit: { maxOut: 2 },
        healthChecks: [{ kind: 'command', name: 'app-active' }],
        holdSec: 1,
        hooks: false,
      },
      { name: `${tag}-rack-a`, hostIds: ids.slice(0, 3), limit: { minUp: 2 }, hooks: false },
      { name: `${tag}-rack-b`, hostIds: ids.slice(3), limit: { minUp: 1 }, hooks: false },
    ];
    for (const body of groupBodies) await operator.call('POST', '/api/v1/groups', body);
    groups = [
      { name: `${tag}-pool`, members: ids, maxOut: 2 },
      { name: `${tag}-rack-a`, members: ids.slice(0, 3), minUp: 2 },
      { name: `${tag}-rack-b`, members: ids.slice(3), minUp: 1 },
    ];
  });

  it('case 1: preview, create, approve, watch to completion; limits held, one execution per step, evidence', {
    timeout: CASE_TIMEOUT,
  }, async () => {
    const pool = groups[0]!.name;
    let last: RolloutView | undefined;
    let rolloutId: string | undefined;
    const abort = new AbortController();
    try {
      await cleanStart();
      await makeStale([1, 3]);
      // maxParallel (default 1) raised to the fleet: the groups' own limits are what binds.
      const body = {
        name: 'e2e patch',
        groups: [pool],
        stepTimeoutSec: 60,
        failureBudget: 0,
        maxParallel: HOST_COUNT,
      };
      const { plan } = await operator.call<{ plan: { steps: Array<{ hostId: string; action: string }> } }>(
        'POST',
        '/api/v1/rollouts/preview',
        body,
      );
      assert.equal(plan.steps.length, HOST_COUNT);
      for (const h of hosts) {
        const planned = plan.steps.find((s) => s.hostId === h.id);
        assert.equal(planned?.action, [1, 3].includes(h.index) ? 'reboot' : 'restart', h.hostname);
      }
      const created = await createRollout(body);
      rolloutId = created.id;
      assert.equal(created.state, 'awaiting_approval');
      const beforeRun = await supervisorStatuses();

      // Watch it live: the SSE stream (token in the query, as EventSource must) and REST.
      const seen: string[] = [];
      const sse = fetch(`${server.baseUrl}/api/v1/events?access_token=${operator.bearer}`, {
        signal: abort.signal,
      }).then(async (response) => {
        const decoder = new TextDecoder();
        for await (const chunk of response.body!) seen.push(decoder.decode(chunk as Uint8Array));
      });
      sse.catch(() => {});
      await operator.call('POST', `/api/v1/rollouts/${created.id}/approve`);
      last = await until('the rollout to complete', async () => {
        last = await rollout(created.id);
        assert.ok(!['halted', 'cancelled'].includes(last.state), describeRollout(last));
        return last.state === 'completed' ? last : undefined;
      });
      abort.abort();
      const stream = seen.join('');
      assert.match(stream, /event: step\.changed/);
      assert.match(stream, /event: rollout\.changed[^\n]*\ndata: [^\n]*"completed"/);

      assert.equal(last.steps.length, HOST_COUNT);
      for (const step of last.steps) {
        assert.equal(step.state, 'succeeded', describeRollout(last));
        const host = hosts.find((h) => h.id === step.hostId)!;
        const agent = step.evidence.agent ?? {};
        if (step.action === 'reboot') {
          assert.ok(agent.bootIdBefore && agent.bootIdAfter, `${step.hostname}: boot ids in the evidence`);
          assert.notEqual(agent.bootIdAfter, agent.bootIdBefore, `${step.hostname}: a new boot id`);
          assert.equal(agent.bootIdAfter, host.sim.bootId());
        } else {
          assert.deepEqual(
            step.operations.map((o) => o.unit).sort(),
            [...host.units].sort(),
            `${step.hostname}: the stale units are restarted`,
          );
          assert.ok(
            agent.operations?.every((o) => o.ok),
            `${step.hostname}: operations ok`,
          );
        }
        assert.ok(agent.reportSeq, `${step.hostname}: the post-step report is named`);
        assert.ok(
          agent.healthChecks?.length && agent.healthChecks.every((c) => c.ok),
          `${step.hostname}: checks`,
        );
      }
      assertOneExecutionPerStep(last.steps, beforeRun, await supervisorStatuses());
      const trail = await auditTrail();
      for (const step of last.steps) {
        assert.equal(
          trail.filter((e) => e.action === 'rollout.step.dispatch' && e.targetId === step.id).length,
          1,
          `${step.hostname}: dispatched once`,
        );
        const settled = trail.filter((e) => e.action === 'rollout.step.succeed' && e.targetId === step.id);
        assert.equal(settled.length, 1, `${step.hostname}: succeeded once`);
        const evidence = settled[0]!.details.evidence as StepView['evidence'];
        assert.ok(evidence.verdict, `${step.hostname}: the audit event holds the verdict`);
      }
      await assertInvariants();
      // maxParallel was raised: the groups' limits bound the rollout, so some hosts were out at
      // once (the first decision alone dispatches one host per rack: pool maxOut 2).
      const mine = outIntervals(trail).intervals.filter((i) => i.rolloutId === created.id);
      const mostAtOnce = Math.max(
        ...mine.map((i) => mine.filter((o) => o.from <= i.from && i.from < o.to).length),
      );
      assert.equal(mostAtOnce, 2, 'two hosts out at once (pool maxOut 2), never more');
      const items = await until('the fleet to show every host clean', async () => {
        const list = await fleet();
        return list.every((i) => i.status === 'ok') ? list : undefined;
      });
      assert.equal(items.length, HOST_COUNT);
    } catch (err) {
      throw await failure(err, rolloutId, last);
    } finally {
      abort.abort();
    }
  });

  it('case 3: the server is SIGKILLed while a host reboots, restarted on the same data, and the rollout resumes', {
    timeout: CASE_TIMEOUT,
  }, async () => {
    const pool = groups[0]!.name;
    let last: RolloutView | undefined;
    let rolloutId: string | undefined;
    try {
      await cleanStart();
      await makeStale([0, 4]);
      const beforeRun = await supervisorStatuses();
      const created = await createRollout({
        name: 'e2e crash',
        groups: [pool],
        stepTimeoutSec: 60,
        maxParallel: HOST_COUNT,
      });
      rolloutId = created.id;
      await operator.call('POST', `/api/v1/rollouts/${created.id}/approve`);
      // SIGKILL mid-reboot-step: as soon as a host's supervisor got the agent's `reboot` (so the
      // step was dispatched, sent and run), before that host can be back to report on it.
      const rebooting = hosts.filter((h) => [0, 4].includes(h.index));
      const host = await until('a host to be told to reboot', async () => {
        for (const h of rebooting) {
          const commands = (await h.sim.status()).commands.slice(beforeRun.get(h.id)!.commands.length);
          if (commands.includes('reboot')) return h;
        }
        return undefined;
      });
      await server.kill9();
      // The host reboots while nobody listens; its agent comes back to a dead server and retries.
      await until(`${host.hostname} to reboot while the server is down`, async () =>
        (await host.sim.status()).boots > beforeRun.get(host.id)!.boots ? true : undefined,
      );
      const restartedAt = Date.now();
      await startServer();
      last = await until('the rollout to complete after the restart', async () => {
        last = await rollout(created.id);
        assert.ok(!['halted', 'cancelled'].includes(last.state), describeRollout(last));
        return last.state === 'completed' ? last : undefined;
      });
      for (const step of last.steps) assert.equal(step.state, 'succeeded', describeRollout(last));
      const rebooted = last.steps.find((s) => s.hostId === host.id)!;
      assert.equal(rebooted.action, 'reboot');
      assert.notEqual(rebooted.evidence.agent?.bootIdAfter, rebooted.evidence.agent?.bootIdBefore);
      assert.equal(rebooted.evidence.agent?.bootIdAfter, host.sim.bootId());
      // The scenario really happened: the step the dead server dispatched was settled by the new one.
      const trail = await auditTrail();
      const settled = trail.filter((e) => e.action === 'rollout.step.succeed' && e.targetId === rebooted.id);
      assert.equal(settled.length, 1, 'the reboot step succeeded once');
      assert.ok(
        Date.parse(settled[0]!.at ?? '') >= restartedAt,
        `settled by the restarted server (${settled[0]!.at})`,
      );
      assertOneExecutionPerStep(last.steps, beforeRun, await supervisorStatuses());
      await assertInvariants();
    } catch (err) {
      throw await failure(err, rolloutId, last);
    }
  });

  it('case 2: a health check that fails on one host halts the rollout; nothing else is dispatched', {
    timeout: CASE_TIMEOUT,
  }, async () => {
    const [pool, ,] = groups.map((g) => g.name);
    const tag = pool!.replace(/-pool$/, '');
    const broken = hosts[2]!;
    let last: RolloutView | undefined;
    let rolloutId: string | undefined;
    const groupIds: string[] = [];
    try {
      await cleanStart();
      // The canary: its app comes back broken after a restart (its HTTP service answers 500).
      writeFileSync(join(broken.sim.dir, 'health-mode'), 'break-after-restart\n');
      const armed = await fetch(`http://127.0.0.1:${broken.webPort}/health`);
      assert.equal(armed.status, 200, 'the canary is healthy before the rollout');
      const others = hosts.filter((h) => h !== broken).map((h) => h.id);
      const healthUrl = `http://127.0.0.1:${broken.webPort}/health`;
      const canary = await operator.call<{ id: string }>('POST', '/api/v1/groups', {
        name: `${tag}-canary`,
        hostIds: [broken.id],
        limit: { maxOut: 1 },
        healthChecks: [{ kind: 'http', url: healthUrl }],
        hooks: false,
      });
      groupIds.unshift(canary.id);
      const afterCanary = await operator.call<{ id: string }>('POST', '/api/v1/groups', {
        name: `${tag}-after-canary`,
        hostIds: others,
        limit: { maxOut: 2 },
        dependsOn: [`${tag}-canary`],
        hooks: false,
      });
      groupIds.unshift(afterCanary.id);
      groups.push({ name: `${tag}-canary`, members: [broken.id], maxOut: 1 });
      groups.push({ name: `${tag}-after-canary`, members: others, maxOut: 2 });
      await makeStale([]);
      const created = await createRollout({
        name: 'e2e canary',
        groups: [pool],
        stepTimeoutSec: 15,
        failureBudget: 0,
        maxParallel: HOST_COUNT,
      });
      rolloutId = created.id;
      await operator.call('POST', `/api/v1/rollouts/${created.id}/approve`);
      last = await until('the rollout to halt', async () => {
        last = await rollout(created.id);
        assert.notEqual(last.state, 'completed', describeRollout(last));
        return last.state === 'halted' ? last : undefined;
      });
      const failed = last.steps.filter((s) => s.state === 'failed');
      assert.deepEqual(
        failed.map((s) => s.hostname),
        [broken.hostname],
        describeRollout(last),
      );
      const checks = failed[0]!.evidence.agent?.healthChecks ?? [];
      assert.ok(
        checks.some((c) => !c.ok && c.what.includes(healthUrl)),
        `the failed http check in the evidence: ${JSON.stringify(checks)}`,
      );
      assert.match(last.haltReason ?? '', /failure budget 0 exceeded/);

      // Halted: the others stay pending (they wait for the canary), nothing else is dispatched,
      // however many executor ticks pass (200 ms each) until it is cancelled.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      last = await rollout(created.id);
      assert.equal(last.state, 'halted');
      for (const step of last.steps.filter((s) => s.hostId !== broken.id))
        assert.equal(step.state, 'pending', describeRollout(last));
      await operator.call('POST', `/api/v1/rollouts/${created.id}/cancel`, { reason: 'e2e: canary broken' });
      last = await rollout(created.id);
      assert.equal(last.state, 'cancelled');
      for (const step of last.steps.filter((s) => s.hostId !== broken.id))
        assert.equal(step.state, 'skipped', describeRollout(last));

      const trail = await auditTrail();
      const mine = (action: string) =>
        trail.filter((e) => e.action === action && e.details.rolloutId === created.id);
      assert.deepEqual(
        mine('rollout.step.dispatch').map((e) => e.details.hostname),
        [broken.hostname],
        'only the canary was ever dispatched',
      );
      const fail = mine('rollout.step.fail');
      assert.equal(fail.length, 1);
      const halt = trail.filter((e) => e.action === 'rollout.halt' && e.targetId === created.id);
      assert.equal(halt.length, 1, 'the halt is in the audit trail');
      assert.ok(
        JSON.stringify(fail[0]!.details.evidence).includes(healthUrl),
        'the failing check is in the audit event',
      );
      await assertInvariants();
    } catch (err) {
      throw await failure(err, rolloutId, last);
    } finally {
      // The canary groups go with the case (dependent first): later rollouts see the plain fleet.
      for (const id of groupIds) await operator.call('DELETE', `/api/v1/groups/${id}`).catch(() => {});
    }
  });
});
