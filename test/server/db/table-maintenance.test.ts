// The server's own VACUUM/ANALYZE of the host tables: on for PGlite (no autovacuum there), on for
// a PostgreSQL server only when its autovacuum is off, and never when turned off (interval 0).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Database } from '../../../server/db/open-database.js';
import { MAINTAINED_TABLES, startTableMaintenance } from '../../../server/db/table-maintenance.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { createHost } from '../../helpers/server-app.js';

function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields: object }> = [];
  return {
    lines,
    debug: (fields: object, message: string) => lines.push({ level: 'debug', message, fields }),
    info: (fields: object, message: string) => lines.push({ level: 'info', message, fields }),
    warn: (fields: object, message: string) => lines.push({ level: 'warn', message, fields }),
  };
}

forEachDatabase((backend) => {
  test('runs where the database has no autovacuum, and a pass vacuums and analyzes every host table', async (t) => {
    const db = await backend.open(t);
    const host = await createHost(db);
    // Dead row versions for the pass to clear.
    for (let seq = 1; seq <= 20; seq++)
      await db.prisma.host.update({ where: { id: host.id }, data: { reportSeq: seq } });
    const logger = recordingLogger();
    const maintenance = await startTableMaintenance({ db, intervalSeconds: 3600, logger });
    t.after(() => maintenance.stop());

    const [setting] = await db.prisma.$queryRaw<Array<{ autovacuum: string }>>`
      SELECT current_setting('autovacuum') AS autovacuum`;
    const expected = backend.name === 'pglite' || setting?.autovacuum !== 'on';
    assert.equal(maintenance.active, expected);
    if (expected) assert.match(JSON.stringify(logger.lines[0]?.fields), /autovacuum/);

    await maintenance.runOnce();
    const rows = await db.prisma.$queryRaw<Array<{ relname: string; vacuumed: boolean; analyzed: boolean }>>`
      SELECT relname::text, last_vacuum IS NOT NULL AS vacuumed, last_analyze IS NOT NULL AS analyzed
        FROM pg_stat_user_tables WHERE relname = ANY(${[...MAINTAINED_TABLES]})`;
    assert.deepEqual(
      rows.sort((a, b) => a.relname.localeCompare(b.relname)),
      [...MAINTAINED_TABLES].sort().map((relname) => ({ relname, vacuumed: true, analyzed: true })),
    );
    assert.ok(logger.lines.some((l) => l.message === 'vacuumed and analyzed the host tables'));
  });

  test('interval 0 turns it off', async (t) => {
    const db = await backend.open(t);
    const off = await startTableMaintenance({ db, intervalSeconds: 0, logger: recordingLogger() });
    assert.equal(off.active, false);
    await off.stop();
  });
});

test('a failing pass is a warning, and the next one is tried', async () => {
  let calls = 0;
  const failing = {
    kind: 'pglite',
    // A stand-in for a database that refuses the statement (out of disk, shutting down).
    prisma: {
      $executeRawUnsafe: async () => {
        calls++;
        throw new Error('the database is gone');
      },
    },
    close: async () => {},
  } as unknown as Database;
  const logger = recordingLogger();
  const maintenance = await startTableMaintenance({ db: failing, intervalSeconds: 3600, logger });
  await maintenance.runOnce();
  await maintenance.runOnce();
  await maintenance.stop();
  assert.equal(calls, 2);
  assert.equal(
    logger.lines.filter((l) => l.level === 'warn' && l.message === 'table maintenance failed').length,
    2,
  );
});
