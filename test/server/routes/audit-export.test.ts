// The audit log's host filter and export, on both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordAudit } from '../../../server/audit/record-audit.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { buildApp, createUser, uniqueName } from '../../helpers/server-app.js';

forEachDatabase((backend) => {
  test('filters by target and exports the same events as CSV and JSON', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const admin = await createUser(db, 'admin');
    const target = uniqueName('host');
    const actor = { type: 'user' as const, id: admin.id, name: admin.username };
    await recordAudit(db.prisma, actor, {
      action: 'host.scan-request',
      targetType: 'host',
      targetId: target,
    });
    await recordAudit(db.prisma, actor, {
      action: 'host.labels.update',
      targetType: 'host',
      targetId: target,
      details: { to: { note: 'a "quoted", comma\nand a line' } },
    });
    await recordAudit(db.prisma, actor, {
      action: 'host.scan-request',
      targetType: 'host',
      targetId: 'another',
    });
    const get = (url: string) => app.inject({ url, headers: { authorization: admin.auth } });

    const list = (await get(`/api/v1/audit?targetId=${target}`)).json();
    assert.deepEqual(
      list.items.map((e: { action: string }) => e.action),
      ['host.labels.update', 'host.scan-request'],
    );

    const csv = await get(`/api/v1/audit/export?format=csv&targetId=${target}`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    assert.match(
      csv.headers['content-disposition'] as string,
      /^attachment; filename="afterpatch-audit-.*\.csv"$/,
    );
    assert.ok(
      csv.body.startsWith('id,at,actorType,actorId,actorName,action,targetType,targetId,details\r\n'),
    );
    // The details column: JSON, CSV-quoted; reading it back gives the details (key order aside).
    const labelsLine = csv.body.split('\r\n').find((l) => l.includes(',host.labels.update,'))!;
    const quoted = labelsLine.slice(labelsLine.indexOf(',"{') + 1);
    assert.ok(quoted.startsWith('"') && quoted.endsWith('"'));
    assert.deepEqual(JSON.parse(quoted.slice(1, -1).replaceAll('""', '"')), {
      actorName: admin.username,
      to: { note: 'a "quoted", comma\nand a line' },
    });
    assert.equal(csv.body.split('\r\n').filter(Boolean).length, 3);

    const json = await get(`/api/v1/audit/export?format=json&targetId=${target}&action=host.`);
    assert.match(json.headers['content-type'] as string, /^application\/json/);
    const events = JSON.parse(json.body);
    assert.deepEqual(list.items, events);

    const empty = await get('/api/v1/audit/export?format=json&targetId=nothing-here');
    assert.deepEqual(JSON.parse(empty.body), []);
  });

  test('export is for admins only', async (t) => {
    const { app, db } = await buildApp(t, backend);
    const operator = await createUser(db, 'operator');
    assert.equal((await app.inject({ url: '/api/v1/audit/export' })).statusCode, 401);
    const res = await app.inject({ url: '/api/v1/audit/export', headers: { authorization: operator.auth } });
    assert.equal(res.statusCode, 403);
  });
});
