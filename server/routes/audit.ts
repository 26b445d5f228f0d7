// Admin: the audit log, newest first, filtered by actor, action and time, paged by id cursor.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Prisma } from '../db/generated/client.js';
import { DateTime, errors, PageSize } from './schemas.js';

const Query = Type.Object(
  {
    actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    actorType: Type.Optional(Type.Union(['user', 'token', 'agent', 'system'].map((t) => Type.Literal(t)))),
    /** Exact action, or a prefix ending in '.', e.g. 'auth.' */
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
    limit: PageSize,
  },
  { additionalProperties: false },
);
const Event = Type.Object({
  id: Type.String(),
  at: DateTime,
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Object({}, { additionalProperties: true }),
});

export default async function auditRoutes(app: FastifyInstance) {
  app.get<{ Querystring: Static<typeof Query> }>(
    '',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['audit'],
        querystring: Query,
        response: {
          200: Type.Object({
            items: Type.Array(Event),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async function listAudit(request) {
      const q = request.query;
      const where: Prisma.AuditEventWhereInput = {};
      if (q.actorId) where.actorId = q.actorId;
      if (q.actorType) where.actorType = q.actorType as Prisma.AuditEventWhereInput['actorType'];
      if (q.action) where.action = q.action.endsWith('.') ? { startsWith: q.action } : q.action;
      if (q.from || q.to)
        where.at = { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) };
      if (q.before) where.id = { lt: BigInt(q.before) };
      const rows = await app.db.prisma.auditEvent.findMany({
        where,
        orderBy: { id: 'desc' },
        take: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((e) => ({
          ...e,
          id: String(e.id),
          at: e.at.toISOString(),
          details: e.details as object,
        })),
        nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
      };
    },
  );
}
