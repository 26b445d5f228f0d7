// The fleet overview's answers: totals with per-label counts, the stale packages across the
// fleet and the hosts that run each, and the hosts per status over time. Served by
// server/routes/fleet.ts; read by the UI.
import Type, { type Static } from 'typebox';
import { DateTime, NullableDateTime } from './fields.js';
import { PageOf } from './pages.js';

const FleetCounts = {
  hosts: Type.Integer(),
  online: Type.Integer(),
  needRestart: Type.Integer(),
  needReboot: Type.Integer(),
  oldestStaleSince: NullableDateTime,
};
export const FleetSummary = Type.Object({
  ...FleetCounts,
  unknown: Type.Integer({ description: 'Hosts that have not reported yet' }),
  byLabel: Type.Array(Type.Object({ key: Type.String(), value: Type.String(), ...FleetCounts })),
});
export type FleetSummary = Static<typeof FleetSummary>;

/** A package whose replaced files are still in use somewhere in the fleet. */
export const FleetPackage = Type.Object({
  name: Type.String(),
  hosts: Type.Integer(),
  processes: Type.Integer(),
  installedVersions: Type.Array(Type.String()),
  previousVersions: Type.Array(Type.String()),
});
export type FleetPackage = Static<typeof FleetPackage>;

export const FleetPackagePage = PageOf(FleetPackage);
export type FleetPackagePage = Static<typeof FleetPackagePage>;

/** A host whose processes still run old files of a package. */
export const PackageHost = Type.Object({
  hostId: Type.String(),
  hostname: Type.String(),
  online: Type.Boolean(),
  status: Type.String(),
  installedVersion: Type.Union([Type.String(), Type.Null()]),
  previousVersion: Type.Union([Type.String(), Type.Null()]),
  processCount: Type.Integer(),
  files: Type.Array(Type.String()),
});
export type PackageHost = Static<typeof PackageHost>;

export const PackageHostPage = PageOf(PackageHost);
export type PackageHostPage = Static<typeof PackageHostPage>;

/** Hosts per status at the end of one hour or day. */
export const TimelinePoint = Type.Object({
  at: DateTime,
  ok: Type.Integer(),
  restart: Type.Integer(),
  reboot: Type.Integer(),
  unknown: Type.Integer({ description: 'Enrolled, not reported yet' }),
});
export type TimelinePoint = Static<typeof TimelinePoint>;

export const FleetTimeline = Type.Object({ bucket: Type.String(), points: Type.Array(TimelinePoint) });
export type FleetTimeline = Static<typeof FleetTimeline>;
