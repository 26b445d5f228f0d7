// Rollout notifications to the webhooks admins configured: JSON (the event as is) or
// Slack-compatible (`{ text }`). Sent off the critical path: notify() returns at once, each
// delivery runs in the background with a per-attempt timeout and a few retries with backoff;
// failures are logged, never thrown into the executor. close() waits for deliveries in flight
// (bounded), so a graceful shutdown does not cut a notification off mid-retry.
import type { PrismaClient } from '../db/generated/client.js';

export const NOTIFICATION_EVENTS = [
  'rollout.started',
  'rollout.step-failed',
  'rollout.halted',
  'rollout.finished',
  'rollout.cancelled',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface Notification {
  event: NotificationEvent;
  rolloutId: string;
  rolloutName: string;
  /** One sentence for people (the Slack text). */
  summary: string;
  details?: Record<string, unknown>;
  at: string;
}

export interface NotifierLog {
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface NotifierOptions {
  prisma: PrismaClient;
  log: NotifierLog;
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
}

export interface Notifier {
  notify(notification: Notification): void;
  close(): Promise<void>;
}

export function createWebhookNotifier(options: NotifierOptions): Notifier {
  const timeoutMs = options.timeoutMs ?? 5000;
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function deliver(notification: Notification): Promise<void> {
    const hooks = await options.prisma.webhook.findMany({ where: { enabled: true } });
    await Promise.all(
      hooks
        .filter((h) => {
          const events = h.events as string[];
          return events.length === 0 || events.includes(notification.event);
        })
        .map((h) => send(h.id, h.url, h.format === 'slack' ? slackBody(notification) : notification)),
    );
  }

  async function send(webhookId: string, url: string, body: unknown): Promise<void> {
    const text = JSON.stringify(body);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'afterpatch-webhook' },
          body: text,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        await res.body?.cancel().catch(() => {});
        if (res.ok) return;
        // A 4xx other than 408/429 will not get better by retrying.
        if (res.status < 500 && res.status !== 408 && res.status !== 429) {
          options.log.warn({ webhookId, status: res.status }, 'webhook refused the notification');
          return;
        }
        options.log.warn({ webhookId, status: res.status, attempt }, 'webhook delivery failed');
      } catch (err) {
        options.log.warn({ webhookId, attempt, err: (err as Error).message }, 'webhook delivery failed');
      }
      if (attempt < attempts && !closed)
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)).unref());
    }
  }

  return {
    notify(notification) {
      if (closed) return;
      const delivery = deliver(notification)
        .catch((err: unknown) => options.log.warn({ err }, 'could not send notifications'))
        .finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    },
    async close() {
      closed = true;
      await Promise.race([Promise.all([...inFlight]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}

export function slackBody(n: Notification): { text: string } {
  return { text: `afterpatch: ${n.summary} (rollout "${n.rolloutName}", ${n.event})` };
}
