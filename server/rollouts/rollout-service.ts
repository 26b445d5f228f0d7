// What operators do to rollouts: preview, create (plan frozen into steps), approve, pause, resume,
// cancel. Every change is a conditional transition with its audit event (transitions.ts); the
// executor does the rest (start at startAt, dispatch, verify, halt, complete).
import type { HealthCheck } from '../../shared/agent-protocol.js';
import type { RolloutOptions } from '../../shared/api/rollout-options.js';
import type { Plan } from '../../shared/rollout-plan.js';
import type { Actor } from '../audit/record-audit.js';
import { recordAudit } from '../audit/record-audit.js';
import { roleAtLeast } from '../auth/roles.js';
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import type { Role } from '../db/generated/enums.js';
import { apiError } from '../errors.js';
import type { GroupSnapshot } from './executor-state.js';
import { type FleetForPlan, loadPlanInput, ROLLOUT_GROUP } from './load-plan-input.js';
import { resolveGroupMembers } from './planner/group-membership.js';
import { PlanInputError } from './planner/plan-input-error.js';
import { planRollout } from './planner/plan-rollout.js';
import { ROLLOUT_DEFAULTS } from './rollout-defaults.js';
import { transitionRollout } from './transitions.js';

export interface Caller {
  actor: Actor;
  role: Role;
}

export interface Preview {
  plan: Plan;
  requiresAdmin: boolean;
  fleet: FleetForPlan;
}

export async function previewRollout(
  prisma: PrismaClient,
  options: RolloutOptions,
  now: Date,
): Promise<Preview> {
  const fleet = await loadPlanInput(prisma, options, now);
  let plan: Plan;
  try {
    plan = planRollout(fleet.input);
  } catch (err) {
    if (err instanceof PlanInputError) throw apiError('AP_BAD_REQUEST', `${err.message} (${err.path})`);
    throw err;
  }
  const touched = new Set(plan.steps.flatMap((s) => s.groups));
  const requiresAdmin = fleet.groups.some((g) => g.protected && touched.has(g.name));
  return { plan, requiresAdmin, fleet };
}

export async function createRollout(
  prisma: PrismaClient,
  caller: Caller,
  options: RolloutOptions,
  now: Date,
): Promise<string> {
  const { plan, requiresAdmin, fleet } = await previewRollout(prisma, options, now);
  const { membersOf } = resolveGroupMembers(fleet.input.groups, fleet.input.hosts);
  const byName = new Map(fleet.groups.map((g) => [g.name, g]));
  // The groups the steps touch, and the groups those depend on (transitively).
  const relevant = new Set(plan.steps.flatMap((s) => s.groups));
  for (const queue = [...relevant]; queue.length > 0; ) {
    for (const dep of byName.get(queue.pop()!)?.dependsOn ?? []) {
      if (!relevant.has(dep)) {
        relevant.add(dep);
        queue.push(dep);
      }
    }
  }
  const defaultDelay = options.delayBetweenStepsSec ?? ROLLOUT_DEFAULTS.delayBetweenStepsSec;
  const snapshots: GroupSnapshot[] = [...relevant].sort().map((name) => {
    const g = byName.get(name)!;
    return {
      name,
      limit: g.limit,
      members: membersOf.get(name) ?? [],
      windows: g.windows,
      dependsOn: g.dependsOn,
      delayBetweenStepsSec: g.delayBetweenStepsSec ?? defaultDelay,
      protected: g.protected,
    };
  });
  const timeoutSec = options.stepTimeoutSec ?? ROLLOUT_DEFAULTS.stepTimeoutSec;
  const steps: Prisma.RolloutStepCreateManyInput[] = plan.steps.map((step) => {
    // The implicit rollout group brings no checks, hooks or hold time of its own.
    const groups = step.groups
      .filter((n) => n !== ROLLOUT_GROUP)
      .map((n) => byName.get(n))
      .filter((g) => g !== undefined);
    const checks = new Map<string, HealthCheck>();
    for (const g of groups) for (const c of g.healthChecks) checks.set(JSON.stringify(c), c);
    return {
      rolloutId: '',
      hostId: step.hostId,
      hostname: step.hostname ?? step.hostId,
      position: step.order,
      action: step.action,
      operations: step.operations as unknown as Prisma.InputJsonArray,
      needs: (fleet.needsByHost.get(step.hostId) ?? {}) as unknown as Prisma.InputJsonObject,
      groupNames: step.groups,
      healthChecks: [...checks.values()] as unknown as Prisma.InputJsonArray,
      holdSec: Math.max(0, ...groups.map((g) => g.holdSec)),
      hooks: groups.length === 0 || groups.some((g) => g.hooks),
      timeoutSec,
    };
  });
  return prisma.$transaction(async (tx) => {
    const rollout = await tx.rollout.create({
      data: {
        name: options.name,
        options: options as unknown as Prisma.InputJsonObject,
        plan: plan as unknown as Prisma.InputJsonObject,
        groups: snapshots as unknown as Prisma.InputJsonArray,
        requiresAdmin,
        createdById: caller.actor.id,
        createdByName: caller.actor.name ?? null,
        failureBudget: options.failureBudget ?? ROLLOUT_DEFAULTS.failureBudget,
      },
      select: { id: true },
    });
    if (steps.length > 0) {
      await tx.rolloutStep.createMany({ data: steps.map((s) => ({ ...s, rolloutId: rollout.id })) });
    }
    await recordAudit(tx, caller.actor, {
      action: 'rollout.create',
      targetType: 'rollout',
      targetId: rollout.id,
      details: {
        name: options.name,
        steps: steps.length,
        unscheduled: plan.unscheduled.length,
        requiresAdmin,
        estimatedFinishAt: plan.summary.finishAt,
      },
    });
    return rollout.id;
  });
}

async function stateOf(prisma: PrismaClient, id: string) {
  const rollout = await prisma.rollout.findUnique({
    where: { id },
    select: {
      state: true,
      requiresAdmin: true,
      startedAt: true,
      haltReason: true,
      failures: true,
      failureBudget: true,
    },
  });
  if (!rollout) throw apiError('AP_NOT_FOUND', 'no such rollout');
  return rollout;
}

/** 409 naming the state it is in and the states the action needs. */
function conflict(action: string, state: string, allowed: readonly string[]) {
  const words = (s: string) => s.replace('_', ' ');
  return apiError(
    'AP_CONFLICT',
    `cannot ${action} a rollout that is ${words(state)} (only one that is ${allowed.map(words).join(' or ')})`,
  );
}

export async function approveRollout(
  prisma: PrismaClient,
  caller: Caller,
  id: string,
  ttlSeconds: number,
  now: Date,
): Promise<void> {
  const rollout = await stateOf(prisma, id);
  if (rollout.requiresAdmin && !roleAtLeast(caller.role, 'admin')) {
    throw apiError('AP_FORBIDDEN', 'this rollout touches a protected group: an admin must approve it');
  }
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const changed = await transitionRollout(prisma, {
    rolloutId: id,
    from: ['awaiting_approval'],
    to: 'approved',
    actor: caller.actor,
    action: 'rollout.approve',
    data: {
      approvedById: caller.actor.id,
      approvedByName: caller.actor.name ?? null,
      approvedAt: now,
      approvalExpiresAt: expiresAt,
    },
    details: { role: caller.role, requiresAdmin: rollout.requiresAdmin, expiresAt: expiresAt.toISOString() },
  });
  if (!changed) throw conflict('approve', rollout.state, ['awaiting_approval']);
}

export async function pauseRollout(prisma: PrismaClient, caller: Caller, id: string): Promise<void> {
  const rollout = await stateOf(prisma, id);
  const changed = await transitionRollout(prisma, {
    rolloutId: id,
    from: ['running'],
    to: 'paused',
    actor: caller.actor,
    action: 'rollout.pause',
  });
  if (!changed) throw conflict('pause', rollout.state, ['running']);
}

/**
 * paused → running; or halted → running once an operator has looked into the failures (a note
 * saying what was found is required and kept in the audit). The failures stay counted: the next
 * failure halts again. The failed hosts stay counted as out until the rollout ends, because their
 * state is unknown (a half-restarted service, a host that did not come back).
 */
export async function resumeRollout(
  prisma: PrismaClient,
  caller: Caller,
  id: string,
  body: { note?: string | undefined; failureBudget?: number | undefined } = {},
): Promise<void> {
  const { note, failureBudget } = body;
  const rollout = await stateOf(prisma, id);
  const halted = rollout.state === 'halted';
  if (halted && !note?.trim()) {
    throw apiError(
      'AP_BAD_REQUEST',
      'a halted rollout resumes only with a note saying what was investigated (body: { "note": … })',
    );
  }
  // A budget below the failures already counted would halt the rollout at its next failure
  // exactly as a budget equal to them does: say so rather than store a number that misleads.
  if (failureBudget !== undefined && failureBudget < rollout.failures) {
    throw apiError(
      'AP_BAD_REQUEST',
      `failureBudget ${failureBudget} is below the ${rollout.failures} failures already counted; ` +
        `${rollout.failures} lets it halt at the next failure`,
    );
  }
  const changed = await transitionRollout(prisma, {
    rolloutId: id,
    // Exactly the state checked above: a halted rollout is never resumed without its note.
    from: halted ? ['halted'] : ['paused'],
    to: 'running',
    actor: caller.actor,
    action: 'rollout.resume',
    data: {
      ...(halted ? { haltReason: null, finishedAt: null } : {}),
      ...(failureBudget !== undefined ? { failureBudget } : {}),
    },
    details: {
      from: rollout.state,
      ...(note ? { note } : {}),
      ...(halted ? { haltReason: rollout.haltReason, failures: rollout.failures } : {}),
      ...(failureBudget !== undefined && failureBudget !== rollout.failureBudget
        ? { failureBudget: { from: rollout.failureBudget, to: failureBudget } }
        : {}),
    },
  });
  if (!changed) throw conflict('resume', rollout.state, ['paused', 'halted']);
}
