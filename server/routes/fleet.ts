// The fleet overview: totals with per-label counts, and stale packages across the fleet with the
// hosts that run each. Viewer role.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { DateTime } from '../../shared/api/fields.js';
import { FleetPackagePage, FleetSummary, FleetTimeline, PackageHostPage } from '../../shared/api/fleet.js';
import { apiError } from '../errors.js';
import {
  fleetByLabel,
  fleetStalePackages,
  fleetTotals,
  hostsRunningStalePackage,
} from '../fleet/fleet-queries.js';
import { fleetTimeline, MAX_TIMELINE_POINTS } from '../fleet/fleet-timeline.js';
import { errors, iso, PageSize } from './schemas.js';

const SummaryQuery = Type.Object(
  { labelKey: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })) },
  { additionalProperties: false },
);
const PackagesQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
    pageSize: PageSize,
  },
  { additionalProperties: false },
);
const PackageHostsQuery = Type.Object(
  { page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }), pageSize: PageSize },
  { additionalProperties: false },
);
const TimelineQuery = Type.Object(
  {
    bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'day' }),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);
// Without `from`: the last 30 days by day, the last 48 hours by hour.
const DEFAULT_SPAN_MS = { day: 29 * 86_400_000, hour: 47 * 3_600_000 };

export default async function fleetRoutes(app: FastifyInstance) {
  const viewer = { minRole: 'viewer' as const };

  app.get<{ Querystring: Static<typeof SummaryQuery> }>(
    '/summary',
    {
      config: viewer,
      schema: {
        tags: ['fleet'],
        querystring: SummaryQuery,
        response: { 200: FleetSummary, ...errors(401, 503) },
      },
    },
    async function fleetSummary(request) {
      const [totals, byLabel] = await Promise.all([
        fleetTotals(app.db.prisma),
        fleetByLabel(app.db.prisma, request.query.labelKey),
      ]);
      return {
        ...totals,
        oldestStaleSince: iso(totals.oldestStaleSince),
        byLabel: byLabel.map((l) => ({ ...l, oldestStaleSince: iso(l.oldestStaleSince) })),
      };
    },
  );

  app.get<{ Querystring: Static<typeof PackagesQuery> }>(
    '/packages',
    {
      config: viewer,
      schema: {
        tags: ['fleet'],
        description: 'Packages whose replaced files are still in use somewhere, most widespread first.',
        querystring: PackagesQuery,
        response: { 200: FleetPackagePage, ...errors(400, 401, 503) },
      },
    },
    async function stalePackages(request) {
      const { page, pageSize, search } = request.query;
      const result = await fleetStalePackages(app.db.prisma, {
        limit: pageSize,
        offset: (page - 1) * pageSize,
        ...(search ? { search } : {}),
      });
      return { ...result, page, pageSize };
    },
  );

  app.get<{ Params: { name: string }; Querystring: Static<typeof PackageHostsQuery> }>(
    '/packages/:name/hosts',
    {
      config: viewer,
      schema: {
        tags: ['fleet'],
        description: 'The hosts whose processes still run old files of this package.',
        params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 1024 }) }),
        querystring: PackageHostsQuery,
        response: { 200: PackageHostPage, ...errors(400, 401, 503) },
      },
    },
    async function packageHosts(request) {
      const { page, pageSize } = request.query;
      const result = await hostsRunningStalePackage(app.db.prisma, {
        name: request.params.name,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      return { ...result, page, pageSize };
    },
  );

  app.get<{ Querystring: Static<typeof TimelineQuery> }>(
    '/timeline',
    {
      config: viewer,
      schema: {
        tags: ['fleet'],
        description: `Hosts per status at the end of each hour or day (UTC buckets, at most ${MAX_TIMELINE_POINTS}), from the hosts’ history. Revoked hosts are left out; online/offline is not historised.`,
        querystring: TimelineQuery,
        response: { 200: FleetTimeline, ...errors(400, 401, 503) },
      },
    },
    async function timeline(request) {
      const { bucket } = request.query;
      const to = request.query.to ? new Date(request.query.to) : new Date();
      const from = request.query.from
        ? new Date(request.query.from)
        : new Date(to.getTime() - DEFAULT_SPAN_MS[bucket]);
      if (from > to) throw apiError('AP_VALIDATION_FAILED', 'from is after to');
      let points: Awaited<ReturnType<typeof fleetTimeline>>;
      try {
        points = await fleetTimeline(app.db.prisma, { from, to, bucket });
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        throw apiError('AP_VALIDATION_FAILED', `at most ${MAX_TIMELINE_POINTS} ${bucket}s; narrow the range`);
      }
      return { bucket, points: points.map((p) => ({ ...p, at: p.at.toISOString() })) };
    },
  );
}
