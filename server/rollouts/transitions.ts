// Every state change of rollouts and steps, each a CONDITIONAL update (WHERE state = <expected>)
// in one transaction with its audit event: a change happens at most once, even when two callers
// race or a restarted executor repeats what a crashed one began. Each returns whether it changed
// anything; the caller publishes events and notifications only then.

import type { StepState as AgentStepState, StepEvidence } from '../../shared/agent-protocol.js';
import type { RecordedStepEvidence } from '../../shared/api/rollouts.js';
import { type Actor, recordAudit, SYSTEM_ACTOR } from '../audit/record-audit.js';
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import type { RolloutState, StepState } from '../db/generated/enums.js';

type Tx = Prisma.TransactionClient;

export interface RolloutTransition {
  rolloutId: string;
  from: readonly RolloutState[];
  to: RolloutState;
  actor: Actor;
  action: string;
  data?: Prisma.RolloutUpdateManyMutationInput;
  details?: Record<string, unknown>;
}

export async function transitionRollout(prisma: PrismaClient, t: RolloutTransition): Promise<boolean> {
  return prisma.$transaction((tx) => transitionRolloutIn(tx, t));
}

export async function transitionRolloutIn(tx: Tx, t: RolloutTransition): Promise<boolean> {
  const { count } = await tx.rollout.updateMany({
    where: { id: t.rolloutId, state: { in: [...t.from] } },
    data: { ...t.data, state: t.to, version: { increment: 1 } },
  });
  if (count !== 1) return false;
  await recordAudit(tx, t.actor, {
    action: t.action,
    targetType: 'rollout',
    targetId: t.rolloutId,
    details: { to: t.to, ...t.details },
  });
  return true;
}

export interface DispatchRecord {
  stepId: string;
  rolloutId: string;
  hostId: string;
  hostname: string;
  bootId: string | null;
  reportSeq: bigint;
  expectedKernel: string | null;
  now: Date;
}

/** pending → dispatched, only while the rollout runs. From here the host counts as out. */
export async function markDispatched(prisma: PrismaClient, d: DispatchRecord): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.rolloutStep.updateMany({
      where: { id: d.stepId, state: 'pending', rollout: { state: 'running' } },
      data: {
        state: 'dispatched',
        dispatchedAt: d.now,
        bootIdAtDispatch: d.bootId,
        reportSeqAtDispatch: d.reportSeq,
        expectedKernel: d.expectedKernel,
      },
    });
    if (count !== 1) return false;
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: 'rollout.step.dispatch',
      targetType: 'rollout-step',
      targetId: d.stepId,
      details: {
        rolloutId: d.rolloutId,
        hostId: d.hostId,
        hostname: d.hostname,
        bootIdAtDispatch: d.bootId,
        reportSeqAtDispatch: String(d.reportSeq),
        expectedKernel: d.expectedKernel,
        at: d.now.toISOString(),
      },
    });
    return true;
  });
}

export interface SettleResult {
  settled: boolean;
  /** The rollout went to halted because the failure budget was exceeded. */
  halted: boolean;
  failures: number;
}

/** dispatched → succeeded/failed with the evidence; a failure over the budget halts the rollout. */
export async function settleStep(
  prisma: PrismaClient,
  s: {
    stepId: string;
    rolloutId: string;
    hostId: string;
    hostname: string;
    to: Extract<StepState, 'succeeded' | 'failed'>;
    reason: string;
    evidence: RecordedStepEvidence;
    now: Date;
  },
): Promise<SettleResult> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.rolloutStep.updateMany({
      where: { id: s.stepId, state: 'dispatched' },
      data: {
        state: s.to,
        finishedAt: s.now,
        evidence: s.evidence as Prisma.InputJsonObject,
        ...(s.to === 'failed' ? { failureReason: s.reason.slice(0, 1024) } : {}),
      },
    });
    if (count !== 1) return { settled: false, halted: false, failures: 0 };
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: s.to === 'succeeded' ? 'rollout.step.succeed' : 'rollout.step.fail',
      targetType: 'rollout-step',
      targetId: s.stepId,
      details: {
        rolloutId: s.rolloutId,
        hostId: s.hostId,
        hostname: s.hostname,
        reason: s.reason,
        evidence: s.evidence,
        at: s.now.toISOString(),
      },
    });
    if (s.to === 'succeeded') return { settled: true, halted: false, failures: 0 };
    const rollout = await tx.rollout.update({
      where: { id: s.rolloutId },
      data: { failures: { increment: 1 }, version: { increment: 1 } },
      select: { failures: true, failureBudget: true, state: true },
    });
    let halted = false;
    if (rollout.failures > rollout.failureBudget) {
      halted = await transitionRolloutIn(tx, {
        rolloutId: s.rolloutId,
        from: ['running', 'paused'],
        to: 'halted',
        actor: SYSTEM_ACTOR,
        action: 'rollout.halt',
        data: {
          haltReason: `failure budget ${rollout.failureBudget} exceeded: ${s.hostname}: ${s.reason}`.slice(
            0,
            1024,
          ),
          finishedAt: s.now,
        },
        details: {
          failures: rollout.failures,
          failureBudget: rollout.failureBudget,
          stepId: s.stepId,
          reason: s.reason,
        },
      });
    }
    return { settled: true, halted, failures: rollout.failures };
  });
}

/** The agent's latest word on an in-flight step (not a transition: no audit, the settle has it). */
export async function recordAgentStatus(
  prisma: PrismaClient,
  stepId: string,
  status: { state: AgentStepState; message: string; at: Date; evidence: StepEvidence },
): Promise<boolean> {
  const { count } = await prisma.rolloutStep.updateMany({
    where: { id: stepId, state: 'dispatched' },
    data: {
      agentState: status.state,
      agentMessage: status.message.slice(0, 1024),
      agentAt: status.at,
      evidence: { agent: status.evidence } satisfies RecordedStepEvidence as Prisma.InputJsonObject,
    },
  });
  return count === 1;
}

/** Cancel: every pending step → skipped, in the same transaction as the rollout's change. */
export async function cancelRollout(
  prisma: PrismaClient,
  rolloutId: string,
  actor: Actor,
  reason: string | undefined,
  now: Date,
): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const changed = await transitionRolloutIn(tx, {
      rolloutId,
      from: ['awaiting_approval', 'approved', 'running', 'paused', 'halted'],
      to: 'cancelled',
      actor,
      action: 'rollout.cancel',
      data: { finishedAt: now, ...(reason ? { haltReason: reason.slice(0, 1024) } : {}) },
      ...(reason ? { details: { reason } } : {}),
    });
    if (!changed) return false;
    await tx.rolloutStep.updateMany({ where: { rolloutId, state: 'pending' }, data: { state: 'skipped' } });
    return true;
  });
}
