// The message bus on PostgreSQL: LISTEN/NOTIFY. Each instance listens on its own channel
// (ap_i_<instance id without dashes>) over a dedicated connection (a pooled one would lose the
// LISTEN when returned), reconnected with backoff when it drops. NOTIFY payloads are limited to
// 8000 bytes: a larger message is stored in cluster_messages and only its id is notified; the
// recipient deletes the row as it reads it. Notifications sent while the listener reconnects
// are lost (at most once, see message-bus.ts).
import pg from 'pg';
import type { PrismaClient } from '../db/generated/client.js';
import { type ClusterMessage, parseClusterMessage } from './cluster-message.js';
import type { ClusterMessageHandler, MessageBus } from './message-bus.js';

/** Below PostgreSQL's 8000-byte NOTIFY limit, with room for the channel name. */
export const MAX_NOTIFY_BYTES = 7900;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 15_000;

export interface BusLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface PgMessageBusOptions {
  instanceId: string;
  connectionString: string;
  prisma: PrismaClient;
  logger: BusLogger;
}

export function channelOf(instanceId: string): string {
  return `ap_i_${instanceId.replace(/-/g, '').toLowerCase()}`;
}

export function createPgMessageBus(options: PgMessageBusOptions): MessageBus {
  const { prisma, logger } = options;
  let client: pg.Client | undefined;
  let handler: ClusterMessageHandler | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;

  async function receive(payload: string | undefined): Promise<void> {
    if (!handler || !payload) return;
    let value: unknown;
    try {
      value = JSON.parse(payload);
      const ref = (value as { ref?: unknown }).ref;
      if (typeof ref === 'string' && /^\d{1,19}$/.test(ref)) {
        const rows = await prisma.$queryRaw<Array<{ body: unknown }>>`
          DELETE FROM cluster_messages WHERE id = ${BigInt(ref)} RETURNING body`;
        value = rows[0]?.body;
      }
    } catch (err) {
      logger.warn({ err }, 'cluster message could not be read');
      return;
    }
    const message = parseClusterMessage(value);
    if (!message) {
      logger.warn({ payload: payload.slice(0, 200) }, 'invalid cluster message ignored');
      return;
    }
    handler(message);
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: 10_000,
    });
    // A listener without 'error' handling would crash the process when the connection drops.
    next.on('error', (err) => logger.warn({ err }, 'cluster listen connection failed'));
    next.on('end', () => {
      if (client !== next) return;
      client = undefined;
      scheduleReconnect();
    });
    next.on('notification', (n) => void receive(n.payload));
    await next.connect();
    await next.query(`LISTEN ${channelOf(options.instanceId)}`);
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    if (failures > 0) logger.info({ failures }, 'cluster listen connection restored');
    failures = 0;
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(failures, 10));
    failures++;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        connect().catch((err: unknown) => {
          logger.warn({ err, retryInMs: delay }, 'cluster listen connection could not be opened');
          scheduleReconnect();
        });
      },
      delay * (0.5 + Math.random() / 2),
    );
    retryTimer.unref();
  }

  return {
    async publish(instanceId: string, message: ClusterMessage) {
      const channel = channelOf(instanceId);
      let payload = JSON.stringify(message);
      if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) {
        const rows = await prisma.$queryRaw<Array<{ id: bigint }>>`
          INSERT INTO cluster_messages (recipient_id, body)
          VALUES (${instanceId}::uuid, ${payload}::jsonb) RETURNING id`;
        payload = JSON.stringify({ ref: String(rows[0]!.id) });
      }
      await prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
    },
    async listen(next: ClusterMessageHandler) {
      handler = next;
      await connect();
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
