// Rollout groups: redundant hosts with a limit on how many may be out at once, windows,
// dependencies, health checks. Operators manage groups; a protected group is admin-only (setting
// or clearing `protected`, and changing or deleting a protected group), because protection is
// what makes an admin's approval mandatory.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { RolloutGroup } from '../../shared/api/groups.js';
import { recordAudit } from '../audit/record-audit.js';
import { roleAtLeast } from '../auth/roles.js';
import { Prisma } from '../db/generated/client.js';
import { apiError } from '../errors.js';
import { actorOf, type Principal, principalOf } from '../plugins/auth.js';
import { type GroupDefinition, loadGroups } from '../rollouts/load-plan-input.js';
import { isValidTimeZone } from '../rollouts/planner/windows.js';
import { GroupBody } from './group-schema.js';
import { errors, IdParams } from './schemas.js';

function toGroup(g: GroupDefinition) {
  return { ...g };
}

function validate(body: GroupBody, existing: readonly GroupDefinition[], selfName?: string): void {
  for (const w of body.windows ?? []) {
    if (!isValidTimeZone(w.timeZone)) throw apiError('AP_BAD_REQUEST', `unknown time zone '${w.timeZone}'`);
  }
  const names = new Set(existing.map((g) => g.name));
  for (const dep of body.dependsOn ?? []) {
    if (dep === body.name) throw apiError('AP_BAD_REQUEST', 'a group cannot depend on itself');
    if (!names.has(dep) || dep === selfName) throw apiError('AP_BAD_REQUEST', `no group named '${dep}'`);
  }
}

function data(body: GroupBody) {
  return {
    name: body.name,
    selector: body.selector ? (body.selector as Prisma.InputJsonObject) : Prisma.DbNull,
    hostIds: body.hostIds ?? [],
    limit: body.limit as Prisma.InputJsonObject,
    windows: (body.windows ?? []) as unknown as Prisma.InputJsonArray,
    dependsOn: body.dependsOn ?? [],
    protected: body.protected ?? false,
    healthChecks: (body.healthChecks ?? []) as unknown as Prisma.InputJsonArray,
    holdSec: body.holdSec ?? 0,
    hooks: body.hooks ?? true,
    delayBetweenStepsSec: body.delayBetweenStepsSec ?? null,
  };
}

function requireAdminFor(principal: Principal, protectedGroup: boolean): void {
  if (protectedGroup && !roleAtLeast(principal.role, 'admin')) {
    throw apiError('AP_FORBIDDEN', 'protected groups are managed by admins');
  }
}

export default async function groupRoutes(app: FastifyInstance) {
  const prisma = app.db.prisma;

  app.get(
    '',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['rollouts'],
        response: { 200: Type.Object({ items: Type.Array(RolloutGroup) }), ...errors(401) },
      },
    },
    async function listGroups() {
      return { items: (await loadGroups(prisma)).map(toGroup) };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/:id',
    {
      config: { minRole: 'viewer' },
      schema: { tags: ['rollouts'], params: IdParams, response: { 200: RolloutGroup, ...errors(401, 404) } },
    },
    async function getGroup(request) {
      const group = (await loadGroups(prisma)).find((g) => g.id === request.params.id);
      if (!group) throw apiError('AP_NOT_FOUND', 'no such group');
      return toGroup(group);
    },
  );

  app.post<{ Body: GroupBody }>(
    '',
    {
      config: { minRole: 'operator' },
      schema: {
        tags: ['rollouts'],
        body: GroupBody,
        response: { 201: RolloutGroup, ...errors(400, 401, 403, 409) },
      },
    },
    async function createGroup(request, reply) {
      const principal = principalOf(request);
      requireAdminFor(principal, request.body.protected ?? false);
      const existing = await loadGroups(prisma);
      if (existing.some((g) => g.name === request.body.name))
        throw apiError('AP_CONFLICT', 'a group with that name exists');
      validate(request.body, existing);
      const id = await prisma.$transaction(async (tx) => {
        const row = await tx.rolloutGroup.create({ data: data(request.body), select: { id: true } });
        await recordAudit(tx, actorOf(principal), {
          action: 'group.create',
          targetType: 'rollout-group',
          targetId: row.id,
          details: { ...request.body },
        });
        return row.id;
      });
      const group = (await loadGroups(prisma)).find((g) => g.id === id)!;
      return reply.code(201).send(toGroup(group));
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: GroupBody }>(
    '/:id',
    {
      config: { minRole: 'operator' },
      schema: {
        tags: ['rollouts'],
        params: IdParams,
        body: GroupBody,
        response: { 200: RolloutGroup, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async function replaceGroup(request) {
      const principal = principalOf(request);
      const existing = await loadGroups(prisma);
      const current = existing.find((g) => g.id === request.params.id);
      if (!current) throw apiError('AP_NOT_FOUND', 'no such group');
      requireAdminFor(principal, current.protected || (request.body.protected ?? false));
      if (existing.some((g) => g.name === request.body.name && g.id !== current.id)) {
        throw apiError('AP_CONFLICT', 'a group with that name exists');
      }
      validate(
        request.body,
        existing.filter((g) => g.id !== current.id),
      );
      if (request.body.name !== current.name && existing.some((g) => g.dependsOn.includes(current.name))) {
        throw apiError('AP_CONFLICT', `other groups depend on '${current.name}': cannot rename it`);
      }
      await prisma.$transaction(async (tx) => {
        await tx.rolloutGroup.update({ where: { id: current.id }, data: data(request.body) });
        await recordAudit(tx, actorOf(principal), {
          action: 'group.update',
          targetType: 'rollout-group',
          targetId: current.id,
          details: { before: { ...current }, after: { ...request.body } },
        });
      });
      return toGroup((await loadGroups(prisma)).find((g) => g.id === current.id)!);
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/:id',
    {
      config: { minRole: 'operator' },
      schema: {
        tags: ['rollouts'],
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async function deleteGroup(request, reply) {
      const principal = principalOf(request);
      const existing = await loadGroups(prisma);
      const current = existing.find((g) => g.id === request.params.id);
      if (!current) throw apiError('AP_NOT_FOUND', 'no such group');
      requireAdminFor(principal, current.protected);
      const dependents = existing.filter((g) => g.dependsOn.includes(current.name)).map((g) => g.name);
      if (dependents.length > 0) {
        throw apiError('AP_CONFLICT', `groups ${dependents.join(', ')} depend on '${current.name}'`);
      }
      await prisma.$transaction(async (tx) => {
        await tx.rolloutGroup.delete({ where: { id: current.id } });
        await recordAudit(tx, actorOf(principal), {
          action: 'group.delete',
          targetType: 'rollout-group',
          targetId: current.id,
          details: { ...current },
        });
      });
      return reply.code(204).send();
    },
  );
}
