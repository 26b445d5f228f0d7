// The rollout plan documents: what the planner is given (PlanInput, the fleet as JSON: hosts,
// their needs, redundancy groups with limits, windows and dependencies) and what it answers
// (Plan: one step per host with its planned time and why it waited). `afterpatch plan` reads
// the first and prints the second; the server's rollout executor uses the same types and the
// same limit/window functions at run time. Documented field by field in docs/plan.md.
import Type, { type Static } from 'typebox';
import { StepOperation } from './agent-protocol.js';

export const PLAN_VERSION = 1;

/** Sizes beyond which an input is refused: far above any real fleet, far below what hurts. */
export const PLAN_LIMITS = Object.freeze({
  hosts: 100_000,
  groups: 20_000,
  /** Explicit host ids of one group, and explicit groups of one host. */
  members: 100_000,
  hostGroups: 256,
  labels: 64,
  windows: 64,
  dependsOn: 256,
  units: 1024,
  containers: 1024,
  /** A duration or delay: at most 7 days. */
  seconds: 7 * 86_400,
});

const Id = Type.String({ minLength: 1, maxLength: 256 });
const Text = Type.String({ maxLength: 1024 });
const Timestamp = Type.String({ format: 'date-time', maxLength: 40 });
const Seconds = Type.Number({ minimum: 0, maximum: PLAN_LIMITS.seconds });
const PositiveSeconds = Type.Number({ exclusiveMinimum: 0, maximum: PLAN_LIMITS.seconds });
const Labels = Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Type.String({ maxLength: 256 }), {
  maxProperties: PLAN_LIMITS.labels,
});
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });

/** What a host needs, in the least disruptive form: restarts, or a reboot that covers them all. */
export const HostNeeds = Type.Object(
  {
    /** systemd units to restart (e.g. `nginx.service`). */
    units: Type.Array(Id, { maxItems: PLAN_LIMITS.units }),
    /** Containers to restart with their runtime (as the scan report's `actions.containers`). */
    containers: Type.Array(
      Type.Object(
        { runtime: Type.String({ minLength: 1, maxLength: 64 }), id: Id, name: Type.Optional(Id) },
        { additionalProperties: false },
      ),
      { maxItems: PLAN_LIMITS.containers },
    ),
    /** PID 1 runs stale code: `systemctl daemon-reexec`. */
    reexecPid1: Type.Boolean(),
    /** The host must reboot; a reboot covers every restart above. */
    reboot: Type.Boolean(),
    rebootReasons: Type.Optional(Type.Array(Text, { maxItems: 64 })),
    /**
     * What a rollout cannot fix and a person must (denied services, user services, sessions,
     * processes without a restartable owner, pods): informational, never planned.
     */
    manual: Type.Optional(Type.Array(Text, { maxItems: 1024 })),
  },
  { additionalProperties: false },
);
export type HostNeeds = Static<typeof HostNeeds>;

export const PlanHost = Type.Object(
  {
    id: Id,
    hostname: Type.Optional(Id),
    labels: Type.Optional(Labels),
    /** False: the host is out right now (counts as out for its groups). Default true. */
    online: Type.Optional(Type.Boolean()),
    /** When an offline host is expected back; it is planned from then. */
    expectedOnlineAt: Type.Optional(Timestamp),
    /** Never touched by this rollout. */
    excluded: Type.Optional(Type.Boolean()),
    /** Not touched before this instant. */
    pinnedUntil: Type.Optional(Timestamp),
    pinReason: Type.Optional(Text),
    /** Groups the host belongs to in addition to those naming it or selecting it by label. */
    groups: Type.Optional(Type.Array(Id, { maxItems: PLAN_LIMITS.hostGroups })),
    /** A learned estimate of this host's step duration (seconds), overriding the defaults. */
    durationSec: Type.Optional(PositiveSeconds),
    needs: HostNeeds,
  },
  { additionalProperties: false },
);
export type PlanHost = Static<typeof PlanHost>;

export const Weekday = Type.Union([
  Type.Literal('mon'),
  Type.Literal('tue'),
  Type.Literal('wed'),
  Type.Literal('thu'),
  Type.Literal('fri'),
  Type.Literal('sat'),
  Type.Literal('sun'),
]);
export type Weekday = Static<typeof Weekday>;

/**
 * A recurring maintenance window: on each of `days`, from `start` to `end` local time in
 * `timeZone`. `end` <= `start` means the window crosses midnight (it starts on the listed day and
 * ends the next day); `start` == `end` is a whole 24 h.
 */
export const MaintenanceWindow = Type.Object(
  {
    days: Type.Array(Weekday, { minItems: 1, maxItems: 7 }),
    start: ClockTime,
    end: ClockTime,
    /** IANA time zone, e.g. `Europe/Paris` or `UTC`. */
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

/**
 * How many members of a group may be out at once. Every given bound must hold; none given means
 * no limit. `maxOutPercent` rounds down, but to at least 1 when it is above 0 (so 10% of 5 hosts
 * is 1, not 0); 0% allows none.
 */
export const GroupLimit = Type.Object(
  {
    maxOut: Type.Optional(Type.Integer({ minimum: 0, maximum: PLAN_LIMITS.hosts })),
    maxOutPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** At least this many members stay up (not out) at every moment. */
    minUp: Type.Optional(Type.Integer({ minimum: 0, maximum: PLAN_LIMITS.hosts })),
  },
  { additionalProperties: false },
);
export type GroupLimit = Static<typeof GroupLimit>;

export const PlanGroup = Type.Object(
  {
    name: Id,
    /** Explicit member host ids. */
    hosts: Type.Optional(Type.Array(Id, { maxItems: PLAN_LIMITS.members })),
    /** Hosts whose labels include all of these are members too. */
    selector: Type.Optional(Type.Object({ labels: Labels }, { additionalProperties: false })),
    limit: GroupLimit,
    /** No windows: always open. With windows, every step of a member starts and ends inside one. */
    windows: Type.Optional(Type.Array(MaintenanceWindow, { maxItems: PLAN_LIMITS.windows })),
    /** Groups that must be completely finished before any member of this one starts. */
    dependsOn: Type.Optional(Type.Array(Id, { maxItems: PLAN_LIMITS.dependsOn })),
    /** Needs an approval before the executor touches it (shown, not enforced by the planner). */
    protected: Type.Optional(Type.Boolean()),
    /** At least this long between the starts of two steps in this group. */
    delayBetweenStepsSec: Type.Optional(Seconds),
  },
  { additionalProperties: false },
);
export type PlanGroup = Static<typeof PlanGroup>;

export const PlanInput = Type.Object(
  {
    version: Type.Literal(PLAN_VERSION),
    /** Nothing is planned before this instant (the planner has no clock of its own). */
    start: Timestamp,
    /** Only reported: does the plan finish by then? */
    deadline: Type.Optional(Timestamp),
    /** False: hosts that need a reboot are not planned (unscheduled `reboot-not-allowed`). Default true. */
    allowReboot: Type.Optional(Type.Boolean()),
    defaults: Type.Optional(
      Type.Object(
        {
          durationSec: Type.Optional(
            Type.Object(
              { restart: Type.Optional(PositiveSeconds), reboot: Type.Optional(PositiveSeconds) },
              { additionalProperties: false },
            ),
          ),
          /** Applies to every group that does not set its own. */
          delayBetweenStepsSec: Type.Optional(Seconds),
        },
        { additionalProperties: false },
      ),
    ),
    hosts: Type.Array(PlanHost, { maxItems: PLAN_LIMITS.hosts }),
    groups: Type.Array(PlanGroup, { maxItems: PLAN_LIMITS.groups }),
  },
  { additionalProperties: false },
);
export type PlanInput = Static<typeof PlanInput>;

export const WaitKind = Type.Union([
  Type.Literal('limit'),
  Type.Literal('window'),
  Type.Literal('dependency'),
  Type.Literal('delay'),
  Type.Literal('offline'),
  Type.Literal('pinned'),
]);
export type WaitKind = Static<typeof WaitKind>;

/** One reason a step could not start earlier, and until when it held. */
export const StepWait = Type.Object(
  {
    kind: WaitKind,
    group: Type.Optional(Id),
    until: Timestamp,
    /** A sentence for people: "web: 2 of 10 already out (limit maxOut 2)". */
    detail: Text,
  },
  { additionalProperties: false },
);
export type StepWait = Static<typeof StepWait>;

export const PlannedStep = Type.Object(
  {
    /** 1-based, by planned start (ties by host order). */
    order: Type.Integer({ minimum: 1 }),
    hostId: Id,
    hostname: Type.Optional(Id),
    action: Type.Union([Type.Literal('restart'), Type.Literal('reboot')]),
    operations: Type.Array(StepOperation, { minItems: 1 }),
    /** Every group the host belongs to, sorted. */
    groups: Type.Array(Id),
    plannedStart: Timestamp,
    plannedEnd: Timestamp,
    durationSec: PositiveSeconds,
    waits: Type.Array(StepWait),
  },
  { additionalProperties: false },
);
export type PlannedStep = Static<typeof PlannedStep>;

export const UnscheduledReason = Type.Union([
  Type.Literal('excluded'),
  Type.Literal('pinned'),
  Type.Literal('offline'),
  Type.Literal('nothing-to-do'),
  Type.Literal('blocked'),
  Type.Literal('reboot-not-allowed'),
]);
export type UnscheduledReason = Static<typeof UnscheduledReason>;

export const UnscheduledHost = Type.Object(
  { hostId: Id, hostname: Type.Optional(Id), reason: UnscheduledReason, detail: Text },
  { additionalProperties: false },
);
export type UnscheduledHost = Static<typeof UnscheduledHost>;

export const PlanSummary = Type.Object(
  {
    /** Hosts in the input. */
    hosts: Type.Integer({ minimum: 0 }),
    steps: Type.Integer({ minimum: 0 }),
    reboots: Type.Integer({ minimum: 0 }),
    restarts: Type.Integer({ minimum: 0 }),
    /** First planned start (the input's start when nothing is planned). */
    startAt: Timestamp,
    /** Last planned end (the input's start when nothing is planned). */
    finishAt: Timestamp,
    /** From the input's start to finishAt. */
    durationSec: Type.Number({ minimum: 0 }),
    /** No valid plan of the scheduled steps can finish sooner than start + this. */
    lowerBoundSec: Type.Number({ minimum: 0 }),
    deadline: Type.Optional(Timestamp),
    fitsDeadline: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PlanSummary = Static<typeof PlanSummary>;

export const Plan = Type.Object(
  {
    version: Type.Literal(PLAN_VERSION),
    start: Timestamp,
    /** Equal to `start`: the planner is pure, it reads no clock. */
    generatedAt: Timestamp,
    steps: Type.Array(PlannedStep),
    unscheduled: Type.Array(UnscheduledHost),
    summary: PlanSummary,
  },
  { additionalProperties: false },
);
export type Plan = Static<typeof Plan>;
