// Appends one audit event. Takes a transaction client where the audited change is written, so the
// event commits or rolls back with it.
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import type { ActorType } from '../db/generated/enums.js';

export interface Actor {
  type: ActorType;
  /** User id, API token id, host id; null for the system. */
  id: string | null;
  /** Username or hostname, copied into details for readers of the log. */
  name?: string;
}

export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null });

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(
  db: PrismaClient | Prisma.TransactionClient,
  actor: Actor,
  entry: AuditEntry,
): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorType: actor.type,
      actorId: actor.id,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      details: {
        ...(actor.name ? { actorName: actor.name } : {}),
        ...entry.details,
      } as Prisma.InputJsonObject,
    },
  });
}
