import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdleCollector } from '../../../agent/daemon/idle-collector.js';

describe('IdleCollector', () => {
  test('one collection per burst of scans, after the delay', async () => {
    let collections = 0;
    const collector = new IdleCollector(30, () => collections++);
    collector.schedule();
    await sleep(10);
    collector.schedule();
    collector.schedule();
    assert.equal(collections, 0, 'not before the delay');
    await sleep(80);
    assert.equal(collections, 1);
    collector.schedule();
    await sleep(80);
    assert.equal(collections, 2);
  });

  test('stop() cancels a pending collection; without gc() nothing happens', async () => {
    let collections = 0;
    const collector = new IdleCollector(20, () => collections++);
    collector.schedule();
    collector.stop();
    await sleep(60);
    assert.equal(collections, 0);
    // Plain node: no gc() on globalThis (the tests do not run with --expose-gc).
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
    const plain = new IdleCollector(1);
    plain.schedule();
    plain.stop();
  });
});
