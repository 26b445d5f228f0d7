// This server instance's row in server_instances, kept fresh by a heartbeat, and the reaping of
// instances that stopped beating. A host's `online` flag belongs to the instance named in its
// instance_id; when an instance crashes nobody clears its flags, so every instance, on every
// heartbeat, deletes the instances silent for STALE_AFTER_BEATS intervals and marks offline the
// online hosts whose instance no longer exists (also those left without one by older versions).
//
// A crashed instance that restarts gets a new id (it cannot know it was the previous one: several
// instances may share a data directory or a host). Its old row is reaped by whichever instance
// beats first after the old heartbeat went stale, the restarted one included, so a crash leaves
// stale `online` flags for at most (STALE_AFTER_BEATS + 1) heartbeat intervals. With PGlite there
// is only ever one process: everything still online at start is a leftover, cleared at once.
//
// The heartbeat uses the database's clock (now()), so instances need not agree on the time. An
// instance that was paused long enough to be reaped notices on its next beat (its row is gone),
// registers again and marks its still-connected hosts online again.
import { hostname } from 'node:os';
import type { PrismaClient } from '../db/generated/client.js';

export const STALE_AFTER_BEATS = 3;
/** Large cluster messages whose recipient never read them (it died) are removed after this. */
const ORPHAN_MESSAGE_SECONDS = 600;

export interface RegistryLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface InstanceRegistryOptions {
  instanceId: string;
  prisma: PrismaClient;
  kind: 'pglite' | 'postgres';
  heartbeatSeconds: number;
  logger: RegistryLogger;
  /** Host ids connected to this instance now (re-marked online after being reaped while alive). */
  connectedHostIds: () => string[];
}

export class InstanceRegistry {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: InstanceRegistryOptions) {}

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** Registers this instance and reaps the dead ones; then beats every heartbeatSeconds. */
  async start(): Promise<void> {
    const { prisma, kind } = this.options;
    if (kind === 'pglite') {
      // Only one process can open a PGlite directory: every other instance and every online flag
      // is a leftover of a run that ended without closing.
      await prisma.$transaction([
        prisma.$executeRaw`DELETE FROM server_instances`,
        prisma.$executeRaw`UPDATE hosts SET online = false, instance_id = NULL WHERE online OR instance_id IS NOT NULL`,
      ]);
    }
    await this.insertSelf();
    await this.reap();
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = undefined;
      });
    }, this.options.heartbeatSeconds * 1000);
    this.timer.unref();
  }

  /** Stops beating, marks this instance's hosts offline and removes its row. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    const { prisma, instanceId } = this.options;
    await prisma.$transaction([
      prisma.$executeRaw`UPDATE hosts SET online = false, instance_id = NULL WHERE instance_id = ${instanceId}::uuid`,
      prisma.$executeRaw`DELETE FROM server_instances WHERE id = ${instanceId}::uuid`,
    ]);
  }

  /** One heartbeat and one reaping pass; errors are logged (the database may be down for a while). */
  async beat(): Promise<void> {
    if (this.stopped) return;
    const { prisma, instanceId, logger } = this.options;
    try {
      const updated = await prisma.$executeRaw`
        UPDATE server_instances SET heartbeat_at = now() WHERE id = ${instanceId}::uuid`;
      if (updated === 0 && !this.stopped) {
        logger.warn(
          { instanceId },
          'this instance was reaped while alive (paused or cut off?); registering again',
        );
        await this.insertSelf();
        const hostIds = this.options.connectedHostIds();
        if (hostIds.length > 0) {
          await prisma.$executeRaw`
            UPDATE hosts SET online = true, instance_id = ${instanceId}::uuid
             WHERE id = ANY(${hostIds}::uuid[]) AND revoked_at IS NULL`;
        }
      }
      await this.reap();
    } catch (err) {
      logger.warn({ err }, 'instance heartbeat failed');
    }
  }

  /** Deletes the instances silent for too long and marks their hosts offline; returns how many hosts. */
  async reap(): Promise<number> {
    const { prisma, instanceId, logger } = this.options;
    const staleSeconds = this.options.heartbeatSeconds * STALE_AFTER_BEATS;
    // One transaction: an instance being reaped that beats meanwhile waits for the row lock, then
    // finds its row gone and registers again (after this transaction marked its hosts offline).
    const [reaped, hosts] = await prisma.$transaction([
      prisma.$queryRaw<Array<{ id: string }>>`
        DELETE FROM server_instances
         WHERE heartbeat_at < now() - make_interval(secs => ${staleSeconds}::float8) AND id <> ${instanceId}::uuid
        RETURNING id::text AS id`,
      prisma.$executeRaw`
        UPDATE hosts SET online = false, instance_id = NULL
         WHERE online
           AND (instance_id IS NULL OR NOT EXISTS (SELECT 1 FROM server_instances i WHERE i.id = hosts.instance_id))`,
      prisma.$executeRaw`
        DELETE FROM cluster_messages WHERE created_at < now() - make_interval(secs => ${ORPHAN_MESSAGE_SECONDS}::float8)`,
    ]);
    if (reaped.length > 0 || hosts > 0) {
      logger.info(
        { instances: reaped.map((r) => r.id), hostsMarkedOffline: hosts },
        'reaped server instances that stopped beating',
      );
    }
    return hosts;
  }

  private async insertSelf(): Promise<void> {
    const { prisma, instanceId } = this.options;
    await prisma.$executeRaw`
      INSERT INTO server_instances (id, hostname, pid) VALUES (${instanceId}::uuid, ${hostname().slice(0, 255)}, ${process.pid})
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`;
  }
}
