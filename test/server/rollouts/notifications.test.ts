// Rollout notifications and live updates with real components: webhooks delivered to a local HTTP
// receiver (JSON and Slack format, retried on 500, not on 404), and the SSE stream
// GET /api/v1/events with the token in the Authorization header or as ?access_token=, which must
// never reach the logs (the app's pino output is captured).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type TestContext, test } from 'node:test';
import type { Database } from '../../../server/db/open-database.js';
import { createLogger } from '../../../server/logger.js';
import { createWebhookNotifier, type Notification } from '../../../server/notify/webhook-notifier.js';
import { servicesReport } from '../../agent/output/sample-reports.js';
import { forEachDatabase } from '../../helpers/databases.js';
import { buildApp, createHost, createUser, uniqueName } from '../../helpers/server-app.js';
import { openStream } from '../../helpers/sse-stream.js';

interface Received {
  path: string;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}

/** A local webhook receiver: answers with `status(path, attempt)`, records every request. */
async function receiver(t: TestContext, status: (path: string, attempt: number) => number = () => 200) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      const attempt = (attempts.get(path) ?? 0) + 1;
      attempts.set(path, attempt);
      received.push({ path, body: JSON.parse(text), headers: req.headers });
      res.writeHead(status(path, attempt)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, attempts };
}

async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function logSink() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('debug', sink), text: () => lines.join('') };
}

async function upHost(db: Database) {
  const host = await createHost(db, { hostname: uniqueName('n') });
  await db.prisma.host.update({
    where: { id: host.id },
    data: { online: true, currentReport: { create: { report: servicesReport() as object } }, reportSeq: 1n },
  });
  return host;
}

const sample: Notification = {
  event: 'rollout.halted',
  rolloutId: '00000000-0000-4000-8000-000000000001',
  rolloutName: 'patch-tuesday',
  summary: 'patch-tuesday: halted: failure budget exceeded',
  details: { failures: 1 },
  at: '2024-06-05T12:00:00.000Z',
};

forEachDatabase((backend) => {
  test('webhooks: a rollout that starts and is cancelled notifies in JSON and Slack format', async (t) => {
    const db = await backend.open(t);
    const ctx = await buildApp(t, backend, { database: db, config: { rolloutTickMs: 100 } });
    const hook = await receiver(t);
    const admin = await createUser(db, 'admin');
    const post = (url: string, payload?: object) =>
      ctx.app.inject({
        method: 'POST',
        url: `/api/v1${url}`,
        headers: { authorization: admin.auth },
        ...(payload ? { payload } : {}),
      });
    assert.equal((await post('/webhooks', { name: 'ops', url: `${hook.url}/json` })).statusCode, 201);
    const slack = await post('/webhooks', { name: 'chat', url: `${hook.url}/slack`, format: 'slack' });
    assert.equal(slack.statusCode, 201);
    const onlyHalts = { name: 'pager', url: `${hook.url}/pager`, events: ['rollout.halted'] };
    assert.equal((await post('/webhooks', onlyHalts)).statusCode, 201);
    const host = await upHost(db);

    const created = await post('/rollouts', { name: 'notify-me', hosts: [host.id] });
    const id = created.json().id as string;
    await post(`/rollouts/${id}/approve`);
    await until(() => hook.received.filter((r) => r.path !== '/pager').length >= 2, 'started notifications');
    assert.equal((await post(`/rollouts/${id}/cancel`, { reason: 'freeze' })).statusCode, 200);
    await until(() => hook.received.length >= 4, 'cancelled notifications');

    const json = hook.received.filter((r) => r.path === '/json').map((r) => r.body);
    assert.deepEqual(
      json.map((b) => b.event),
      ['rollout.started', 'rollout.cancelled'],
    );
    assert.equal(json[0]!.rolloutId, id);
    assert.equal(json[0]!.rolloutName, 'notify-me');
    assert.match(String(json[1]!.summary), /notify-me: cancelled by /);
    assert.deepEqual(json[1]!.details, { reason: 'freeze' });
    const texts = hook.received.filter((r) => r.path === '/slack').map((r) => r.body);
    assert.equal(texts.length, 2);
    assert.deepEqual(Object.keys(texts[0]!), ['text']);
    assert.match(
      String(texts[0]!.text),
      /^afterpatch: notify-me: started \(rollout "notify-me", rollout\.started\)$/,
    );
    assert.match(String(texts[1]!.text), /rollout\.cancelled/);
    // A webhook that asked for halts only got nothing.
    assert.equal(hook.received.filter((r) => r.path === '/pager').length, 0);
    assert.equal(hook.received[0]!.headers['content-type'], 'application/json');
  });

  test('webhooks: a 500 is retried with backoff, a 404 is not; failures are logged', async (t) => {
    const db = await backend.open(t);
    // /flaky fails twice then takes it; /down always fails; /gone is a 404.
    const hook = await receiver(t, (path, attempt) =>
      path === '/flaky' ? (attempt <= 2 ? 500 : 200) : path === '/down' ? 500 : 404,
    );
    for (const path of ['/flaky', '/down', '/gone']) {
      await db.prisma.webhook.create({
        data: { name: path, url: `${hook.url}${path}`, format: 'json', events: [] },
      });
    }
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const notifier = createWebhookNotifier({
      prisma: db.prisma,
      log: {
        warn: (fields, message) => warnings.push({ fields: fields as Record<string, unknown>, message }),
        debug: () => {},
      },
      attempts: 3,
      backoffMs: 20,
    });
    notifier.notify(sample);
    await until(
      () => (hook.attempts.get('/flaky') ?? 0) >= 3 && (hook.attempts.get('/down') ?? 0) >= 3,
      'retries',
    );
    await notifier.close();
    assert.equal(hook.attempts.get('/flaky'), 3);
    assert.equal(hook.attempts.get('/down'), 3);
    assert.equal(hook.attempts.get('/gone'), 1);
    // Every attempt carried the same notification.
    for (const r of hook.received) assert.deepEqual(r.body, sample);
    assert.equal(warnings.filter((w) => w.message === 'webhook delivery failed').length, 2 + 3);
    assert.equal(warnings.filter((w) => w.message === 'webhook refused the notification').length, 1);
  });

  test('SSE: events with the token in the header or ?access_token=, which never reaches the logs', async (t) => {
    const db = await backend.open(t);
    const logs = logSink();
    const ctx = await buildApp(t, backend, {
      database: db,
      config: { rolloutTickMs: 100 },
      logger: logs.logger,
    });
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const viewer = await createUser(db, 'viewer');
    const operator = await createUser(db, 'operator');
    const token = viewer.auth.slice('Bearer '.length);
    const host = await upHost(db);

    const refused = await fetch(`${base}/api/v1/events`);
    assert.equal(refused.status, 401);
    await refused.body?.cancel();

    const streams = [
      await openStream(t, `${base}/api/v1/events`, { authorization: viewer.auth }),
      await openStream(t, `${base}/api/v1/events?access_token=${encodeURIComponent(token)}`, {}),
    ];
    for (const s of streams) {
      assert.equal(s.status, 200);
      assert.match(s.contentType ?? '', /^text\/event-stream/);
    }
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/rollouts',
      headers: { authorization: operator.auth },
      payload: { name: 'live', hosts: [host.id] },
    });
    const id = created.json().id as string;
    for (const s of streams) {
      const event = await s.next('rollout.changed');
      assert.equal(event.rolloutId, id);
      assert.equal(event.state, 'awaiting_approval');
    }
    for (const s of streams) s.close();
    await ctx.app.close();
    const text = logs.text();
    // The logs did see the requests, but not the token.
    assert.match(text, /\/api\/v1\/events/);
    assert.ok(!text.includes(token), 'the token leaked into the logs');
    assert.ok(!text.includes('access_token'), 'the query token parameter reached the logs');
  });
});
