import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditCsvHeader, auditCsvRow, csvField } from '../../../server/audit/audit-csv.js';

test('CSV fields are quoted only when needed, quotes doubled', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField(null), '');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\rhere'), '"cr\rhere"');
});

test('fields a spreadsheet would run as formulas are defused', () => {
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('-1'), "'-1");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
});

test('a row has the header’s columns, the actor’s name and the details as JSON', () => {
  const row = auditCsvRow({
    id: '7',
    at: '2026-01-01T00:00:00.000Z',
    actorType: 'user',
    actorId: 'u1',
    action: 'host.labels.update',
    targetType: 'host',
    targetId: 'h1',
    details: { actorName: 'alice', to: { env: 'prod, eu' } },
  });
  assert.equal(auditCsvHeader(), 'id,at,actorType,actorId,actorName,action,targetType,targetId,details\r\n');
  assert.equal(
    row,
    '7,2026-01-01T00:00:00.000Z,user,u1,alice,host.labels.update,host,h1,"{""actorName"":""alice"",""to"":{""env"":""prod, eu""}}"\r\n',
  );
});
