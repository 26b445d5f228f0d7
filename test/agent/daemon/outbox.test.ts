import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createAgentLogger } from '../../../agent/daemon/agent-logger.js';
import { Outbox } from '../../../agent/daemon/outbox.js';
import { createScratch } from '../../helpers/scratch.js';
import { cleanHostReport } from '../output/sample-reports.js';

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createAgentLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function open(t: TestContext, dir?: string, bounds: { maxReports?: number; maxBytes?: number } = {}) {
  const outboxDir = dir ?? join(createScratch(t).dir, 'outbox');
  const { logger, lines } = captureLogger();
  const outbox = Outbox.open({
    dir: outboxDir,
    maxReports: bounds.maxReports ?? 100,
    maxBytes: bounds.maxBytes ?? 50 * 1024 * 1024,
    logger,
  });
  return { outbox, dir: outboxDir, lines };
}

function addReport(outbox: Outbox, fingerprint = 'fp-a'): number {
  return outbox.add({ type: 'report', trigger: 'interval', fingerprint, report: cleanHostReport() });
}

describe('outbox', () => {
  it('hands out increasing seqs and keeps entries in order, one 0600 file each', (t) => {
    const { outbox, dir } = open(t);
    assert.deepEqual([addReport(outbox), addReport(outbox), addReport(outbox)], [1, 2, 3]);
    assert.deepEqual(
      outbox.entries().map((e) => e.seq),
      [1, 2, 3],
    );
    assert.deepEqual(readdirSync(dir).sort(), ['1.json', '2.json', '3.json', 'state.json']);
    assert.equal(statSync(join(dir, '2.json')).mode & 0o777, 0o600);
    const entry = outbox.read(2);
    assert.equal(entry?.type, 'report');
    assert.equal(entry?.seq, 2);
  });

  it('deletes every entry up to an acknowledged seq, and ignores stale or unknown acks', (t) => {
    const { outbox, dir, lines } = open(t);
    for (let i = 0; i < 4; i++) addReport(outbox);
    outbox.ack(2);
    assert.deepEqual(
      outbox.entries().map((e) => e.seq),
      [3, 4],
    );
    assert.ok(!readdirSync(dir).includes('1.json') && !readdirSync(dir).includes('2.json'));
    outbox.ack(1);
    assert.equal(outbox.lastAckedSeq, 2);
    outbox.ack(99);
    assert.equal(outbox.size, 2, 'an ack for a seq never handed out is not believed');
    assert.ok(lines.some((l) => l.msg === 'ack for an unknown seq ignored'));
  });

  it('an ack the disk cannot record is logged, not thrown, and its entries are sent again after a restart', (t) => {
    const { outbox, dir, lines } = open(t);
    for (let i = 0; i < 3; i++) addReport(outbox);
    // state.json replaced by a non-empty directory: the atomic rename onto it fails.
    rmSync(join(dir, 'state.json'));
    mkdirSync(join(dir, 'state.json', 'blocker'), { recursive: true });
    assert.doesNotThrow(() => outbox.ack(2));
    assert.ok(lines.some((l) => l.msg === 'could not record an acknowledgement on disk' && l.level === 50));
    assert.deepEqual(
      outbox.entries().map((e) => e.seq),
      [3],
      'the running agent goes on from the ack',
    );
    assert.ok(readdirSync(dir).includes('1.json') && readdirSync(dir).includes('2.json'), 'kept on disk');

    // Restarted with the disk healthy again: nothing lost, the unrecorded ones are pending again.
    rmSync(join(dir, 'state.json'), { recursive: true });
    const reopened = open(t, dir);
    assert.deepEqual(
      reopened.outbox.entries().map((e) => e.seq),
      [1, 2, 3],
    );
    assert.equal(addReport(reopened.outbox), 4);
  });

  it('keeps seq, entries and the acknowledged state across a restart', (t) => {
    const first = open(t);
    addReport(first.outbox, 'fp-1');
    addReport(first.outbox, 'fp-2');
    addReport(first.outbox, 'fp-3');
    first.outbox.ack(2);
    const second = open(t, first.dir);
    assert.equal(second.outbox.lastSeq, 3);
    assert.equal(second.outbox.lastAckedSeq, 2);
    assert.deepEqual(
      second.outbox.entries().map((e) => e.seq),
      [3],
    );
    assert.equal(addReport(second.outbox), 4);
    second.outbox.ack(4);
    const third = open(t, first.dir);
    assert.equal(third.outbox.size, 0);
    assert.equal(addReport(third.outbox), 5, 'seq never goes back, even with an empty outbox');
  });

  it('ignores and removes a half-written temp file after a crash', (t) => {
    const first = open(t);
    addReport(first.outbox);
    // What a crash between write and rename leaves behind: a truncated temp file.
    writeFileSync(join(first.dir, '.tmp-2.json.4242'), '{"seq":2,"type":"rep');
    const second = open(t, first.dir);
    assert.deepEqual(
      second.outbox.entries().map((e) => e.seq),
      [1],
    );
    assert.ok(!readdirSync(first.dir).some((n) => n.startsWith('.tmp-')));
    assert.equal(addReport(second.outbox), 2);
    assert.ok(second.lines.some((l) => l.msg === 'removed half-written outbox files'));
  });

  it('recovers the seq from the entries when state.json is lost, and drops damaged entries', (t) => {
    const first = open(t);
    addReport(first.outbox);
    addReport(first.outbox);
    addReport(first.outbox);
    writeFileSync(join(first.dir, 'state.json'), 'garbage');
    writeFileSync(join(first.dir, '2.json'), '{"seq":2,');
    const second = open(t, first.dir);
    assert.equal(second.outbox.lastSeq, 3);
    assert.deepEqual(
      second.outbox.entries().map((e) => e.seq),
      [1, 3],
    );
    assert.equal(addReport(second.outbox), 4);
  });

  it('drops the oldest entries beyond maxReports, counting them in the log', (t) => {
    const { outbox, dir, lines } = open(t, undefined, { maxReports: 3 });
    for (let i = 0; i < 5; i++) addReport(outbox);
    assert.deepEqual(
      outbox.entries().map((e) => e.seq),
      [3, 4, 5],
    );
    assert.equal(outbox.droppedTotal, 2);
    assert.deepEqual(
      readdirSync(dir)
        .filter((n) => n !== 'state.json')
        .sort(),
      ['3.json', '4.json', '5.json'],
    );
    const warnings = lines.filter((l) => l.msg === 'outbox full: oldest reports dropped');
    assert.equal(warnings.length, 2);
    assert.equal(warnings.at(-1)?.droppedTotal, 2);
    assert.equal(open(t, dir, { maxReports: 3 }).outbox.droppedTotal, 2, 'the count survives a restart');
  });

  it('drops the oldest entries beyond maxBytes but always keeps the newest', (t) => {
    const size = JSON.stringify({
      seq: 1,
      type: 'report',
      trigger: 'interval',
      fingerprint: 'fp-a',
      report: cleanHostReport(),
    }).length;
    const { outbox } = open(t, undefined, { maxBytes: Math.floor(size * 2.5) });
    for (let i = 0; i < 4; i++) addReport(outbox);
    assert.deepEqual(
      outbox.entries().map((e) => e.seq),
      [3, 4],
    );
    const tiny = open(t, undefined, { maxBytes: 10 });
    addReport(tiny.outbox);
    addReport(tiny.outbox);
    assert.deepEqual(
      tiny.outbox.entries().map((e) => e.seq),
      [2],
    );
  });

  it('knows which report the server will hold once everything pending is delivered', (t) => {
    const { outbox, dir } = open(t);
    assert.equal(outbox.expectedServerFingerprint(), undefined);
    addReport(outbox, 'fp-a');
    assert.equal(outbox.expectedServerFingerprint(), 'fp-a', 'a pending report counts');
    outbox.add({ type: 'unchanged', scannedAt: '2024-05-14T10:30:00.000Z' });
    assert.equal(outbox.expectedServerFingerprint(), 'fp-a');
    outbox.ack(2);
    assert.equal(outbox.expectedServerFingerprint(), 'fp-a', 'then the acknowledged one');
    addReport(outbox, 'fp-b');
    assert.equal(outbox.expectedServerFingerprint(), 'fp-b');
    assert.equal(open(t, dir).outbox.expectedServerFingerprint(), 'fp-b');
    outbox.ack(3);
    assert.equal(open(t, dir).outbox.expectedServerFingerprint(), 'fp-b', 'persisted on ack');
  });
});
