// Where a group's weekly maintenance windows fall in a time range, as instants, to shade them on
// the timeline. The arithmetic is the planner's own (server/rollouts/planner/windows.ts, pure and
// Intl-only), so the shading can never disagree with the plan; this file only clips the spans
// to the drawn range and skips what the browser cannot draw.
import { isValidTimeZone, windowSpans as plannerSpans } from '../../../server/rollouts/planner/windows.js';
import type { MaintenanceWindow } from './types.js';

const DAY_MS = 86_400_000;
/** Ranges longer than this are not shaded (a plan that long is read from the list). */
const MAX_DAYS = 60;

export interface Span {
  start: number;
  end: number;
}

export function windowSpans(windows: readonly MaintenanceWindow[], from: number, to: number): Span[] {
  if (to <= from || to - from > MAX_DAYS * DAY_MS) return [];
  // A zone this browser's Intl does not know is left unshaded rather than breaking the page.
  const drawable = windows.filter((w) => isValidTimeZone(w.timeZone));
  return plannerSpans(drawable, from, to)
    .filter((span) => span.endMs > from && span.startMs < to)
    .map((span) => ({ start: Math.max(span.startMs, from), end: Math.min(span.endMs, to) }));
}
