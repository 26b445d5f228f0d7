// Step durations learned from past rollouts: the median of successful steps' dispatch-to-verified
// times, by action, over the fleet and per host, so previews and window checks use what this fleet
// really takes. Recent steps only (the newest 500 per action): hardware and habits change.
import type { PrismaClient } from '../db/generated/client.js';

export interface LearnedDurations {
  /** Fleet median by action ('restart', 'reboot'), seconds. */
  byAction: Map<string, number>;
  /** `${hostId}/${action}` → that host's median, seconds. */
  byHostAction: Map<string, number>;
}

const SAMPLE = 500;

export async function learnedDurations(prisma: PrismaClient): Promise<LearnedDurations> {
  const rows = await prisma.$queryRaw<Array<{ host_id: string; action: string; seconds: number }>>`
    SELECT host_id::text AS host_id, action, seconds FROM (
      SELECT host_id, action,
             EXTRACT(EPOCH FROM (finished_at - dispatched_at))::float8 AS seconds,
             row_number() OVER (PARTITION BY action ORDER BY finished_at DESC) AS n
        FROM rollout_steps
       WHERE state = 'succeeded' AND dispatched_at IS NOT NULL AND finished_at IS NOT NULL
    ) recent WHERE n <= ${SAMPLE}`;
  const byAction = new Map<string, number[]>();
  const byHostAction = new Map<string, number[]>();
  for (const row of rows) {
    if (!(row.seconds > 0)) continue;
    push(byAction, row.action, row.seconds);
    push(byHostAction, `${row.host_id}/${row.action}`, row.seconds);
  }
  return { byAction: medians(byAction), byHostAction: medians(byHostAction) };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function medians(map: Map<string, number[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, values] of map) {
    const m = median(values);
    if (m !== undefined) out.set(key, Math.round(m * 10) / 10);
  }
  return out;
}
