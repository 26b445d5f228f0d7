// The fleet as the planner sees it: every group (all of them: a host's every limit must hold,
// whichever groups the operator named) and every enrolled host, with its needs from its latest
// report, whether it is up, and learned durations. Hosts outside the rollout's scope are passed as
// `excluded`: never planned, still members that count for their groups' limits.
import type { HealthCheck } from '../../shared/agent-protocol.js';
import type { RolloutOptions } from '../../shared/api/rollout-options.js';
import {
  type GroupLimit,
  type HostNeeds,
  type MaintenanceWindow,
  PLAN_VERSION,
  type PlanGroup,
  type PlanHost,
  type PlanInput,
} from '../../shared/rollout-plan.js';
import type { ScanReport } from '../../shared/scan-report.js';
import type { PrismaClient } from '../db/generated/client.js';
import { apiError } from '../errors.js';
import { learnedDurations } from './learned-durations.js';
import { resolveGroupMembers } from './planner/group-membership.js';
import { needsFromReport } from './planner/needs-from-report.js';
import { ROLLOUT_DEFAULTS } from './rollout-defaults.js';

/** A group row with its JSON columns typed. */
export interface GroupDefinition {
  id: string;
  name: string;
  selector: Record<string, string> | null;
  hostIds: string[];
  limit: GroupLimit;
  windows: MaintenanceWindow[];
  dependsOn: string[];
  protected: boolean;
  healthChecks: HealthCheck[];
  holdSec: number;
  hooks: boolean;
  delayBetweenStepsSec: number | null;
}

export interface FleetForPlan {
  input: PlanInput;
  groups: GroupDefinition[];
  needsByHost: Map<string, HostNeeds>;
  reportsByHost: Map<string, ScanReport | null>;
}

export const NO_NEEDS: HostNeeds = Object.freeze({
  units: [],
  containers: [],
  reexecPid1: false,
  reboot: false,
});

/**
 * The implicit group of every rollout: `maxParallel` over the hosts it works on. Its name cannot
 * be a real group's (those start with a letter or digit), so it never shadows one.
 */
export const ROLLOUT_GROUP = '(rollout)';

/** The rollout's own group: limit `maxParallel`, no windows, delay, checks or hooks of its own. */
export function rolloutGroup(maxParallel: number, hostIds: string[]): GroupDefinition {
  return {
    id: '',
    name: ROLLOUT_GROUP,
    selector: null,
    hostIds,
    limit: { maxOut: maxParallel },
    windows: [],
    dependsOn: [],
    protected: false,
    healthChecks: [],
    holdSec: 0,
    hooks: false,
    // 0, not null: the rollout's default delay stays per real group, not rollout-wide.
    delayBetweenStepsSec: 0,
  };
}

/** Whether the needs hold anything a step would do (manual items are never planned). */
function hasWork(needs: HostNeeds): boolean {
  return needs.reboot || needs.reexecPid1 || needs.units.length > 0 || needs.containers.length > 0;
}

export async function loadGroups(prisma: PrismaClient): Promise<GroupDefinition[]> {
  const rows = await prisma.rolloutGroup.findMany({ orderBy: { name: 'asc' } });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    selector: (row.selector as Record<string, string> | null) ?? null,
    hostIds: row.hostIds as string[],
    limit: row.limit as GroupLimit,
    windows: row.windows as MaintenanceWindow[],
    dependsOn: row.dependsOn as string[],
    protected: row.protected,
    healthChecks: row.healthChecks as HealthCheck[],
    holdSec: row.holdSec,
    hooks: row.hooks,
    delayBetweenStepsSec: row.delayBetweenStepsSec,
  }));
}

export function toPlanGroup(group: GroupDefinition): PlanGroup {
  return {
    name: group.name,
    limit: group.limit,
    ...(group.hostIds.length > 0 ? { hosts: group.hostIds } : {}),
    ...(group.selector ? { selector: { labels: group.selector } } : {}),
    ...(group.windows.length > 0 ? { windows: group.windows } : {}),
    ...(group.dependsOn.length > 0 ? { dependsOn: group.dependsOn } : {}),
    ...(group.protected ? { protected: true } : {}),
    ...(group.delayBetweenStepsSec !== null ? { delayBetweenStepsSec: group.delayBetweenStepsSec } : {}),
  };
}

export async function loadPlanInput(
  prisma: PrismaClient,
  options: RolloutOptions,
  now: Date,
): Promise<FleetForPlan> {
  const [groups, hosts, learned] = await Promise.all([
    loadGroups(prisma),
    prisma.host.findMany({
      where: { revokedAt: null },
      select: {
        id: true,
        hostname: true,
        labels: true,
        online: true,
        currentReport: { select: { report: true } },
      },
      orderBy: { hostname: 'asc' },
    }),
    learnedDurations(prisma),
  ]);
  const groupNames = new Set(groups.map((g) => g.name));
  for (const name of options.groups ?? []) {
    if (!groupNames.has(name)) throw apiError('AP_BAD_REQUEST', `no group named '${name}'`);
  }
  const known = new Set(hosts.map((h) => h.id));
  for (const id of [...(options.hosts ?? []), ...(options.exclude ?? [])]) {
    if (!known.has(id)) throw apiError('AP_BAD_REQUEST', `no enrolled host ${id}`);
  }

  // A group may still name a host revoked since: the planner would refuse an unknown id.
  const planGroups = groups.map((g) =>
    toPlanGroup({ ...g, hostIds: g.hostIds.filter((id) => known.has(id)) }),
  );
  const excluded = new Set(options.exclude ?? []);
  const pins = new Map((options.pins ?? []).map((p) => [p.hostId, p]));
  const needsByHost = new Map<string, HostNeeds>();
  const reportsByHost = new Map<string, ScanReport | null>();
  const planHosts: PlanHost[] = hosts.map((host) => {
    const report = (host.currentReport?.report ?? null) as ScanReport | null;
    const needs = report ? needsFromReport(report) : NO_NEEDS;
    needsByHost.set(host.id, needs);
    reportsByHost.set(host.id, report);
    const action = needs.reboot ? 'reboot' : 'restart';
    const learnedSec = learned.byHostAction.get(`${host.id}/${action}`);
    const pin = pins.get(host.id);
    return {
      id: host.id,
      hostname: host.hostname.slice(0, 256),
      labels: host.labels as Record<string, string>,
      online: host.online,
      ...(excluded.has(host.id) ? { excluded: true } : {}),
      ...(pin ? { pinnedUntil: pin.until, ...(pin.reason ? { pinReason: pin.reason } : {}) } : {}),
      ...(learnedSec ? { durationSec: learnedSec } : {}),
      needs,
    };
  });
  const inScope = scopeOf(options, resolveGroupMembers(planGroups, planHosts).membersOf);
  for (const host of planHosts) if (!inScope(host.id)) host.excluded = true;
  // maxParallel as an implicit group, so that the planner and the executor (which reads the
  // rollout's group snapshots) both honour it, and hosts in no group are limited too. Its members
  // are the hosts the rollout may work on: in scope, up now, with something to do. Offline ones
  // are left out (the planner does not plan them; as members they would count as out forever).
  const implicit = rolloutGroup(
    options.maxParallel ?? ROLLOUT_DEFAULTS.maxParallel,
    planHosts.filter((h) => !h.excluded && h.online !== false && hasWork(h.needs)).map((h) => h.id),
  );
  planGroups.push(toPlanGroup(implicit));
  const startAt =
    options.startAt && Date.parse(options.startAt) > now.getTime() ? options.startAt : now.toISOString();
  const input: PlanInput = {
    version: PLAN_VERSION,
    start: startAt,
    ...(options.deadline ? { deadline: options.deadline } : {}),
    allowReboot: options.allowReboot ?? true,
    defaults: {
      durationSec: {
        restart: learned.byAction.get('restart') ?? ROLLOUT_DEFAULTS.restartSec,
        reboot: learned.byAction.get('reboot') ?? ROLLOUT_DEFAULTS.rebootSec,
      },
      delayBetweenStepsSec: options.delayBetweenStepsSec ?? ROLLOUT_DEFAULTS.delayBetweenStepsSec,
    },
    hosts: planHosts,
    groups: planGroups,
  };
  return { input, groups: [...groups, implicit], needsByHost, reportsByHost };
}

/** Which hosts the rollout may touch: members of the named groups and the named hosts, else all. */
function scopeOf(options: RolloutOptions, membersOf: Map<string, string[]>): (hostId: string) => boolean {
  if (!options.groups?.length && !options.hosts?.length) return () => true;
  const scope = new Set(options.hosts ?? []);
  for (const name of options.groups ?? []) for (const id of membersOf.get(name) ?? []) scope.add(id);
  return (hostId) => scope.has(hostId);
}
