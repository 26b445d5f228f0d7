import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgentLogger } from '../../../agent/daemon/agent-logger.js';
import type { Trigger } from '../../../agent/daemon/outbox.js';
import { ScanScheduler } from '../../../agent/daemon/scan-scheduler.js';

const quiet = createAgentLogger({ write: () => {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scan scheduler', () => {
  it('never runs two scans at once and coalesces requests made during a scan into one', async () => {
    const runs: Trigger[] = [];
    let running = 0;
    let maxRunning = 0;
    const scheduler = new ScanScheduler({
      intervalMs: 3_600_000,
      logger: quiet,
      runScan: async (trigger) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs.push(trigger);
        await sleep(30);
        running--;
      },
    });
    const first = scheduler.request('startup');
    const during = [
      scheduler.request('interval'),
      scheduler.request('package-change'),
      scheduler.request('server-request'),
      scheduler.request('interval'),
    ];
    await Promise.all([first, ...during]);
    assert.deepEqual(runs, ['startup', 'server-request'], 'one follow-up scan, with the strongest trigger');
    assert.equal(maxRunning, 1);
    assert.equal(scheduler.busy, false);
    await scheduler.stop();
  });

  it('scans on the interval, counted from the end of the last scan', async () => {
    const runs: Trigger[] = [];
    const scheduler = new ScanScheduler({
      intervalMs: 40,
      logger: quiet,
      runScan: async (t) => void runs.push(t),
    });
    scheduler.start();
    await sleep(150);
    await scheduler.stop();
    assert.ok(runs.length >= 2 && runs.every((t) => t === 'interval'), runs.join());
    const count = runs.length;
    await sleep(100);
    assert.equal(runs.length, count, 'nothing runs after stop()');
  });

  it('keeps going after a failed scan, and stop() waits for the scan in progress', async () => {
    let finished = false;
    let calls = 0;
    const lines: string[] = [];
    const scheduler = new ScanScheduler({
      intervalMs: 3_600_000,
      logger: createAgentLogger({ write: (l) => lines.push(l) }),
      runScan: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        await sleep(50);
        finished = true;
      },
    });
    await scheduler.request('startup');
    assert.ok(lines.some((l) => l.includes('scan failed')));
    void scheduler.request('interval');
    await scheduler.stop();
    assert.equal(finished, true);
    await scheduler.request('interval');
    assert.equal(calls, 2, 'no scan after stop()');
  });
});
