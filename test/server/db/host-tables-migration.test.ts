// Upgrading a database that holds hosts across the migrations that moved each host's report into
// host_reports and its labels into host_labels: nothing is lost, and the old column is gone.
import assert from 'node:assert/strict';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../../server/db/open-database.js';
import { defaultMigrationsDir } from '../../../server/db/read-migrations.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { createScratch } from '../../helpers/scratch.js';

const LAST_BEFORE = '20261201000000_rollouts';

forEachDatabase((backend) => {
  test('hosts enrolled before the upgrade keep their report and labels', async (t) => {
    // The migration set as released before host_labels and host_reports.
    const before = join(createScratch(t).dir, 'migrations');
    for (const name of readdirSync(defaultMigrationsDir())) {
      if (name <= LAST_BEFORE || !/^\d/.test(name))
        cpSync(join(defaultMigrationsDir(), name), join(before, name), { recursive: true });
    }
    const target = await backend.createTarget(t);
    const old = await openDatabase({ ...target, migrationsDir: before });
    await old.prisma.$executeRawUnsafe(`
      INSERT INTO hosts (id, hostname, credential_hash, labels, report) VALUES
        ('00000000-0000-4000-8000-000000000001', 'web-1', 'x', '{"env": "prod", "rack": "r1"}', '{"schemaVersion": 1, "status": "restart"}'),
        ('00000000-0000-4000-8000-000000000002', 'new-1', 'x', '{}', NULL)`);
    await old.close();

    const db = await openDatabase(target);
    t.after(() => db.close());
    const reports = await db.prisma.hostReport.findMany({ orderBy: { hostId: 'asc' } });
    assert.deepEqual(reports, [
      { hostId: '00000000-0000-4000-8000-000000000001', report: { schemaVersion: 1, status: 'restart' } },
    ]);
    const labels = await db.prisma.hostLabel.findMany({ orderBy: { key: 'asc' } });
    assert.deepEqual(
      labels.map((l) => [l.hostId.slice(-1), l.key, l.value]),
      [
        ['1', 'env', 'prod'],
        ['1', 'rack', 'r1'],
      ],
    );
    const columns = await db.prisma.$queryRaw<Array<{ name: string }>>`
      SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'hosts' AND column_name = 'report'`;
    assert.deepEqual(columns, []);
  });
});
