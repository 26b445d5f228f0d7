// The state of the fleet over time, from host_history: how many hosts were ok / restart / reboot /
// not yet reported at the end of each hour or day. History rows are written only when a host's
// findings change, so a host's status at time T is the status of its last row at or before T.
//
// Instead of looking that up per host and bucket (hosts × buckets index probes), each history row
// is turned into a delta: +1 for its status and -1 for the status it replaces (LAG over the host's
// rows; a host's first row replaces 'unknown', which its enrolment added). A running sum of the
// deltas over the buckets gives the counts, in one pass over the history before `to`.
// Revoked hosts are left out, like everywhere in the overview. Online/offline is not historised.
import type { PrismaClient } from '../db/generated/client.js';

export type TimelineBucket = 'hour' | 'day';
const BUCKET_MS: Record<TimelineBucket, number> = { hour: 3_600_000, day: 86_400_000 };
export const MAX_TIMELINE_POINTS = 1000;

export interface TimelinePoint {
  /** The bucket's start (UTC); counts are as of its end. */
  at: Date;
  ok: number;
  restart: number;
  reboot: number;
  unknown: number;
}

export interface TimelineRange {
  /** Bucket starts from `from` (rounded down) to `to` (rounded down), both included. */
  from: Date;
  to: Date;
  bucket: TimelineBucket;
}

/** Rounds the range to whole buckets (UTC) and checks it is not too long. */
export function timelineBuckets(range: TimelineRange): Date[] {
  const size = BUCKET_MS[range.bucket];
  const first = Math.floor(range.from.getTime() / size) * size;
  const last = Math.floor(range.to.getTime() / size) * size;
  const starts: Date[] = [];
  for (let t = first; t <= last && starts.length <= MAX_TIMELINE_POINTS; t += size) starts.push(new Date(t));
  if (starts.length > MAX_TIMELINE_POINTS) throw new RangeError(`more than ${MAX_TIMELINE_POINTS} points`);
  return starts;
}

export async function fleetTimeline(prisma: PrismaClient, range: TimelineRange): Promise<TimelinePoint[]> {
  const starts = timelineBuckets(range);
  if (starts.length === 0) return [];
  const size = BUCKET_MS[range.bucket];
  const firstMs = starts[0]!.getTime();
  const end = new Date(starts[starts.length - 1]!.getTime() + size);
  // Bucket index of an event: events before the range count from bucket 0 (they make its
  // starting state); the range ends at `end`, so later events are not read at all.
  const rows = await prisma.$queryRaw<Array<{ bucket: number; status: string; delta: number }>>`
    WITH changes AS (
      SELECT h.at, h.status::text AS status,
             coalesce(lag(h.status::text) OVER (PARTITION BY h.host_id ORDER BY h.at, h.id), 'unknown') AS previous
        FROM host_history h JOIN hosts ON hosts.id = h.host_id
       WHERE hosts.revoked_at IS NULL AND h.at < ${end}
    ), deltas AS (
      SELECT at, status, 1 AS delta FROM changes
      UNION ALL
      SELECT at, previous, -1 FROM changes
      UNION ALL
      SELECT enrolled_at, 'unknown', 1 FROM hosts WHERE revoked_at IS NULL AND enrolled_at < ${end}
    )
    SELECT greatest(0, floor((extract(epoch FROM at) * 1000 - ${firstMs}::float8) / ${size}::float8))::int AS bucket,
           status, sum(delta)::int AS delta
      FROM deltas
     GROUP BY 1, 2`;
  const byBucket = new Map<number, Map<string, number>>();
  for (const row of rows) {
    const statuses = byBucket.get(row.bucket) ?? new Map<string, number>();
    statuses.set(row.status, (statuses.get(row.status) ?? 0) + row.delta);
    byBucket.set(row.bucket, statuses);
  }
  const running = { ok: 0, restart: 0, reboot: 0, unknown: 0 };
  return starts.map((at, index) => {
    for (const [status, delta] of byBucket.get(index) ?? []) {
      if (status in running) running[status as keyof typeof running] += delta;
    }
    return { at, ...running };
  });
}
