// API tokens for automation: a user creates tokens that act with the user's role; the secret is
// shown once and only its hash is kept. Users see and revoke their own tokens; admins see
// (?all=true) and revoke everyone's.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { DateTime, NullableDateTime } from '../../shared/api/fields.js';
import { recordAudit } from '../audit/record-audit.js';
import { hashSecret, newSecret, SECRET_PREFIX } from '../auth/secrets.js';
import type { Prisma } from '../db/generated/client.js';
import { apiError } from '../errors.js';
import { actorOf, principalOf } from '../plugins/auth.js';
import { errors, IdParams, iso } from './schemas.js';

const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  userId: Type.String(),
  username: Type.String(),
  createdAt: DateTime,
  expiresAt: NullableDateTime,
  revokedAt: NullableDateTime,
  lastUsedAt: NullableDateTime,
});
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    /** Omitted: the token does not expire (until revoked). */
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 5 * 366 * 24 * 3600 })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

const tokenSelect = {
  id: true,
  name: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  user: { select: { id: true, username: true } },
} as const;
type TokenRow = Prisma.ApiTokenGetPayload<{ select: typeof tokenSelect }>;
function toApiToken(t: TokenRow) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    userId: t.user.id,
    username: t.user.username,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
    lastUsedAt: iso(t.lastUsedAt),
  };
}

export default async function apiTokenRoutes(app: FastifyInstance) {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['api-tokens'],
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(ApiToken) }), ...errors(401, 403) },
      },
    },
    async function listApiTokens(request) {
      const principal = principalOf(request);
      if (request.query.all && principal.role !== 'admin')
        throw apiError('AP_FORBIDDEN', 'all=true needs admin');
      const rows = await app.db.prisma.apiToken.findMany({
        where: request.query.all ? {} : { userId: principal.userId },
        select: tokenSelect,
        orderBy: { createdAt: 'desc' },
        take: 1000,
      });
      return { items: rows.map(toApiToken) };
    },
  );

  app.post<{ Body: Static<typeof CreateBody> }>(
    '',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['api-tokens'],
        body: CreateBody,
        response: {
          201: Type.Object({ token: Type.String({ description: 'Shown only now' }), apiToken: ApiToken }),
          ...errors(400, 401),
        },
      },
    },
    async function createApiToken(request, reply) {
      const principal = principalOf(request);
      const secret = newSecret(SECRET_PREFIX.apiToken);
      const { name, expiresInSeconds } = request.body;
      const row = await app.db.prisma.$transaction(async (tx) => {
        const created = await tx.apiToken.create({
          data: {
            userId: principal.userId,
            name,
            tokenHash: hashSecret(secret),
            prefix: secret.slice(0, 10),
            expiresAt: expiresInSeconds ? new Date(Date.now() + expiresInSeconds * 1000) : null,
          },
          select: tokenSelect,
        });
        await recordAudit(tx, actorOf(principal), {
          action: 'api-token.create',
          targetType: 'api-token',
          targetId: created.id,
          details: { name, prefix: created.prefix, expiresAt: iso(created.expiresAt) },
        });
        return created;
      });
      return reply.code(201).send({ token: secret, apiToken: toApiToken(row) });
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/:id',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['api-tokens'],
        params: IdParams,
        response: { 200: ApiToken, ...errors(401, 403, 404) },
      },
    },
    async function revokeApiToken(request) {
      const principal = principalOf(request);
      const row = await app.db.prisma.$transaction(async (tx) => {
        const token = await tx.apiToken.findUnique({ where: { id: request.params.id }, select: tokenSelect });
        // Someone else's token is "not found" to a non-admin: no probing of ids.
        if (!token || (token.user.id !== principal.userId && principal.role !== 'admin')) {
          throw apiError('AP_NOT_FOUND', 'no such API token');
        }
        if (token.revokedAt) return token;
        const revoked = await tx.apiToken.update({
          where: { id: token.id },
          data: { revokedAt: new Date() },
          select: tokenSelect,
        });
        await recordAudit(tx, actorOf(principal), {
          action: 'api-token.revoke',
          targetType: 'api-token',
          targetId: token.id,
          details: { name: token.name, owner: token.user.username },
        });
        return revoked;
      });
      return toApiToken(row);
    },
  );
}
