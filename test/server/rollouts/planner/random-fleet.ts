// Random fleets for the planner's property tests: overlapping groups (explicit ids, label
// selectors, memberships listed on hosts), every kind of limit, windows in several time zones
// around DST changes, acyclic dependencies, delays, offline, pinned and excluded hosts.
import fc from 'fast-check';
import type { HostNeeds, PlanGroup, PlanHost, PlanInput, Weekday } from '../../../../shared/rollout-plan.js';

const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe'];
/** 2024-01-01 to 2026-01-01, in minutes: every DST change of those years is inside. */
const START_MIN = Date.UTC(2024, 0, 1) / 60_000;
const SPAN_MIN = 2 * 366 * 24 * 60;

const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

/** `value` in one case of `1 + rest`, else undefined (fc.option's freq counts the other way round). */
function sometimes<T>(value: fc.Arbitrary<T>, rest = 4): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: rest }, { arbitrary: value, weight: 1 });
}

const needs: fc.Arbitrary<HostNeeds> = fc.record({
  units: fc.uniqueArray(
    fc.constantFrom('nginx.service', 'sshd.service', 'postgresql.service', 'cron.service'),
    {
      maxLength: 3,
    },
  ),
  containers: fc.uniqueArray(
    fc.record({ runtime: fc.constantFrom('docker', 'podman'), id: fc.constantFrom('abc123', 'def456') }),
    { maxLength: 2, selector: (c) => c.id },
  ),
  reexecPid1: fc.boolean(),
  reboot: fc.boolean(),
});

export interface FleetShape {
  /** No windows, no dependencies: every host with room in its groups must be planned. */
  simple?: boolean;
}

export function randomFleet(shape: FleetShape = {}): fc.Arbitrary<PlanInput> {
  return fc
    .record({
      startMin: fc.integer({ min: 0, max: SPAN_MIN }),
      hostCount: fc.integer({ min: 1, max: 30 }),
      groupCount: fc.integer({ min: 0, max: 7 }),
      seedHosts: fc.array(
        fc.record({
          role: fc.constantFrom('web', 'db', 'cache'),
          rack: fc.constantFrom('r1', 'r2', 'r3'),
          needs,
          offline: sometimes(fc.option(fc.integer({ min: -60, max: 3 * 24 * 60 }), { nil: null }), 6),
          excluded: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
          pinMin: sometimes(fc.integer({ min: 1, max: 60 * 24 * 40 }), 6),
          durationSec: sometimes(fc.integer({ min: 1, max: 4000 }), 1),
          extraGroups: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
        }),
        { minLength: 30, maxLength: 30 },
      ),
      seedGroups: fc.array(
        fc.record({
          explicit: fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 6 }),
          selector: fc.option(
            fc.oneof(
              fc.record({ role: fc.constantFrom('web', 'db', 'cache') }),
              fc.record({ rack: fc.constantFrom('r1', 'r2', 'r3') }),
            ),
            { nil: undefined },
          ),
          limit: fc.record(
            {
              // 0 rarely: a group that allows nobody out blocks its members, which is tested, but
              // most fleets should exercise the scheduling.
              maxOut: fc.oneof(
                { arbitrary: fc.constant(0), weight: 1 },
                { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 40 },
              ),
              maxOutPercent: fc.oneof(
                { arbitrary: fc.constant(0), weight: 1 },
                { arbitrary: fc.constantFrom(10, 25, 33.3, 50, 100), weight: 40 },
              ),
              minUp: fc.integer({ min: 0, max: 2 }),
            },
            { requiredKeys: [] },
          ),
          windows: sometimes(
            fc.array(
              fc.record({
                days: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 7 }),
                start: clock,
                end: clock,
                timeZone: fc.constantFrom(...ZONES),
              }),
              { minLength: 1, maxLength: 2 },
            ),
            1,
          ),
          dependsOn: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 2 }),
          delay: sometimes(fc.constantFrom(30, 60, 600), 3),
        }),
        { minLength: 7, maxLength: 7 },
      ),
      allowReboot: sometimes(fc.boolean(), 2),
      restartSec: sometimes(fc.integer({ min: 1, max: 600 }), 2),
    })
    .map(({ startMin, hostCount, groupCount, seedHosts, seedGroups, allowReboot, restartSec }) => {
      const startMs = (START_MIN + startMin) * 60_000;
      const at = (min: number) => new Date(startMs + min * 60_000).toISOString();
      const groups: PlanGroup[] = seedGroups.slice(0, groupCount).map((g, i) => {
        const group: PlanGroup = {
          name: `g${i}`,
          hosts: g.explicit.filter((h) => h < hostCount).map((h) => `h${h}`),
          limit: g.limit,
        };
        if (g.selector) group.selector = { labels: g.selector };
        if (g.windows && !shape.simple) group.windows = g.windows;
        const deps = g.dependsOn.filter((d) => d < i).map((d) => `g${d}`);
        if (deps.length > 0 && !shape.simple) group.dependsOn = deps;
        if (g.delay !== undefined) group.delayBetweenStepsSec = g.delay;
        return group;
      });
      const hosts: PlanHost[] = seedHosts.slice(0, hostCount).map((s, i) => {
        const host: PlanHost = {
          id: `h${i}`,
          hostname: `host-${String(i).padStart(2, '0')}.example`,
          labels: { role: s.role, rack: s.rack },
          needs: s.needs,
        };
        const extra = s.extraGroups.filter((g) => g < groupCount).map((g) => `g${g}`);
        if (extra.length > 0) host.groups = extra;
        if (s.offline !== undefined) {
          host.online = false;
          if (s.offline !== null) host.expectedOnlineAt = at(s.offline);
        }
        if (s.excluded) host.excluded = true;
        if (s.pinMin !== undefined) {
          host.pinnedUntil = at(s.pinMin);
          host.pinReason = 'change freeze';
        }
        if (s.durationSec !== undefined) host.durationSec = s.durationSec;
        return host;
      });
      const input: PlanInput = { version: 1, start: new Date(startMs).toISOString(), hosts, groups };
      if (allowReboot !== undefined) input.allowReboot = allowReboot;
      if (restartSec !== undefined) input.defaults = { durationSec: { restart: restartSec } };
      return input;
    });
}
