// The agent daemon end to end, in process, against FakeAgentServer: a TEST DOUBLE of the real
// server (test/helpers/fake-agent-server.ts), implementing the agent contract minimally. The
// scanner is replaced by canned reports (the boundary); everything else is the real daemon:
// state directory, outbox files, HTTP, WebSocket, timers.
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { type AgentDaemon, startAgentDaemon } from '../../../agent/daemon/agent-daemon.js';
import { createAgentLogger } from '../../../agent/daemon/agent-logger.js';
import { type AgentOptions, resolveAgentOptions } from '../../../agent/daemon/agent-options.js';
import { writeRescanRequest } from '../../../agent/daemon/rescan-request.js';
import type { ScanReport } from '../../../shared/scan-report.js';
import { FakeAgentServer, waitFor } from '../../helpers/fake-agent-server.js';
import { createScratch } from '../../helpers/scratch.js';
import { cleanHostReport, servicesReport } from '../output/sample-reports.js';

const IDENTITY = { hostname: 'web-01', machineId: 'm-1', bootId: 'b-1', kernelRelease: '6.1.0-21-amd64' };

interface Harness {
  server: FakeAgentServer;
  stateDir: string;
  logs: Array<Record<string, unknown>>;
  /** What the next scan returns. */
  setReport(report: ScanReport): void;
  start(overrides?: Partial<AgentOptions>, watchDir?: string): Promise<AgentDaemon>;
}

async function harness(t: TestContext, serverOptions: ConstructorParameters<typeof FakeAgentServer>[0] = {}) {
  const server = new FakeAgentServer(serverOptions);
  await server.listen();
  const daemons: AgentDaemon[] = [];
  // Registered before the scratch directory's removal, so it runs first (after hooks run in
  // order): a daemon still running would write into a directory that is gone.
  t.after(async () => {
    for (const daemon of daemons) await daemon.stop();
    await server.close();
  });
  const stateDir = join(createScratch(t).dir, 'state');
  const logs: Array<Record<string, unknown>> = [];
  let next = servicesReport();
  const h: Harness = {
    server,
    stateDir,
    logs,
    setReport: (report) => {
      next = report;
    },
    async start(overrides = {}, watchDir) {
      const options: AgentOptions = {
        ...resolveAgentOptions({ flags: { server: server.url, stateDir, enrollToken: 'enroll-ok' } }),
        reconnectBaseSeconds: 0.02,
        reconnectCapSeconds: 0.2,
        ...overrides,
      };
      const daemon = await startAgentDaemon(options, {
        scan: async () => {
          const report = structuredClone(next);
          report.scan.startedAt = new Date().toISOString();
          return report;
        },
        logger: createAgentLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) }),
        identity: IDENTITY,
        packageWatchTargets: watchDir ? [{ dir: watchDir, names: ['status'] }] : [],
      });
      daemons.push(daemon);
      return daemon;
    },
  };
  return h;
}

function outboxFiles(stateDir: string): string[] {
  return readdirSync(join(stateDir, 'outbox'))
    .filter((n) => /^\d+\.json$/.test(n))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
}

describe('agent daemon end to end (against a fake server)', () => {
  it('enrols, connects, says hello, delivers the report and empties the outbox on ack', async (t) => {
    const h = await harness(t);
    const daemon = await h.start();
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1,
      5000,
      'first report',
    );
    await waitFor(() => daemon.outbox.size === 0, 5000, 'empty outbox');
    const host = h.server.onlyHost();
    assert.equal(host.machineId, 'm-1');
    assert.deepEqual(host.hellos, [{ lastAckedSeq: 0, bootId: 'b-1' }]);
    assert.equal(host.reports[0]?.trigger, 'startup');
    assert.equal(host.reports[0]?.hostId, host.hostId);
    assert.equal(host.reports[0]?.report.status, 'restart');
    assert.deepEqual(outboxFiles(h.stateDir), []);
    assert.equal(statSync(join(h.stateDir, 'credentials.json')).mode & 0o777, 0o600);
    assert.equal(statSync(h.stateDir).mode & 0o777, 0o700);

    // Same content again: `unchanged`, not a new report. Different content: a report.
    await daemon.scanNow('interval');
    await waitFor(() => host.reportSeq === 2, 5000, 'unchanged');
    assert.deepEqual(host.unchanged, [2]);
    assert.equal(host.reports.length, 1);
    h.setReport(cleanHostReport());
    await daemon.scanNow('package-change');
    await waitFor(() => host.reportSeq === 3, 5000, 'changed report');
    assert.equal(host.reports[1]?.report.status, 'ok');
    assert.equal(host.reports[1]?.trigger, 'package-change');

    const text = JSON.stringify(h.logs);
    assert.ok(!text.includes(host.credential), 'the credential never reaches the log');
    assert.ok(!text.includes('enroll-ok'), 'nor does the enrolment token');
    assert.equal(h.server.counts.enroll, 1);
  });

  it('keeps reports on disk while the server is down and delivers them in order when it is back', async (t) => {
    const h = await harness(t);
    const daemon = await h.start();
    // Until the agent has processed the ack, not only until the server stored the report:
    // closing the server in between would leave 1.json in the outbox.
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1 && daemon.outbox.size === 0,
      5000,
      'first report acknowledged',
    );
    const host = h.server.onlyHost();
    await h.server.close();
    for (const report of [cleanHostReport(), servicesReport(), cleanHostReport()]) {
      h.setReport(report);
      await daemon.scanNow('interval');
    }
    assert.deepEqual(outboxFiles(h.stateDir), ['2.json', '3.json', '4.json']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(host.reportSeq, 1, 'nothing delivered while down');
    await h.server.listen();
    await waitFor(() => daemon.outbox.size === 0, 5000, 'outbox delivered');
    assert.deepEqual(
      host.reports.map((r) => r.seq),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      host.reports.map((r) => r.report.status),
      ['restart', 'ok', 'restart', 'ok'],
    );
    assert.equal(host.hellos.at(-1)?.lastAckedSeq, 1);
    assert.ok(h.logs.some((l) => l.msg === 'disconnected'));
  });

  it('handles a revoked credential: says so clearly and backs off instead of spinning', async (t) => {
    const h = await harness(t);
    const daemon = await h.start();
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1,
      5000,
      'first report',
    );
    h.server.revoke(h.server.onlyHost().hostId);
    await waitFor(() => h.server.counts.tokenRefused >= 1, 5000, 'token refused');
    const refusedAt = h.server.counts.tokenRefused;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Cap 0.2 s in this test, delays between half the cap and the cap: at most ~10 per second.
    const perSecond = h.server.counts.tokenRefused - refusedAt;
    assert.ok(perSecond >= 1 && perSecond <= 11, `token requests in one second: ${perSecond}`);
    const error = h.logs.find(
      (l) => typeof l.msg === 'string' && l.msg.includes('refused this host credential'),
    );
    assert.equal(error?.level, 50);
    assert.equal(error?.code, 'AP_AGENT_CREDENTIAL_INVALID');
    assert.equal(daemon.connection()?.connectionState, 'waiting');
    assert.ok(h.server.closeCodes.includes(4001));
  });

  it('runs a scan when the server asks and sends a full report', async (t) => {
    const h = await harness(t);
    await h.start();
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1,
      5000,
      'first report',
    );
    const host = h.server.onlyHost();
    h.server.requestScan(host.hostId);
    await waitFor(() => host.reportSeq === 2, 5000, 'requested report');
    assert.equal(host.reports[1]?.trigger, 'server-request');
    assert.equal(host.reports.length, 2, 'a full report even though nothing changed');
  });

  it('keeps seq and outbox across a restart of the agent', async (t) => {
    const h = await harness(t);
    const first = await h.start();
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1 && first.outbox.size === 0,
      5000,
      'first report acknowledged',
    );
    const host = h.server.onlyHost();
    await h.server.close();
    h.setReport(cleanHostReport());
    await first.scanNow('interval');
    h.setReport(servicesReport());
    await first.scanNow('interval');
    await first.stop();
    assert.equal(await first.done, 0);
    assert.deepEqual(outboxFiles(h.stateDir), ['2.json', '3.json']);

    const second = await h.start();
    await waitFor(() => second.outbox.lastSeq === 4, 5000, 'startup scan of the second run');
    assert.deepEqual(outboxFiles(h.stateDir), ['2.json', '3.json', '4.json']);
    await h.server.listen();
    await waitFor(() => second.outbox.size === 0, 5000, 'delivery after restart');
    assert.deepEqual(
      host.reports.map((r) => r.seq),
      [1, 2, 3, 4],
    );
    assert.equal(host.reports[3]?.trigger, 'startup');
    assert.equal(h.server.counts.enroll, 1, 'enrolled once, not again on restart');
  });

  it('detects a silent server by the missing pings and reconnects; pings keep it connected', async (t) => {
    const silent = await harness(t);
    await silent.start({ heartbeatTimeoutSeconds: 0.2 });
    await waitFor(() => silent.server.counts.upgrades >= 3, 5000, 'reconnects');
    assert.ok(silent.logs.some((l) => l.msg === 'no ping from the server; reconnecting'));

    const pinging = await harness(t, { pingIntervalMs: 50 });
    // Pings every 50 ms against a 1 s timeout: margin for a loaded CI machine's event loop.
    await pinging.start({ heartbeatTimeoutSeconds: 1 });
    await waitFor(() => pinging.server.hosts.size === 1 && pinging.server.onlyHost().reportSeq === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(pinging.server.counts.upgrades, 1);
  });

  it('closes with 1001 on stop', async (t) => {
    const h = await harness(t);
    const daemon = await h.start();
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1,
      5000,
      'first report',
    );
    await daemon.stop();
    await waitFor(() => h.server.closeCodes.length === 1, 2000, 'server saw the close');
    assert.deepEqual(h.server.closeCodes, [1001]);
    assert.equal(await daemon.done, 0);
  });

  it('refuses to start with a group-readable credentials file or without a way to enrol', async (t) => {
    const h = await harness(t);
    await assert.rejects(
      () => h.start({ enrollToken: undefined }),
      (err: Error & { code?: string }) =>
        err.code === 'AP_AGENT_NOT_ENROLLED' && /not enrolled yet/.test(err.message),
    );
    const daemon = await h.start();
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1,
      5000,
      'first report',
    );
    await daemon.stop();
    chmodSync(join(h.stateDir, 'credentials.json'), 0o640);
    await assert.rejects(
      () => h.start(),
      (err: Error & { code?: string }) => err.code === 'AP_AGENT_STATE_INSECURE',
    );
  });

  it('stops with exit code 1 when the server refuses the enrolment token', async (t) => {
    const h = await harness(t);
    const daemon = await h.start({ enrollToken: 'not-a-token' });
    assert.equal(await daemon.done, 1);
    const error = h.logs.find((l) => l.msg === 'cannot enrol; stopping');
    assert.equal(error?.code, 'AP_ENROLLMENT_TOKEN_INVALID');
    assert.ok(!JSON.stringify(h.logs).includes('not-a-token'));
  });

  it('never queues a report the server would refuse', async (t) => {
    const h = await harness(t);
    const broken = servicesReport();
    broken.host.hostname = 'x'.repeat(5000);
    h.setReport(broken);
    const daemon = await h.start();
    await waitFor(
      () => h.logs.some((l) => l.msg === 'scan report fails the protocol; not sent'),
      5000,
      'refusal',
    );
    assert.equal(daemon.outbox.size, 0);
    assert.equal(daemon.outbox.lastSeq, 0);
  });

  it('scans right after the package database changes', async (t) => {
    const h = await harness(t);
    const dpkgDir = createScratch(t).dir;
    writeFileSync(join(dpkgDir, 'status'), '');
    const daemon = await h.start({ packageChangeDebounceSeconds: 0.1 }, dpkgDir);
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1,
      5000,
      'first report',
    );
    h.setReport(cleanHostReport());
    writeFileSync(join(dpkgDir, 'status-new'), 'Package: libssl3\n');
    renameSync(join(dpkgDir, 'status-new'), join(dpkgDir, 'status'));
    await waitFor(() => h.server.onlyHost().reportSeq === 2, 5000, 'post-upgrade report');
    assert.equal(h.server.onlyHost().reports[1]?.trigger, 'package-change');
    // The server stored it before its ack reaches the agent: wait for the ack, not just the report.
    await waitFor(() => daemon.outbox.size === 0, 5000, 'the outbox emptied by the ack');
  });

  it('scans at once when `afterpatch rescan` writes its request file (the package hooks)', async (t) => {
    const h = await harness(t);
    await h.start();
    await waitFor(
      () => h.server.hosts.size === 1 && h.server.onlyHost().reportSeq === 1,
      5000,
      'first report',
    );
    h.setReport(cleanHostReport());
    writeRescanRequest(h.stateDir, 'apt');
    await waitFor(() => h.server.onlyHost().reportSeq === 2, 10_000, 'report after the rescan request');
    assert.equal(h.server.onlyHost().reports[1]?.trigger, 'package-change');
    assert.ok(h.logs.some((l) => String(l.msg).startsWith('rescan requested')));
  });
});
