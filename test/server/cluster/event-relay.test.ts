// The event relay on its own: a real EventBus, the bus transport and the instance list replaced
// by recorders (the cluster test runs it over PostgreSQL's LISTEN/NOTIFY between two apps).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_EVENTS_PER_MESSAGE, parseClusterMessage } from '../../../server/cluster/cluster-message.js';
import { EventRelay, MAX_PENDING_EVENTS } from '../../../server/cluster/event-relay.js';
import { EventBus } from '../../../server/events/event-bus.js';
import type { RelayedEvent } from '../../../server/events/public-events.js';

const ROLLOUT = '11111111-1111-4111-8111-111111111111';

function setup(options: { peers?: () => Promise<string[]>; peerTtlMs?: number; now?: () => number } = {}) {
  const events = new EventBus();
  const sent: Array<{ peer: string; events: RelayedEvent[] }> = [];
  const warnings: string[] = [];
  const relay = new EventRelay({
    events,
    peers: options.peers ?? (async () => ['peer-a', 'peer-b']),
    send: async (peer, batch) => {
      sent.push({ peer, events: batch });
    },
    flushMs: 60_000, // the tests flush by hand
    peerTtlMs: options.peerTtlMs ?? 10_000,
    logger: { warn: (_fields, message) => warnings.push(message) },
    ...(options.now ? { now: options.now } : {}),
  });
  return { events, relay, sent, warnings };
}

describe('EventRelay', () => {
  it('sends the local public events to every peer, batched and in order', async () => {
    const { events, relay, sent } = setup();
    events.publish('rollout.changed', { rolloutId: ROLLOUT, state: 'running', version: 2 });
    events.publish('host.changed', { hostId: 'h1', online: true });
    events.publish('agent.disconnected', { hostId: 'h1' }); // internal: never relayed
    await relay.flush();
    assert.deepEqual(
      sent.map((s) => s.peer),
      ['peer-a', 'peer-b'],
    );
    assert.deepEqual(sent[0]!.events, [
      { name: 'rollout.changed', payload: { rolloutId: ROLLOUT, state: 'running', version: 2 } },
      { name: 'host.changed', payload: { hostId: 'h1', online: true } },
    ]);
    // Every message it sends is one the receiver accepts.
    for (const s of sent) assert.ok(parseClusterMessage({ kind: 'events', events: s.events }));
    await relay.stop();
  });

  it('splits a large batch into messages of at most MAX_EVENTS_PER_MESSAGE events', async () => {
    const { events, relay, sent } = setup({ peers: async () => ['peer-a'] });
    for (let i = 0; i < MAX_EVENTS_PER_MESSAGE + 5; i++) events.publish('host.changed', { hostId: `h${i}` });
    await relay.flush();
    assert.deepEqual(
      sent.map((s) => s.events.length),
      [MAX_EVENTS_PER_MESSAGE, 5],
    );
    assert.deepEqual(sent[1]!.events.at(-1), {
      name: 'host.changed',
      payload: { hostId: `h${MAX_EVENTS_PER_MESSAGE + 4}` },
    });
    await relay.stop();
  });

  it('publishes received events as remote: live views get them, the executor does not, nothing is sent back', async () => {
    const { events, relay, sent } = setup();
    const liveView: string[] = [];
    const executor: string[] = [];
    events.on('step.changed', (e) => liveView.push(e.stepId), { remoteToo: true });
    events.on('step.changed', (e) => executor.push(e.stepId));
    relay.receive([
      {
        name: 'step.changed',
        payload: { rolloutId: ROLLOUT, stepId: 's1', hostId: 'h1', hostname: 'web-1', state: 'succeeded' },
      },
    ]);
    await relay.flush();
    assert.deepEqual(liveView, ['s1']);
    assert.deepEqual(executor, []);
    assert.equal(sent.length, 0, 'a relayed event is never relayed again');
    await relay.stop();
  });

  it('reads the peers at most once per peerTtlMs, and keeps the last list while the database is away', async () => {
    let clock = 0;
    let fail = false;
    let reads = 0;
    const { events, relay, sent, warnings } = setup({
      now: () => clock,
      peerTtlMs: 1000,
      peers: async () => {
        reads++;
        if (fail) throw new Error('database down');
        return ['peer-a'];
      },
    });
    const send = async () => {
      events.publish('host.changed', { hostId: 'h' });
      await relay.flush();
    };
    await send();
    clock = 500;
    await send();
    assert.equal(reads, 1);
    fail = true;
    clock = 1500;
    await send();
    clock = 1600;
    await send();
    assert.equal(reads, 2, 'a failed read is not retried at every batch');
    assert.equal(warnings.length, 1);
    assert.equal(sent.length, 4, 'still sent to the last known peer');
    await relay.stop();
  });

  it('leaves out an event outside its schema instead of spoiling the batch for the receiver', async () => {
    const { events, relay, sent, warnings } = setup({ peers: async () => ['peer-a'] });
    events.publish('host.changed', { hostId: 'x'.repeat(65) });
    events.publish('host.changed', { hostId: 'fine' });
    await relay.flush();
    assert.deepEqual(sent[0]!.events, [{ name: 'host.changed', payload: { hostId: 'fine' } }]);
    assert.ok(parseClusterMessage({ kind: 'events', events: sent[0]!.events }));
    assert.equal(warnings.length, 1);
    await relay.stop();
  });

  it('keeps at most MAX_PENDING_EVENTS while a send hangs, dropping the oldest and saying so', async () => {
    let release: () => void = () => {};
    const hung = new Promise<void>((resolve) => {
      release = resolve;
    });
    const events = new EventBus();
    const sent: RelayedEvent[][] = [];
    const warnings: Array<{ fields: object; message: string }> = [];
    const relay = new EventRelay({
      events,
      peers: async () => ['peer-a'],
      send: async (_peer, batch) => {
        sent.push(batch);
        if (sent.length === 1) await hung; // the database stops answering during the first send
      },
      flushMs: 60_000,
      peerTtlMs: 10_000,
      logger: { warn: (fields, message) => warnings.push({ fields, message }) },
    });
    events.publish('host.changed', { hostId: 'first' });
    const first = relay.flush();
    for (let i = 0; i < MAX_PENDING_EVENTS + 7; i++) events.publish('host.changed', { hostId: `h${i}` });
    release();
    await first;
    await relay.flush();
    const relayed = sent.slice(1).flat();
    assert.equal(relayed.length, MAX_PENDING_EVENTS);
    assert.deepEqual(relayed[0], { name: 'host.changed', payload: { hostId: 'h7' } }, 'the oldest went');
    assert.deepEqual(warnings.at(-1)?.fields, { dropped: 7 });
    await relay.stop();
  });

  it('stop() sends what is still queued and stops listening', async () => {
    const { events, relay, sent } = setup({ peers: async () => ['peer-a'] });
    events.publish('host.changed', { hostId: 'last' });
    await relay.stop();
    assert.equal(sent.length, 1);
    events.publish('host.changed', { hostId: 'after' });
    await relay.flush();
    assert.equal(sent.length, 1);
  });

  it('the receiver refuses an events message that is empty, unknown or malformed', () => {
    assert.equal(parseClusterMessage({ kind: 'events', events: [] }), undefined);
    assert.equal(
      parseClusterMessage({ kind: 'events', events: [{ name: 'agent.hello', payload: { hostId: 'h' } }] }),
      undefined,
    );
    assert.equal(
      parseClusterMessage({ kind: 'events', events: [{ name: 'host.changed', payload: { online: true } }] }),
      undefined,
    );
    const tooMany = Array.from({ length: MAX_EVENTS_PER_MESSAGE + 1 }, () => ({
      name: 'host.changed',
      payload: { hostId: 'h' },
    }));
    assert.equal(parseClusterMessage({ kind: 'events', events: tooMany }), undefined);
  });
});
