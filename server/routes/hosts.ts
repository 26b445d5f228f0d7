// Hosts: the filtered, sorted, paginated list; one host's detail and history; and the operations
// on a host (ask for a scan, set labels, revoke its credential).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { CLOSE_CODES } from '../../shared/agent-protocol.js';
import { Labels } from '../../shared/api/fields.js';
import { HistoryPage, HostDetail, HostPage, HostStatus, HostSummary } from '../../shared/api/hosts.js';
import { recordAudit } from '../audit/record-audit.js';
import { apiError } from '../errors.js';
import { HOST_SORTS, type HostSummaryRow, listHostRows, summarySelect } from '../fleet/host-list.js';
import { actorOf, principalOf } from '../plugins/auth.js';
import { errors, IdParams, iso, PageSize } from './schemas.js';

const ListQuery = Type.Object(
  {
    status: Type.Optional(HostStatus),
    online: Type.Optional(Type.Boolean()),
    /** key:value, e.g. env:prod */
    label: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.\\-/]{1,63}:.{0,255}$' })),
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    includeRevoked: Type.Optional(Type.Boolean()),
    sort: Type.Union(
      HOST_SORTS.map((s) => Type.Literal(s)),
      { default: 'hostname' },
    ),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    pageSize: PageSize,
  },
  { additionalProperties: false },
);
const HistoryQuery = Type.Object(
  {
    /** Cursor: only rows with a smaller id (the `nextCursor` of the previous page). */
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
    limit: PageSize,
  },
  { additionalProperties: false },
);
function toHostSummary(h: HostSummaryRow) {
  return {
    ...h,
    labels: h.labels as Record<string, string>,
    lastSeenAt: iso(h.lastSeenAt),
    reportedAt: iso(h.reportedAt),
    staleSince: iso(h.staleSince),
    enrolledAt: h.enrolledAt.toISOString(),
    revokedAt: iso(h.revokedAt),
  };
}

export default async function hostRoutes(app: FastifyInstance) {
  const prisma = () => app.db.prisma;

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['hosts'],
        querystring: ListQuery,
        response: {
          200: HostPage,
          ...errors(400, 401, 503),
        },
      },
    },
    async function listHosts(request) {
      const q = request.query;
      const { items, total } = await listHostRows(prisma(), q);
      return { items: items.map(toHostSummary), page: q.page, pageSize: q.pageSize, total };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/:id',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['hosts'],
        params: IdParams,
        response: { 200: HostDetail, ...errors(400, 401, 404, 503) },
      },
    },
    async function getHost(request) {
      const host = await prisma().host.findUnique({
        where: { id: request.params.id },
        select: {
          ...summarySelect,
          machineId: true,
          bootId: true,
          reportSeq: true,
          currentReport: { select: { report: true } },
        },
      });
      if (!host) throw apiError('AP_NOT_FOUND', 'no such host');
      return {
        ...toHostSummary(host),
        machineId: host.machineId,
        bootId: host.bootId,
        reportSeq: Number(host.reportSeq),
        report: host.currentReport?.report ?? null,
      };
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof HistoryQuery> }>(
    '/:id/history',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['hosts'],
        description:
          'Changes of the host’s findings, newest first; page with `before` = the previous `nextCursor`.',
        params: IdParams,
        querystring: HistoryQuery,
        response: {
          200: HistoryPage,
          ...errors(400, 401, 404, 503),
        },
      },
    },
    async function hostHistory(request) {
      const { id } = request.params;
      const { before, limit } = request.query;
      const exists = await prisma().host.findUnique({ where: { id }, select: { id: true } });
      if (!exists) throw apiError('AP_NOT_FOUND', 'no such host');
      const rows = await prisma().hostHistory.findMany({
        where: { hostId: id, ...(before ? { id: { lt: BigInt(before) } } : {}) },
        orderBy: { id: 'desc' },
        take: limit + 1,
        select: { id: true, at: true, status: true, reportHash: true, summary: true },
      });
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          ...r,
          id: String(r.id),
          at: r.at.toISOString(),
          summary: r.summary as object,
        })),
        nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
      };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/:id/scan',
    {
      config: { minRole: 'operator' },
      schema: {
        tags: ['hosts'],
        description:
          'Asks the host’s agent to scan now (it must be connected, to this server instance or another one on the same database).',
        params: IdParams,
        response: { 202: Type.Object({ requestId: Type.String() }), ...errors(401, 403, 404) },
      },
    },
    async function requestScan(request, reply) {
      const principal = principalOf(request);
      const requestId = randomUUID();
      const delivery = await app.cluster.deliverToHost(request.params.id, 'scan-request', {
        requestId,
        reason: `requested by ${principal.username}`,
      });
      if (delivery === 'offline') throw apiError('AP_NOT_FOUND', 'the host is not connected');
      await recordAudit(prisma(), actorOf(principal), {
        action: 'host.scan-request',
        targetType: 'host',
        targetId: request.params.id,
        details: { requestId, delivery },
      });
      return reply.code(202).send({ requestId });
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof Labels> }>(
    '/:id/labels',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['hosts'],
        description: 'Replaces the host’s labels.',
        params: IdParams,
        body: Labels,
        response: { 200: HostSummary, ...errors(400, 401, 403, 404) },
      },
    },
    async function setLabels(request) {
      const principal = principalOf(request);
      const host = await prisma().$transaction(async (tx) => {
        const before = await tx.host.findUnique({
          where: { id: request.params.id },
          select: { labels: true },
        });
        if (!before) throw apiError('AP_NOT_FOUND', 'no such host');
        const after = await tx.host.update({
          where: { id: request.params.id },
          data: { labels: request.body },
          select: summarySelect,
        });
        await recordAudit(tx, actorOf(principal), {
          action: 'host.labels.update',
          targetType: 'host',
          targetId: request.params.id,
          details: { from: before.labels, to: request.body },
        });
        return after;
      });
      return toHostSummary(host);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/:id/revoke',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['hosts'],
        description:
          'Revokes the host’s credential: no new agent tokens, its connection is closed (4001). Re-enrolling lifts it.',
        params: IdParams,
        response: { 200: HostSummary, ...errors(401, 403, 404) },
      },
    },
    async function revokeHost(request) {
      const principal = principalOf(request);
      const host = await prisma().$transaction(async (tx) => {
        const before = await tx.host.findUnique({
          where: { id: request.params.id },
          select: { hostname: true, revokedAt: true },
        });
        if (!before) throw apiError('AP_NOT_FOUND', 'no such host');
        const after = await tx.host.update({
          where: { id: request.params.id },
          data: before.revokedAt ? {} : { revokedAt: new Date(), online: false },
          select: summarySelect,
        });
        if (!before.revokedAt) {
          await recordAudit(tx, actorOf(principal), {
            action: 'host.credential.revoke',
            targetType: 'host',
            targetId: request.params.id,
            details: { hostname: before.hostname },
          });
        }
        return after;
      });
      // Wherever the agent is connected: this instance or another one behind the load balancer.
      await app.cluster
        .disconnectHost(request.params.id, CLOSE_CODES.unauthorized, 'the host credential was revoked')
        .catch((err: unknown) =>
          // The revocation is committed: the agent's next frame is refused there anyway (4001).
          request.log.warn({ err, hostId: request.params.id }, 'could not close the revoked host connection'),
        );
      return toHostSummary(host);
    },
  );
}
