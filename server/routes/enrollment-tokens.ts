// Admin: enrollment tokens, the secrets new agents enroll with. Each expires, may be limited to a
// number of uses, gives the hosts it enrolls its labels, and can be revoked. The secret is shown
// once at creation.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { DateTime, Labels, NullableDateTime } from '../../shared/api/fields.js';
import { recordAudit } from '../audit/record-audit.js';
import { hashSecret, newSecret, SECRET_PREFIX } from '../auth/secrets.js';
import type { Prisma } from '../db/generated/client.js';
import { apiError } from '../errors.js';
import { actorOf, principalOf } from '../plugins/auth.js';
import { errors, IdParams, iso } from './schemas.js';

const EnrollmentToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdBy: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  revokedAt: NullableDateTime,
  maxUses: Type.Union([Type.Integer(), Type.Null()]),
  uses: Type.Integer(),
  labels: Labels,
  usable: Type.Boolean(),
});
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresInSeconds: Type.Integer({ minimum: 60, maximum: 366 * 24 * 3600 }),
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);

const select = {
  id: true,
  name: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  maxUses: true,
  uses: true,
  labels: true,
  createdBy: { select: { username: true } },
} as const;
type Row = Prisma.EnrollmentTokenGetPayload<{ select: typeof select }>;
function toEnrollmentToken(t: Row) {
  const usable =
    !t.revokedAt && t.expiresAt.getTime() > Date.now() && (t.maxUses === null || t.uses < t.maxUses);
  return {
    id: t.id,
    name: t.name,
    createdBy: t.createdBy.username,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    revokedAt: iso(t.revokedAt),
    maxUses: t.maxUses,
    uses: t.uses,
    labels: t.labels as Record<string, string>,
    usable,
  };
}

export default async function enrollmentTokenRoutes(app: FastifyInstance) {
  const adminOnly = { minRole: 'admin' as const };

  app.get(
    '',
    {
      config: adminOnly,
      schema: {
        tags: ['enrollment-tokens'],
        response: { 200: Type.Object({ items: Type.Array(EnrollmentToken) }), ...errors(401, 403) },
      },
    },
    async function listEnrollmentTokens() {
      const rows = await app.db.prisma.enrollmentToken.findMany({
        select,
        orderBy: { createdAt: 'desc' },
        take: 1000,
      });
      return { items: rows.map(toEnrollmentToken) };
    },
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    '',
    {
      config: adminOnly,
      schema: {
        tags: ['enrollment-tokens'],
        body: CreateBody,
        response: {
          201: Type.Object({
            token: Type.String({ description: 'Shown only now' }),
            enrollmentToken: EnrollmentToken,
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async function createEnrollmentToken(request, reply) {
      const principal = principalOf(request);
      const secret = newSecret(SECRET_PREFIX.enrollmentToken);
      const { name, expiresInSeconds, maxUses, labels } = request.body;
      const row = await app.db.prisma.$transaction(async (tx) => {
        const created = await tx.enrollmentToken.create({
          data: {
            name,
            tokenHash: hashSecret(secret),
            createdById: principal.userId,
            expiresAt: new Date(Date.now() + expiresInSeconds * 1000),
            maxUses: maxUses ?? null,
            labels: labels ?? {},
          },
          select,
        });
        await recordAudit(tx, actorOf(principal), {
          action: 'enrollment-token.create',
          targetType: 'enrollment-token',
          targetId: created.id,
          details: {
            name,
            expiresAt: created.expiresAt.toISOString(),
            maxUses: maxUses ?? null,
            labels: labels ?? {},
          },
        });
        return created;
      });
      return reply.code(201).send({ token: secret, enrollmentToken: toEnrollmentToken(row) });
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['enrollment-tokens'],
        params: IdParams,
        response: { 200: EnrollmentToken, ...errors(401, 403, 404) },
      },
    },
    async function revokeEnrollmentToken(request) {
      const principal = principalOf(request);
      const row = await app.db.prisma.$transaction(async (tx) => {
        const token = await tx.enrollmentToken.findUnique({ where: { id: request.params.id }, select });
        if (!token) throw apiError('AP_NOT_FOUND', 'no such enrollment token');
        if (token.revokedAt) return token;
        const revoked = await tx.enrollmentToken.update({
          where: { id: token.id },
          data: { revokedAt: new Date() },
          select,
        });
        await recordAudit(tx, actorOf(principal), {
          action: 'enrollment-token.revoke',
          targetType: 'enrollment-token',
          targetId: token.id,
          details: { name: token.name },
        });
        return revoked;
      });
      return toEnrollmentToken(row);
    },
  );
}
