// decideDispatch, the executor's pure decision: state and clock in, dispatches, holds (with their
// reasons), timeouts, approval expiries, starts and completions out. No database, no clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideDispatch, TIMEOUT_GRACE_SEC } from '../../../server/rollouts/decide-dispatch.js';
import type {
  ExecRollout,
  ExecState,
  ExecStep,
  GroupSnapshot,
  RolloutStateName,
} from '../../../server/rollouts/executor-state.js';

const NOW = new Date('2024-06-05T12:00:00.000Z'); // a Wednesday, 12:00 UTC

function group(name: string, members: string[], extra: Partial<GroupSnapshot> = {}): GroupSnapshot {
  return {
    name,
    limit: {},
    members,
    windows: [],
    dependsOn: [],
    delayBetweenStepsSec: 0,
    protected: false,
    ...extra,
  };
}

let nextId = 0;
function step(hostId: string, groups: string[], extra: Partial<ExecStep> = {}): ExecStep {
  nextId += 1;
  return {
    id: `step-${nextId}`,
    rolloutId: 'r1',
    hostId,
    hostname: hostId,
    position: nextId,
    state: 'pending',
    action: 'restart',
    groups,
    dispatchedAt: null,
    finishedAt: null,
    timeoutSec: 600,
    estimatedSec: 60,
    pinnedUntil: null,
    ...extra,
  };
}

function rollout(
  groups: GroupSnapshot[],
  steps: ExecStep[],
  state: RolloutStateName = 'running',
  extra: Partial<ExecRollout> = {},
): ExecRollout {
  const id = extra.id ?? 'r1';
  return {
    id,
    state,
    startAt: new Date(NOW.getTime() - 60_000),
    approvalExpiresAt: null,
    groups,
    steps: steps.map((s) => ({ ...s, rolloutId: id })),
    ...extra,
  };
}

function fleet(rollouts: ExecRollout[], online: string[], connected = online): ExecState {
  return { rollouts, onlineHostIds: new Set(online), connectedHostIds: new Set(connected) };
}

const dispatched = (d: ReturnType<typeof decideDispatch>) => d.dispatch.map((s) => s.hostId).sort();
const holdOf = (d: ReturnType<typeof decideDispatch>, hostId: string) =>
  d.holds.find((h) => h.hostId === hostId);

describe('decideDispatch: limits', () => {
  it('dispatches up to a group limit and holds the rest with the limit as reason', () => {
    const hosts = ['a', 'b', 'c', 'd'];
    const web = group('web', hosts, { limit: { maxOut: 2 } });
    const d = decideDispatch(
      fleet(
        [
          rollout(
            [web],
            hosts.map((h) => step(h, ['web'])),
          ),
        ],
        hosts,
      ),
      NOW,
    );
    assert.deepEqual(dispatched(d), ['a', 'b']);
    for (const h of ['c', 'd']) {
      const hold = holdOf(d, h);
      assert.equal(hold?.kind, 'limit');
      assert.equal(hold?.group, 'web');
      assert.match(hold!.detail, /web: 2 of 4 already out \(limit maxOut 2\)/);
    }
  });

  it('overlapping groups: every limit of a host must hold', () => {
    // web: a b c d (maxOut 2); rack-a: a b (minUp 1); rack-b: c d (minUp 1).
    const web = group('web', ['a', 'b', 'c', 'd'], { limit: { maxOut: 2 } });
    const rackA = group('rack-a', ['a', 'b'], { limit: { minUp: 1 } });
    const rackB = group('rack-b', ['c', 'd'], { limit: { minUp: 1 } });
    const steps = [
      step('a', ['rack-a', 'web']),
      step('b', ['rack-a', 'web']),
      step('c', ['rack-b', 'web']),
      step('d', ['rack-b', 'web']),
    ];
    const d = decideDispatch(fleet([rollout([web, rackA, rackB], steps)], ['a', 'b', 'c', 'd']), NOW);
    assert.deepEqual(dispatched(d), ['a', 'c']);
    assert.equal(holdOf(d, 'b')?.group, 'rack-a');
    assert.equal(holdOf(d, 'd')?.group, 'rack-b');
  });

  it('an offline member counts as out, even one the rollout does not touch', () => {
    // x is a member of web but not in the rollout, and offline: only one more may go.
    const web = group('web', ['a', 'b', 'x'], { limit: { maxOut: 1 } });
    const d = decideDispatch(
      fleet([rollout([web], [step('a', ['web']), step('b', ['web'])])], ['a', 'b']),
      NOW,
    );
    assert.deepEqual(dispatched(d), []);
    assert.equal(holdOf(d, 'a')?.kind, 'limit');
    assert.match(holdOf(d, 'a')!.detail, /1 of 3 already out/);
  });

  it('an offline member of one group blocks through an overlapping group', () => {
    const web = group('web', ['a', 'b', 'c'], { limit: { maxOut: 2 } });
    const rack = group('rack', ['a', 'z'], { limit: { maxOut: 1 } });
    const steps = [step('a', ['rack', 'web']), step('b', ['web']), step('c', ['web'])];
    const d = decideDispatch(fleet([rollout([web, rack], steps)], ['a', 'b', 'c']), NOW);
    // z (offline) fills rack; a is held by rack though web has room; b and c go.
    assert.deepEqual(dispatched(d), ['b', 'c']);
    assert.equal(holdOf(d, 'a')?.group, 'rack');
  });

  it('a failed host stays out while its rollout is not over, and no longer once it ended', () => {
    const web = group('web', ['a', 'b', 'c'], { limit: { maxOut: 1 } });
    const failed = step('a', ['web'], {
      state: 'failed',
      dispatchedAt: new Date(NOW.getTime() - 120_000),
      finishedAt: new Date(NOW.getTime() - 60_000),
    });
    for (const state of ['running', 'halted', 'paused'] as const) {
      const other = rollout([web], [failed], state, { id: 'r0' });
      const d = decideDispatch(fleet([other, rollout([web], [step('b', ['web'])])], ['a', 'b', 'c']), NOW);
      assert.deepEqual(dispatched(d), [], `failed host out while its rollout is ${state}`);
      assert.equal(holdOf(d, 'b')?.kind, 'limit');
    }
    for (const state of ['completed', 'cancelled'] as const) {
      const other = rollout([web], [failed], state, { id: 'r0' });
      const d = decideDispatch(fleet([other, rollout([web], [step('b', ['web'])])], ['a', 'b', 'c']), NOW);
      assert.deepEqual(dispatched(d), ['b'], `failed host no longer out once its rollout is ${state}`);
    }
  });

  it('limits span rollouts: a host in flight in another rollout counts, and is busy there', () => {
    const web = group('web', ['a', 'b', 'c'], { limit: { maxOut: 1 } });
    const inFlight = step('a', ['web'], { state: 'dispatched', dispatchedAt: NOW });
    const d = decideDispatch(
      fleet(
        [
          rollout([web], [inFlight], 'running', { id: 'r0' }),
          rollout([web], [step('a', ['web']), step('b', ['web'])]),
        ],
        ['a', 'b', 'c'],
      ),
      NOW,
    );
    assert.deepEqual(dispatched(d), []);
    assert.equal(holdOf(d, 'a')?.kind, 'busy');
    assert.equal(holdOf(d, 'b')?.kind, 'limit');
  });

  it('an online host whose agent is not connected here is held as offline', () => {
    const d = decideDispatch(fleet([rollout([], [step('a', [])])], ['a'], []), NOW);
    assert.equal(holdOf(d, 'a')?.kind, 'offline');
  });

  it('a pinned host waits for its pin', () => {
    const until = new Date(NOW.getTime() + 3600_000);
    const d = decideDispatch(fleet([rollout([], [step('a', [], { pinnedUntil: until })])], ['a']), NOW);
    assert.equal(holdOf(d, 'a')?.kind, 'pinned');
    assert.deepEqual(holdOf(d, 'a')?.until, until);
    const later = decideDispatch(
      fleet([rollout([], [step('a', [], { pinnedUntil: until })])], ['a']),
      new Date(until.getTime() + 1),
    );
    assert.deepEqual(dispatched(later), ['a']);
  });
});

describe('decideDispatch: windows, dependencies, delays', () => {
  const wednesday = (start: string, end: string) => [{ days: ['wed' as const], start, end, timeZone: 'UTC' }];

  it('a closed window holds the step with the next opening as reason', () => {
    const db = group('db', ['a'], { windows: wednesday('22:00', '23:59') });
    const d = decideDispatch(fleet([rollout([db], [step('a', ['db'])])], ['a']), NOW);
    assert.deepEqual(dispatched(d), []);
    const hold = holdOf(d, 'a');
    assert.equal(hold?.kind, 'window');
    assert.equal(hold?.group, 'db');
    assert.equal(hold?.until?.toISOString(), '2024-06-05T22:00:00.000Z');
    assert.match(hold!.detail, /db: outside its windows until 2024-06-05T22:00:00.000Z/);
  });

  it('an open window that is too short for the estimated duration holds too', () => {
    // Open 11:00–12:30 today: 30 min left, the step takes an hour.
    const db = group('db', ['a'], { windows: wednesday('11:00', '12:30') });
    const d = decideDispatch(fleet([rollout([db], [step('a', ['db'], { estimatedSec: 3600 })])], ['a']), NOW);
    assert.equal(holdOf(d, 'a')?.kind, 'window');
    const fits = decideDispatch(
      fleet([rollout([db], [step('a', ['db'], { estimatedSec: 600 })])], ['a']),
      NOW,
    );
    assert.deepEqual(dispatched(fits), ['a']);
  });

  it('a group waits for the groups it depends on to be done', () => {
    const db = group('db', ['d1']);
    const app = group('app', ['a1'], { dependsOn: ['db'] });
    const pendingDb = step('d1', ['db']);
    const d = decideDispatch(
      fleet([rollout([db, app], [pendingDb, step('a1', ['app'])])], ['d1', 'a1']),
      NOW,
    );
    assert.deepEqual(dispatched(d), ['d1']);
    assert.equal(holdOf(d, 'a1')?.kind, 'dependency');
    assert.match(holdOf(d, 'a1')!.detail, /app waits for db: 1 host\(s\) not done/);
    // A failed db step does not count as done: app keeps waiting.
    const failedDb = { ...pendingDb, state: 'failed' as const };
    const d2 = decideDispatch(
      fleet([rollout([db, app], [failedDb, step('a1', ['app'])])], ['d1', 'a1']),
      NOW,
    );
    assert.equal(holdOf(d2, 'a1')?.kind, 'dependency');
    const doneDb = { ...pendingDb, state: 'succeeded' as const };
    const d3 = decideDispatch(fleet([rollout([db, app], [doneDb, step('a1', ['app'])])], ['d1', 'a1']), NOW);
    assert.deepEqual(dispatched(d3), ['a1']);
  });

  it('steps of a group start at least its delay apart', () => {
    const web = group('web', ['a', 'b'], { delayBetweenStepsSec: 300 });
    const first = step('a', ['web'], {
      state: 'succeeded',
      dispatchedAt: new Date(NOW.getTime() - 100_000),
      finishedAt: new Date(NOW.getTime() - 50_000),
    });
    const d = decideDispatch(fleet([rollout([web], [first, step('b', ['web'])])], ['a', 'b']), NOW);
    const hold = holdOf(d, 'b');
    assert.equal(hold?.kind, 'delay');
    assert.equal(hold?.until?.toISOString(), new Date(NOW.getTime() + 200_000).toISOString());
    const later = decideDispatch(
      fleet([rollout([web], [first, step('b', ['web'])])], ['a', 'b']),
      new Date(NOW.getTime() + 200_000),
    );
    assert.deepEqual(dispatched(later), ['b']);
  });

  it('within one decision, a dispatch starts the delay for the next', () => {
    const web = group('web', ['a', 'b'], { delayBetweenStepsSec: 60 });
    const d = decideDispatch(
      fleet([rollout([web], [step('a', ['web']), step('b', ['web'])])], ['a', 'b']),
      NOW,
    );
    assert.deepEqual(dispatched(d), ['a']);
    assert.equal(holdOf(d, 'b')?.kind, 'delay');
  });
});

describe('decideDispatch: timeouts, approvals, starts, completion', () => {
  it('an in-flight step times out only after its timeout plus the grace', () => {
    const timeoutSec = 600;
    const at = (secAgo: number) =>
      step('a', [], {
        state: 'dispatched',
        dispatchedAt: new Date(NOW.getTime() - secAgo * 1000),
        timeoutSec,
      });
    const early = decideDispatch(fleet([rollout([], [at(timeoutSec + TIMEOUT_GRACE_SEC - 1)])], ['a']), NOW);
    assert.deepEqual(early.timedOut, []);
    const late = decideDispatch(fleet([rollout([], [at(timeoutSec + TIMEOUT_GRACE_SEC + 1)])], ['a']), NOW);
    assert.equal(late.timedOut.length, 1);
  });

  it('a step in flight in a cancelled rollout still times out and keeps its host out', () => {
    const web = group('web', ['a', 'b'], { limit: { maxOut: 1 } });
    const inFlight = step('a', ['web'], {
      state: 'dispatched',
      dispatchedAt: new Date(NOW.getTime() - 10_000),
    });
    const d = decideDispatch(
      fleet(
        [rollout([web], [inFlight], 'cancelled', { id: 'r0' }), rollout([web], [step('b', ['web'])])],
        ['a', 'b'],
      ),
      NOW,
    );
    assert.equal(holdOf(d, 'b')?.kind, 'limit');
  });

  it('an approval that expired before the start goes back; one in time starts', () => {
    const expired = rollout([], [step('a', [])], 'approved', {
      id: 'expired',
      startAt: new Date(NOW.getTime() + 7200_000),
      approvalExpiresAt: new Date(NOW.getTime() - 1),
    });
    const waiting = rollout([], [step('b', [])], 'approved', {
      id: 'later',
      startAt: new Date(NOW.getTime() + 600_000),
      approvalExpiresAt: new Date(NOW.getTime() + 3600_000),
    });
    const due = rollout([], [step('c', [])], 'approved', {
      id: 'due',
      startAt: new Date(NOW.getTime() - 1),
      approvalExpiresAt: new Date(NOW.getTime() + 3600_000),
    });
    const d = decideDispatch(fleet([expired, waiting, due], ['a', 'b', 'c']), NOW);
    assert.deepEqual(d.expireApproval, ['expired']);
    assert.deepEqual(d.start, ['due']);
    // The starting rollout dispatches in the same decision; the others dispatch nothing.
    assert.deepEqual(dispatched(d), ['c']);
  });

  it('paused and halted rollouts dispatch nothing', () => {
    for (const state of ['paused', 'halted', 'awaiting_approval'] as const) {
      const d = decideDispatch(fleet([rollout([], [step('a', [])], state)], ['a']), NOW);
      assert.deepEqual(d.dispatch, [], state);
    }
  });

  it('a running rollout with every step settled completes', () => {
    const settled = [
      step('a', [], { state: 'succeeded' }),
      step('b', [], { state: 'failed' }),
      step('c', [], { state: 'skipped' }),
    ];
    assert.deepEqual(decideDispatch(fleet([rollout([], settled)], []), NOW).complete, ['r1']);
    const inFlight = [...settled, step('d', [], { state: 'dispatched', dispatchedAt: NOW })];
    assert.deepEqual(decideDispatch(fleet([rollout([], inFlight)], ['d']), NOW).complete, []);
  });
});
