import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeartbeatWheel } from '../../../server/agents/heartbeat-wheel.js';

describe('HeartbeatWheel', () => {
  test('every item is due exactly once per full turn, spread evenly over the slots', () => {
    const wheel = new HeartbeatWheel<number>(30);
    for (let i = 0; i < 10_000; i++) wheel.add(i);
    const seen = new Map<number, number>();
    const perTick: number[] = [];
    for (let t = 0; t < 30; t++) {
      const due = wheel.tick();
      perTick.push(due.length);
      for (const item of due) seen.set(item, (seen.get(item) ?? 0) + 1);
    }
    assert.equal(seen.size, 10_000);
    assert.ok([...seen.values()].every((n) => n === 1));
    // 10,000 / 30: 333 or 334 per tick, never all at once.
    assert.ok(Math.max(...perTick) <= 334 && Math.min(...perTick) >= 333, String(perTick));
    // The next turn starts again with the first slot.
    assert.deepEqual(wheel.tick().slice(0, 2), [0, 30]);
  });

  test('a removed item is no longer due; adding twice keeps one place', () => {
    const wheel = new HeartbeatWheel<string>(2);
    wheel.add('a');
    wheel.add('b');
    wheel.add('a');
    assert.equal(wheel.size, 2);
    wheel.remove('a');
    wheel.remove('never-added');
    assert.deepEqual([...wheel.tick(), ...wheel.tick()], ['b']);
    assert.equal(wheel.size, 1);
  });

  test('slots for an interval: one tick a second, within 1..60', () => {
    assert.equal(HeartbeatWheel.slotsFor(30), 30);
    assert.equal(HeartbeatWheel.slotsFor(0.05), 1);
    assert.equal(HeartbeatWheel.slotsFor(600), 60);
    assert.throws(() => new HeartbeatWheel(0), RangeError);
  });
});
