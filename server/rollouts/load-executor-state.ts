// Reads what the executor decides on: every rollout that is not over (and any over one that still
// has a step in flight: its host is still out), their steps, and which hosts are up.
import type { PrismaClient } from '../db/generated/client.js';
import type { ExecRollout, ExecState, GroupSnapshot } from './executor-state.js';
import type { RolloutOptions } from './rollout-options.js';

export async function loadExecutorState(
  prisma: PrismaClient,
  connected: ReadonlySet<string>,
): Promise<ExecState> {
  const rows = await prisma.rollout.findMany({
    where: {
      OR: [
        { state: { in: ['approved', 'running', 'paused', 'halted'] } },
        { steps: { some: { state: 'dispatched' } } },
      ],
    },
    select: {
      id: true,
      state: true,
      options: true,
      plan: true,
      groups: true,
      approvalExpiresAt: true,
      createdAt: true,
      steps: {
        select: {
          id: true,
          hostId: true,
          hostname: true,
          position: true,
          state: true,
          action: true,
          groupNames: true,
          dispatchedAt: true,
          finishedAt: true,
          timeoutSec: true,
        },
      },
    },
    orderBy: { createdAt: 'asc' },
  });
  const online = await prisma.host.findMany({ where: { online: true }, select: { id: true } });
  const onlineHostIds = new Set([...online.map((h) => h.id), ...connected]);
  const rollouts: ExecRollout[] = rows.map((r) => {
    const options = r.options as unknown as RolloutOptions;
    const pins = new Map((options.pins ?? []).map((p) => [p.hostId, new Date(p.until)]));
    const plannedSec = new Map(
      ((r.plan as { steps?: Array<{ hostId: string; durationSec: number }> }).steps ?? []).map((s) => [
        s.hostId,
        s.durationSec,
      ]),
    );
    return {
      id: r.id,
      state: r.state,
      startAt: options.startAt ? new Date(options.startAt) : r.createdAt,
      approvalExpiresAt: r.approvalExpiresAt,
      groups: r.groups as unknown as GroupSnapshot[],
      steps: r.steps.map((s) => ({
        id: s.id,
        rolloutId: r.id,
        hostId: s.hostId,
        hostname: s.hostname,
        position: s.position,
        state: s.state,
        action: s.action,
        groups: s.groupNames as string[],
        dispatchedAt: s.dispatchedAt,
        finishedAt: s.finishedAt,
        timeoutSec: s.timeoutSec,
        estimatedSec: plannedSec.get(s.hostId) ?? 60,
        pinnedUntil: pins.get(s.hostId) ?? null,
      })),
    };
  });
  return { rollouts, onlineHostIds, connectedHostIds: connected };
}
