// Rollouts: preview (the plan, nothing stored), create (awaiting approval), list, get (with steps,
// their evidence, and why pending steps wait), approve (operator; admin when a protected group is
// touched), pause, resume (a halted one too, with a note), cancel. There is no "start": approval
// is the go-ahead, and an approved rollout starts at its startAt (docs/rollouts.md, Lifecycle).
// The executor (server/rollouts/rollout-executor.ts) runs them.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { RolloutOptions } from '../../shared/api/rollout-options.js';
import {
  type RecordedStepEvidence,
  RolloutDetail,
  RolloutPreview,
  RolloutState,
  type RolloutStep,
  RolloutSummary,
} from '../../shared/api/rollouts.js';
import type { Plan } from '../../shared/rollout-plan.js';
import type { ServerConfig } from '../config/server-config.js';
import { apiError } from '../errors.js';
import { actorOf, principalOf } from '../plugins/auth.js';
import {
  approveRollout,
  type Caller,
  createRollout,
  pauseRollout,
  previewRollout,
  resumeRollout,
} from '../rollouts/rollout-service.js';
import { cancelRollout } from '../rollouts/transitions.js';
import { errors, IdParams, iso, PageSize } from './schemas.js';

const CancelBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1024 })) },
  { additionalProperties: false },
);
const ResumeBody = Type.Object(
  {
    /** What was investigated: required to resume a halted rollout. */
    note: Type.Optional(Type.String({ maxLength: 1024 })),
    /** A new failure budget (at least the failures so far), e.g. to let a halted one go on. */
    failureBudget: Type.Optional(RolloutOptions.properties.failureBudget),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  { state: Type.Optional(RolloutState), limit: PageSize },
  { additionalProperties: false },
);

/** A POST without a body (no reason, no note) is `{}`, not a validation error. */
async function emptyBodyAllowed(request: { body: unknown }) {
  request.body ??= {};
}

type RolloutRow = Awaited<ReturnType<typeof loadRollout>>;
async function loadRollout(app: FastifyInstance, id: string) {
  return app.db.prisma.rollout.findUnique({
    where: { id },
    include: { steps: { orderBy: { position: 'asc' } } },
  });
}

function summary(
  r: NonNullable<RolloutRow> | Omit<NonNullable<RolloutRow>, 'steps'>,
  counts: Record<string, number>,
) {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    requiresAdmin: r.requiresAdmin,
    createdBy: r.createdByName,
    approvedBy: r.approvedByName,
    approvedAt: iso(r.approvedAt),
    approvalExpiresAt: iso(r.approvalExpiresAt),
    failureBudget: r.failureBudget,
    failures: r.failures,
    haltReason: r.haltReason,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    version: r.version,
    counts,
  };
}

export default async function rolloutRoutes(app: FastifyInstance, options: { config: ServerConfig }) {
  const prisma = app.db.prisma;
  const caller = (request: Parameters<typeof principalOf>[0]): Caller => {
    const principal = principalOf(request);
    return { actor: actorOf(principal), role: principal.role };
  };
  const changed = async (id: string) => {
    const r = await prisma.rollout.findUnique({ where: { id }, select: { state: true, version: true } });
    if (r) app.events.publish('rollout.changed', { rolloutId: id, state: r.state, version: r.version });
  };
  const detail = async (id: string) => {
    const r = await loadRollout(app, id);
    if (!r) throw apiError('AP_NOT_FOUND', 'no such rollout');
    const holds = new Map(
      app.rollouts.executor.holds.filter((h) => h.rolloutId === id).map((h) => [h.stepId, h]),
    );
    const counts: Record<string, number> = {};
    for (const s of r.steps) counts[s.state] = (counts[s.state] ?? 0) + 1;
    return {
      ...summary(r, counts),
      // Stored as validated at creation: the options by the route's schema, the plan as planned.
      options: r.options as unknown as RolloutOptions,
      plan: r.plan as unknown as Plan,
      steps: r.steps.map((s): RolloutStep => {
        const hold = holds.get(s.id);
        return {
          id: s.id,
          hostId: s.hostId,
          hostname: s.hostname,
          position: s.position,
          state: s.state,
          action: s.action as RolloutStep['action'],
          operations: s.operations as RolloutStep['operations'],
          groups: s.groupNames as string[],
          dispatchedAt: iso(s.dispatchedAt),
          finishedAt: iso(s.finishedAt),
          agentState: s.agentState,
          agentMessage: s.agentMessage,
          failureReason: s.failureReason,
          expectedKernel: s.expectedKernel,
          bootIdAtDispatch: s.bootIdAtDispatch,
          evidence: s.evidence as RecordedStepEvidence,
          hold:
            hold && s.state === 'pending'
              ? {
                  kind: hold.kind,
                  ...(hold.group ? { group: hold.group } : {}),
                  ...(hold.until ? { until: hold.until.toISOString() } : {}),
                  detail: hold.detail,
                }
              : null,
        };
      }),
    };
  };

  app.post<{ Body: RolloutOptions }>(
    '/preview',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['rollouts'],
        description: 'The plan for these options, against the fleet as it is now; nothing is stored.',
        body: RolloutOptions,
        response: { 200: RolloutPreview, ...errors(400, 401) },
      },
    },
    async function preview(request) {
      const { plan, requiresAdmin } = await previewRollout(prisma, request.body, new Date());
      return { requiresAdmin, plan };
    },
  );

  app.post<{ Body: RolloutOptions }>(
    '',
    {
      config: { minRole: 'operator' },
      schema: {
        tags: ['rollouts'],
        body: RolloutOptions,
        response: { 201: RolloutDetail, ...errors(400, 401, 403) },
      },
    },
    async function create(request, reply) {
      const id = await createRollout(prisma, caller(request), request.body, new Date());
      await changed(id);
      return reply.code(201).send(await detail(id));
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['rollouts'],
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(RolloutSummary) }), ...errors(400, 401) },
      },
    },
    async function list(request) {
      const rows = await prisma.rollout.findMany({
        where: request.query.state ? { state: request.query.state as never } : {},
        orderBy: { createdAt: 'desc' },
        take: request.query.limit,
      });
      const counts = await prisma.rolloutStep.groupBy({
        by: ['rolloutId', 'state'],
        where: { rolloutId: { in: rows.map((r) => r.id) } },
        _count: { _all: true },
      });
      const byRollout = new Map<string, Record<string, number>>();
      for (const c of counts) {
        const entry = byRollout.get(c.rolloutId) ?? {};
        entry[c.state] = c._count._all;
        byRollout.set(c.rolloutId, entry);
      }
      return { items: rows.map((r) => summary(r, byRollout.get(r.id) ?? {})) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/:id',
    {
      config: { minRole: 'viewer' },
      schema: { tags: ['rollouts'], params: IdParams, response: { 200: RolloutDetail, ...errors(401, 404) } },
    },
    async function get(request) {
      return detail(request.params.id);
    },
  );

  const action = (
    path: string,
    run: (request: Parameters<typeof principalOf>[0] & { params: { id: string } }) => Promise<void>,
    description: string,
  ) =>
    app.post<{ Params: Static<typeof IdParams> }>(
      `/:id/${path}`,
      {
        config: { minRole: 'operator' },
        schema: {
          tags: ['rollouts'],
          description,
          params: IdParams,
          response: { 200: RolloutDetail, ...errors(401, 403, 404, 409) },
        },
      },
      async (request) => {
        await run(request);
        await changed(request.params.id);
        return detail(request.params.id);
      },
    );

  action(
    'approve',
    (request) =>
      approveRollout(
        prisma,
        caller(request),
        request.params.id,
        options.config.rolloutApprovalTtlSeconds,
        new Date(),
      ),
    'Approve (an admin when a protected group is touched); it starts at startAt if the approval has not expired.',
  );
  action(
    'pause',
    (request) => pauseRollout(prisma, caller(request), request.params.id),
    'No new dispatches.',
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ResumeBody> }>(
    '/:id/resume',
    {
      config: { minRole: 'operator' },
      preValidation: emptyBodyAllowed,
      schema: {
        tags: ['rollouts'],
        description:
          'Dispatch again: a paused rollout, or a halted one after investigation (a note is then required); optionally with a new failure budget.',
        params: IdParams,
        body: ResumeBody,
        response: { 200: RolloutDetail, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async function resume(request) {
      await resumeRollout(prisma, caller(request), request.params.id, request.body);
      await changed(request.params.id);
      return detail(request.params.id);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CancelBody> }>(
    '/:id/cancel',
    {
      config: { minRole: 'operator' },
      preValidation: emptyBodyAllowed,
      schema: {
        tags: ['rollouts'],
        description:
          'No new dispatches, pending steps skipped; steps in flight are still tracked to a result.',
        params: IdParams,
        body: CancelBody,
        response: { 200: RolloutDetail, ...errors(401, 403, 404, 409) },
      },
    },
    async function cancel(request) {
      const { actor } = caller(request);
      const existing = await prisma.rollout.findUnique({
        where: { id: request.params.id },
        select: { state: true, name: true },
      });
      if (!existing) throw apiError('AP_NOT_FOUND', 'no such rollout');
      const ok = await cancelRollout(prisma, request.params.id, actor, request.body.reason, new Date());
      if (!ok) {
        throw apiError(
          'AP_CONFLICT',
          `cannot cancel a rollout that is ${existing.state} (it is over already)`,
        );
      }
      app.rollouts.notifier.notify({
        event: 'rollout.cancelled',
        rolloutId: request.params.id,
        rolloutName: existing.name,
        summary: `${existing.name}: cancelled by ${actor.name ?? 'someone'}`,
        details: { reason: request.body.reason ?? null },
        at: new Date().toISOString(),
      });
      await changed(request.params.id);
      return detail(request.params.id);
    },
  );
}
