// Reads what the executor decides on: every rollout that is not over (and any over one that still
// has a step in flight: its host is still out), their steps, and which hosts are up and reachable.

import type { RolloutOptions } from '../../shared/api/rollout-options.js';
import type { PrismaClient } from '../db/generated/client.js';
import type { ExecRollout, ExecState, GroupSnapshot } from './executor-state.js';

export async function loadExecutorState(
  prisma: PrismaClient,
  /** The hosts connected to this instance; asked only when there is a rollout to decide on. */
  connectedHere: () => Iterable<string>,
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
  // Nothing to decide: no need to read which of (perhaps) 10,000 hosts are online. Every round
  // (each tick, each hello and disconnect) would otherwise read them all.
  if (rows.length === 0) return { rollouts: [], onlineHostIds: new Set(), connectedHostIds: new Set() };
  const online = await prisma.host.findMany({
    where: { online: true },
    select: { id: true, instanceId: true },
  });
  const connected = [...connectedHere()];
  const onlineHostIds = new Set([...online.map((h) => h.id), ...connected]);
  // A step can be delivered to a host connected here or to another live instance (the cluster
  // forwards it); an online flag without an instance is a leftover the reaper clears.
  const reachable = new Set([...online.filter((h) => h.instanceId !== null).map((h) => h.id), ...connected]);
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
  return { rollouts, onlineHostIds, connectedHostIds: reachable };
}
