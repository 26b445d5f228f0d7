// Maintenance windows as concrete spans of time. A window says "on these weekdays, from HH:MM to
// HH:MM in this IANA time zone"; the planner and the rollout executor need instants. Pure and
// time-zone correct: local wall times are converted with Intl.DateTimeFormat, so DST days are
// 23 or 25 hours long and a window keeps its local hours across the change.
//
// Conventions (docs/plan.md):
// - `end` <= `start`: the window crosses midnight, it opens on a listed day and closes the next;
//   `start` == `end` is a whole day.
// - A wall time that does not exist (skipped by a spring-forward change) is moved forward by the
//   length of the gap, and one that exists twice (fall-back) means the earlier instant: the
//   'compatible' rule of Temporal and of most calendar software.
// - Spans that overlap or touch (one window ending 02:00, another starting 02:00) are merged: a
//   step may run across the seam, since the host is inside a window at every instant.
import type { MaintenanceWindow, Weekday } from '../../../shared/rollout-plan.js';

export interface Span {
  startMs: number;
  endMs: number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** True when `at` lies inside one of the windows (no windows at all: always open). */
export function isInsideWindows(windows: readonly MaintenanceWindow[], at: Date | number): boolean {
  if (windows.length === 0) return true;
  const atMs = toMs(at);
  return windowSpans(windows, atMs, atMs).some((s) => s.startMs <= atMs && atMs < s.endMs);
}

/**
 * The earliest window span that is open at or after `from` and leaves at least `minDurationSec`
 * between max(span start, from) and its end; `start` is clipped to `from` when `from` is inside.
 * undefined when none begins within `searchDays` (default 366). No windows: always open, one span
 * from `from` to the end of the search. Spans are merged across seams, so a span of windows that
 * never close ends at the search limit.
 */
export function nextWindowSpan(
  windows: readonly MaintenanceWindow[],
  from: Date | number,
  options: { minDurationSec?: number; searchDays?: number } = {},
): { start: Date; end: Date } | undefined {
  const fromMs = toMs(from);
  const searchDays = options.searchDays ?? 366;
  const needMs = (options.minDurationSec ?? 0) * 1000;
  const limitMs = fromMs + searchDays * DAY_MS;
  if (windows.length === 0) {
    return needMs <= limitMs - fromMs ? { start: new Date(fromMs), end: new Date(limitMs) } : undefined;
  }
  // Search in growing ranges; a span is accepted only once it ends well before the range's end,
  // where no later window could still be merged into it.
  for (let rangeDays = 9; ; rangeDays *= 2) {
    const rangeEnd = Math.min(fromMs + rangeDays * DAY_MS, limitMs);
    const last = rangeEnd >= limitMs;
    for (const span of windowSpans(windows, fromMs, rangeEnd)) {
      if (span.endMs <= fromMs) continue;
      const start = Math.max(span.startMs, fromMs);
      if (start >= limitMs) return undefined;
      const complete = span.endMs < rangeEnd - 2 * DAY_MS;
      if (!complete && !last) break;
      const end = complete ? span.endMs : Math.min(span.endMs, limitMs);
      if (end - start >= needMs) return { start: new Date(start), end: new Date(end) };
    }
    if (last) return undefined;
  }
}

/**
 * Every merged span of the windows that overlaps [fromMs, toMs], sorted. Spans at the edges may be
 * cut short of later merges beyond `toMs + 1 day`; callers ask for a margin.
 */
export function windowSpans(windows: readonly MaintenanceWindow[], fromMs: number, toMs: number): Span[] {
  const raw: Span[] = [];
  for (const window of windows) {
    const [startH, startM] = clock(window.start);
    const [endH, endM] = clock(window.end);
    const endNextDay = endH * 60 + endM <= startH * 60 + startM;
    const days = new Set(window.days);
    // Local dates from two days before `from` (a window that opened then may still be open) on.
    const first = localDate(fromMs - 2 * DAY_MS, window.timeZone);
    const count = Math.ceil((toMs - fromMs) / DAY_MS) + 4;
    for (let i = 0; i < count; i++) {
      const date = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
      const y = date.getUTCFullYear();
      const m = date.getUTCMonth() + 1;
      const d = date.getUTCDate();
      if (!days.has(WEEKDAYS[date.getUTCDay()]!)) continue;
      const startMs = zonedToUtc(y, m, d, startH, startM, window.timeZone);
      const endDate = endNextDay ? new Date(Date.UTC(y, m - 1, d + 1)) : date;
      const endMs = zonedToUtc(
        endDate.getUTCFullYear(),
        endDate.getUTCMonth() + 1,
        endDate.getUTCDate(),
        endH,
        endM,
        window.timeZone,
      );
      if (endMs > startMs && endMs >= fromMs && startMs <= toMs) raw.push({ startMs, endMs });
    }
  }
  raw.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const merged: Span[] = [];
  for (const span of raw) {
    const last = merged.at(-1);
    if (last && span.startMs <= last.endMs) last.endMs = Math.max(last.endMs, span.endMs);
    else merged.push({ ...span });
  }
  return merged;
}

/** True when Intl knows the IANA time zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The UTC instant of a local wall time in `timeZone` (see the conventions at the top). */
export function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const key = `${timeZone}|${year}-${month}-${day} ${hour}:${minute}`;
  const cached = zonedCache.get(key);
  if (cached !== undefined) return cached;
  const local = Date.UTC(year, month - 1, day, hour, minute);
  // At most one offset change lies within a day of any wall time.
  const before = offsetMs(local - DAY_MS, timeZone);
  const after = offsetMs(local + DAY_MS, timeZone);
  let result: number;
  if (before === after) result = local - before;
  else {
    const withBefore = local - before;
    const withAfter = local - after;
    const validBefore = offsetMs(withBefore, timeZone) === before;
    const validAfter = offsetMs(withAfter, timeZone) === after;
    if (validBefore && validAfter) result = Math.min(withBefore, withAfter);
    else if (validBefore) result = withBefore;
    else if (validAfter) result = withAfter;
    // In the gap: the offset from before the change moves the time forward by the gap.
    else result = withBefore;
  }
  if (zonedCache.size > 100_000) zonedCache.clear();
  zonedCache.set(key, result);
  return result;
}

const zonedCache = new Map<string, number>();
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(ms: number, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts;
}

/** Local time minus UTC at instant `ms`, in milliseconds (+3600000 for Paris in winter). */
function offsetMs(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const p = localParts(whole, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - whole;
}

function localDate(ms: number, timeZone: string): { year: number; month: number; day: number } {
  const p = localParts(ms, timeZone);
  return { year: p.year!, month: p.month!, day: p.day! };
}

function clock(hhmm: string): [number, number] {
  const [h, m] = hhmm.split(':');
  return [Number(h), Number(m)];
}

function toMs(at: Date | number): number {
  return typeof at === 'number' ? at : at.getTime();
}
