import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../../server/db/open-database.js';
import { latestHostHistory, MAX_HOST_IDS } from '../../../../server/db/queries/latest-host-history.js';
import { forEachDatabase } from '../../../helpers/databases.js';

async function hostWithHistory(
  db: Database,
  rows: Array<{ at: string; status: 'ok' | 'restart' | 'reboot'; hash: string }>,
) {
  const host = await db.prisma.host.create({ data: { hostname: 'h', credentialHash: 'x' } });
  // Inserted out of time order on purpose: the newest row is the latest `at`, not the last insert.
  for (const row of rows) {
    await db.prisma.hostHistory.create({
      data: {
        hostId: host.id,
        at: new Date(row.at),
        status: row.status,
        reportHash: row.hash,
        report: {},
        summary: { hash: row.hash },
      },
    });
  }
  return host.id;
}

forEachDatabase((backend) => {
  test('the newest history row of each host, by DISTINCT ON', async () => {
    const db = await backend.shared();
    const a = await hostWithHistory(db, [
      { at: '2026-01-02T00:00:00.000Z', status: 'reboot', hash: 'a-newest' },
      { at: '2026-01-01T00:00:00.000Z', status: 'ok', hash: 'a-old' },
    ]);
    const b = await hostWithHistory(db, [
      { at: '2026-01-01T00:00:00.000Z', status: 'ok', hash: 'b-old' },
      { at: '2026-01-03T00:00:00.000Z', status: 'restart', hash: 'b-newest' },
    ]);
    // Two rows at the same instant: the one inserted later (higher id) wins.
    const c = await hostWithHistory(db, [
      { at: '2026-01-05T00:00:00.000Z', status: 'ok', hash: 'c-first' },
      { at: '2026-01-05T00:00:00.000Z', status: 'restart', hash: 'c-second' },
    ]);
    const withoutHistory = (await db.prisma.host.create({ data: { hostname: 'quiet', credentialHash: 'x' } }))
      .id;

    const rows = await latestHostHistory(db.prisma, [a, b, c, withoutHistory]);
    const byHost = new Map(rows.map((row) => [row.hostId, row]));
    assert.equal(rows.length, 3);
    assert.deepEqual(
      [a, b, c].map((id) => {
        const row = byHost.get(id);
        return [row?.reportHash, row?.status, row?.at.toISOString(), row?.summary];
      }),
      [
        ['a-newest', 'reboot', '2026-01-02T00:00:00.000Z', { hash: 'a-newest' }],
        ['b-newest', 'restart', '2026-01-03T00:00:00.000Z', { hash: 'b-newest' }],
        ['c-second', 'restart', '2026-01-05T00:00:00.000Z', { hash: 'c-second' }],
      ],
    );
    assert.equal(typeof rows[0]?.id, 'bigint');

    const all = await latestHostHistory(db.prisma);
    assert.ok([a, b, c].every((id) => all.some((row) => row.hostId === id)));
    assert.equal(new Set(all.map((row) => row.hostId)).size, all.length, 'one row per host');
  });

  test('an empty id list asks nothing; a list past the bound is refused', async () => {
    const db = await backend.shared();
    assert.deepEqual(await latestHostHistory(db.prisma, []), []);
    const tooMany = Array.from({ length: MAX_HOST_IDS + 1 }, () => '00000000-0000-0000-0000-000000000000');
    await assert.rejects(latestHostHistory(db.prisma, tooMany), RangeError);
  });
});
