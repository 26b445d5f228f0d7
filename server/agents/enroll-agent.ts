// Enrolment: an agent trades an enrollment token for a host id and a credential (apc_…, stored
// only as a hash). The token's use is counted by one conditional UPDATE, so concurrent enrolments
// cannot exceed maxUses. Re-enrolling a known machineId rotates the credential of the same host
// (and lifts a revocation: an admin handed out the token).
import { recordAudit } from '../audit/record-audit.js';
import { hashSecret, newSecret, SECRET_PREFIX } from '../auth/secrets.js';
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import { apiError } from '../errors.js';

export interface EnrollAgentOptions {
  enrollmentToken: string;
  hostname: string;
  machineId?: string;
  /** The client's address, for the audit log. */
  ip: string;
}

export interface EnrollAgentResult {
  hostId: string;
  credential: string;
  reenrolled: boolean;
}

export async function enrollAgent(
  prisma: PrismaClient,
  options: EnrollAgentOptions,
): Promise<EnrollAgentResult> {
  const credential = newSecret(SECRET_PREFIX.hostCredential);
  const credentialHash = hashSecret(credential);
  const tokenHash = hashSecret(options.enrollmentToken);
  return prisma.$transaction(async (tx) => {
    const used = await tx.$queryRaw<Array<{ id: string; name: string; labels: Prisma.JsonObject }>>`
      UPDATE enrollment_tokens SET uses = uses + 1
       WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND expires_at > now()
         AND (max_uses IS NULL OR uses < max_uses)
       RETURNING id::text AS id, name, labels`;
    const token = used[0];
    if (!token) throw apiError('AP_ENROLLMENT_TOKEN_INVALID');
    const existing = options.machineId
      ? await tx.host.findUnique({
          where: { machineId: options.machineId },
          select: { id: true, labels: true },
        })
      : null;
    const now = new Date();
    let hostId: string;
    if (existing) {
      await tx.host.update({
        where: { id: existing.id },
        data: {
          hostname: options.hostname,
          credentialHash,
          credentialRotatedAt: now,
          revokedAt: null,
          enrollmentTokenId: token.id,
          labels: { ...(existing.labels as Prisma.JsonObject), ...token.labels },
        },
      });
      hostId = existing.id;
    } else {
      const host = await tx.host.create({
        data: {
          hostname: options.hostname,
          machineId: options.machineId ?? null,
          credentialHash,
          // The server's clock, like the agent tokens' iat it is compared with (not the database's).
          credentialRotatedAt: now,
          enrollmentTokenId: token.id,
          labels: token.labels,
        },
        select: { id: true },
      });
      hostId = host.id;
    }
    await recordAudit(
      tx,
      { type: 'agent', id: hostId, name: options.hostname },
      {
        action: existing ? 'agent.reenroll' : 'agent.enroll',
        targetType: 'host',
        targetId: hostId,
        details: {
          enrollmentTokenId: token.id,
          enrollmentTokenName: token.name,
          ip: options.ip,
          ...(existing ? { credentialRotated: true } : {}),
        },
      },
    );
    return { hostId, credential, reenrolled: existing !== null };
  });
}
