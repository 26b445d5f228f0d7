// An agent token that expires while its connection is open: the server closes with 4001 after an
// `error` frame, and the real agent daemon comes back at once with a fresh token, losing nothing.
// Real server app (port 0) and real daemon; only the scanner is replaced by canned reports.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { type AgentDaemon, startAgentDaemon } from '../../../agent/daemon/agent-daemon.js';
import { createAgentLogger } from '../../../agent/daemon/agent-logger.js';
import { resolveAgentOptions } from '../../../agent/daemon/agent-options.js';
import { CLOSE_CODES } from '../../../shared/agent-protocol.js';
import { encodeMessage } from '../../../shared/protocol-codec.js';
import { cleanHostReport, servicesReport } from '../../agent/output/sample-reports.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { createScratch } from '../../helpers/scratch.js';
import {
  agentAuth,
  buildApp,
  createEnrollmentToken,
  createHost,
  createUser,
  uniqueName,
} from '../../helpers/server-app.js';

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

forEachDatabase((backend) => {
  test('a token expiring mid-connection closes it with an error frame and 4001', async (t) => {
    const ctx = await buildApp(t, backend);
    const host = await createHost(ctx.db);
    const base = (await ctx.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
    const ws = new WebSocket(`${base}/api/v1/agent/ws`, {
      // 3 s: exp has a resolution of one second, so a 1 s token could expire before the upgrade.
      headers: { authorization: agentAuth(host.id, 3) },
    });
    const frames: Array<{ type: string; payload: { code?: number } }> = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(
      encodeMessage('hello', {
        hostId: host.id,
        agentVersion: '0.1.0',
        bootId: 'b',
        kernelRelease: 'k',
        hostname: host.hostname,
        lastAckedSeq: 0,
      }),
    );
    assert.equal(await closed, CLOSE_CODES.unauthorized);
    assert.deepEqual(frames.at(-1), {
      v: 1,
      type: 'error',
      payload: { code: CLOSE_CODES.unauthorized, message: 'the agent token expired' },
    });
    await until(
      async () => !(await ctx.db.prisma.host.findUniqueOrThrow({ where: { id: host.id } })).online,
      'offline',
    );
  });

  test('the real agent reconnects at once with a fresh token when its token expires', {
    timeout: 60_000,
  }, async (t) => {
    // Agent tokens of 2 s (below the configurable minimum, on purpose) so that one expires soon.
    const ctx = await buildApp(t, backend, { config: { agentTokenTtlSeconds: 2 } });
    const url = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const admin = await createUser(ctx.db, 'admin');
    const enrollToken = await createEnrollmentToken(ctx.db, admin.id);
    const logs: Array<Record<string, unknown>> = [];
    let next = servicesReport();
    const machineId = uniqueName('machine');
    const daemon: AgentDaemon = await startAgentDaemon(
      {
        ...resolveAgentOptions({
          flags: { server: url, stateDir: join(createScratch(t).dir, 'state'), enrollToken },
        }),
        // A long backoff: an immediate reconnect is the only way back within the test.
        reconnectBaseSeconds: 120,
        reconnectCapSeconds: 600,
      },
      {
        scan: async () => {
          const report = structuredClone(next);
          report.scan.startedAt = new Date().toISOString();
          return report;
        },
        logger: createAgentLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) }),
        identity: { hostname: 'expiry-host', machineId, bootId: 'b', kernelRelease: '6.1.0' },
        packageWatchTargets: [],
      },
    );
    t.after(() => daemon.stop());
    const hostOf = () => ctx.db.prisma.host.findUnique({ where: { machineId } });
    await until(async () => ((await hostOf())?.reportSeq === 1n ? true : undefined), 'first report');
    const closedForToken = () =>
      logs.filter((l) => l.code === CLOSE_CODES.unauthorized && l.retryInMs === 0).length;
    await until(() => closedForToken() >= 1, 'the server closing for the expired token');
    await until(
      () => daemon.outbox.size === 0 && logs.filter((l) => l.msg === 'connected').length >= 2,
      'reconnected',
    );
    // A report made after the reconnect is delivered on the new connection.
    next = cleanHostReport();
    await daemon.scanNow('interval');
    await until(async () => ((await hostOf())?.reportSeq === 2n ? true : undefined), 'second report');
    const host = await hostOf();
    assert.equal(host?.status, 'ok');
    // Acknowledged too (the ack may trail the commit a little).
    await until(() => daemon.outbox.size === 0, 'the second ack');
  });
});
