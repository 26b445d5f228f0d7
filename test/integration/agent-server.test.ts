// The real agent (bin script and bundle, a real scan of this host) against the real server (the
// app on port 0, on both databases): enrolment, delivery, acknowledgement, idempotent storage.
// The assertions are about the link, not about what this machine's scan finds.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { forEachDatabase } from '../helpers/databases.js';
import { fixturePath, repoRoot } from '../helpers/paths.js';
import { createScratch } from '../helpers/scratch.js';
import { buildApp, createUser, uniqueName } from '../helpers/server-app.js';

const execFileAsync = promisify(execFile);
const bin = join(repoRoot, 'bin', 'afterpatch.js');

forEachDatabase((backend) => {
  test('an agent enrolls, delivers its report, and a second run is stored under the next seq', {
    timeout: 120_000,
  }, async (t) => {
    const { app, db } = await buildApp(t, backend);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const admin = await createUser(db, 'admin');
    const group = uniqueName('e2e');
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: admin.auth },
      payload: { name: group, expiresInSeconds: 600, maxUses: 1, labels: { group } },
    });
    const enrollmentToken = created.json().token as string;
    const stateDir = join(createScratch(t).dir, 'state');
    const agent = (extra: string[]) =>
      execFileAsync(
        process.execPath,
        [bin, 'agent', '--server', url, '--state-dir', stateDir, '--once', ...extra],
        {
          env: { PATH: process.env.PATH, AFTERPATCH_CONFIG: fixturePath('integration', 'empty-config.json') },
          timeout: 90_000,
        },
      );
    await agent(['--enroll-token', enrollmentToken]);
    const hosts = await db.prisma.host.findMany({
      where: { labels: { path: ['group'], equals: group } },
      include: { currentReport: true },
    });
    assert.equal(hosts.length, 1);
    const host = hosts[0]!;
    assert.equal(host.reportSeq, 1n);
    assert.notEqual(host.status, 'unknown');
    assert.ok(host.currentReport?.report);
    assert.equal(host.online, false, 'the agent exited: offline');
    // The second run reuses the stored credential (the token allowed one use only).
    await agent([]);
    const again = await db.prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.equal(again.reportSeq, 2n);
    const history = await db.prisma.hostHistory.count({ where: { hostId: host.id } });
    // The same machine twice within seconds: the same findings, unless a process came or went.
    assert.ok(history === 1 || history === 2, String(history));
    const audit = await db.prisma.auditEvent.findMany({ where: { targetId: host.id } });
    assert.deepEqual(
      audit.map((e) => e.action),
      ['agent.enroll'],
    );
  });
});
