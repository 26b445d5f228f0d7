// Admin: the audit log, newest first, filtered by actor, target, action and time, paged by id
// cursor; and the same filters exported whole as CSV or JSON (read in batches, streamed).
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { AuditPage } from '../../shared/api/audit.js';
import { DateTime } from '../../shared/api/fields.js';
import { auditCsvHeader, auditCsvRow } from '../audit/audit-csv.js';
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import { errors, PageSize } from './schemas.js';

const Filters = {
  actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  actorType: Type.Optional(Type.Union(['user', 'token', 'agent', 'system'].map((t) => Type.Literal(t)))),
  /** Exact action, or a prefix ending in '.', e.g. 'auth.' */
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  /** The target's id, e.g. a host id: everything done to that host. */
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
};
type FilterQuery = { [K in keyof typeof Filters]?: string };
const Query = Type.Object(
  { ...Filters, before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })), limit: PageSize },
  { additionalProperties: false },
);
const ExportQuery = Type.Object(
  { ...Filters, format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }) },
  { additionalProperties: false },
);
/** An export stops here (and says so in a header): narrow the filters for more. */
export const MAX_EXPORT_ROWS = 100_000;
const EXPORT_BATCH = 1000;

function whereOf(q: FilterQuery): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = {};
  if (q.actorId) where.actorId = q.actorId;
  if (q.actorType) where.actorType = q.actorType as Prisma.AuditEventWhereInput['actorType'];
  if (q.action) where.action = q.action.endsWith('.') ? { startsWith: q.action } : q.action;
  if (q.targetId) where.targetId = q.targetId;
  if (q.from || q.to)
    where.at = { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) };
  return where;
}

type EventRow = Awaited<ReturnType<PrismaClient['auditEvent']['findMany']>>[number];
function toEvent(e: EventRow) {
  return { ...e, id: String(e.id), at: e.at.toISOString(), details: e.details as Record<string, unknown> };
}

async function* exportEvents(prisma: PrismaClient, where: Prisma.AuditEventWhereInput) {
  let before: bigint | undefined;
  let sent = 0;
  while (sent < MAX_EXPORT_ROWS) {
    const rows = await prisma.auditEvent.findMany({
      where: before === undefined ? where : { AND: [where, { id: { lt: before } }] },
      orderBy: { id: 'desc' },
      take: Math.min(EXPORT_BATCH, MAX_EXPORT_ROWS - sent),
    });
    for (const row of rows) yield toEvent(row);
    sent += rows.length;
    if (rows.length < EXPORT_BATCH) return;
    before = rows[rows.length - 1]!.id;
  }
}

export default async function auditRoutes(app: FastifyInstance) {
  app.get<{ Querystring: Static<typeof Query> }>(
    '',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['audit'],
        querystring: Query,
        response: {
          200: AuditPage,
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async function listAudit(request) {
      const q = request.query;
      const where = whereOf(q);
      if (q.before) where.id = { lt: BigInt(q.before) };
      const rows = await app.db.prisma.auditEvent.findMany({
        where,
        orderBy: { id: 'desc' },
        take: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      return {
        items: page.map(toEvent),
        nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
      };
    },
  );

  app.get<{ Querystring: Static<typeof ExportQuery> }>(
    '/export',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['audit'],
        description: `The filtered audit log as a CSV or JSON download, newest first, at most ${MAX_EXPORT_ROWS} events.`,
        querystring: ExportQuery,
        produces: ['text/csv', 'application/json'],
        response: { ...errors(400, 401, 403, 503) },
      },
    },
    async function exportAudit(request, reply) {
      const { format, ...filters } = request.query;
      const events = exportEvents(app.db.prisma, whereOf(filters));
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      reply
        .header('content-disposition', `attachment; filename="afterpatch-audit-${stamp}.${format}"`)
        .header('cache-control', 'no-store')
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
      const body = format === 'csv' ? Readable.from(csvLines(events)) : Readable.from(jsonLines(events));
      return reply.send(body);
    },
  );
}

async function* csvLines(events: AsyncIterable<ReturnType<typeof toEvent>>) {
  yield auditCsvHeader();
  for await (const event of events) yield auditCsvRow(event);
}

// A JSON array written element by element (the whole log never sits in memory).
async function* jsonLines(events: AsyncIterable<ReturnType<typeof toEvent>>) {
  let first = true;
  yield '[';
  for await (const event of events) {
    yield `${first ? '' : ','}\n${JSON.stringify(event)}`;
    first = false;
  }
  yield '\n]\n';
}
