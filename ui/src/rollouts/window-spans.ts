// Where a group's weekly maintenance windows fall in a time range, as instants, to shade them
// on the timeline. Windows are local times in an IANA zone; the browser's Intl does the zone
// arithmetic (the same rules the server's planner uses: end <= start crosses midnight, start ==
// end is a whole day).
import type { MaintenanceWindow, Weekday } from './types.js';

const DAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;
/** Ranges longer than this are not shaded (a plan that long is read from the list). */
const MAX_DAYS = 60;

const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(instant: number, timeZone: string): number[] {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  return [
    parts.year ?? 0,
    parts.month ?? 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  ];
}

function offsetMs(instant: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = localParts(instant, timeZone);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - Math.floor(instant / 1000) * 1000;
}

/** The instant at which it is y-m-d hh:mm in the zone (the later one in a DST gap). */
function instantOf(y: number, m: number, d: number, clock: string, timeZone: string): number {
  const [hh, mm] = clock.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, hh ?? 0, mm ?? 0);
  const first = guess - offsetMs(guess, timeZone);
  return guess - offsetMs(first, timeZone);
}

export interface Span {
  start: number;
  end: number;
}

export function windowSpans(windows: readonly MaintenanceWindow[], from: number, to: number): Span[] {
  if (to <= from || to - from > MAX_DAYS * DAY_MS) return [];
  const spans: Span[] = [];
  for (const w of windows) {
    let zoneOk = true;
    try {
      localParts(from, w.timeZone);
    } catch {
      zoneOk = false;
    }
    if (!zoneOk) continue;
    const [y, m, d] = localParts(from - DAY_MS, w.timeZone);
    for (let i = 0; i <= (to - from) / DAY_MS + 2; i++) {
      const date = new Date(Date.UTC(y!, m! - 1, d! + i));
      if (!w.days.includes(DAYS[date.getUTCDay()]!)) continue;
      const [dy, dm, dd] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      const start = instantOf(dy, dm, dd, w.start, w.timeZone);
      const next = new Date(Date.UTC(dy, dm - 1, dd + 1));
      const end =
        w.end > w.start
          ? instantOf(dy, dm, dd, w.end, w.timeZone)
          : instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), w.end, w.timeZone);
      if (end > from && start < to) spans.push({ start: Math.max(start, from), end: Math.min(end, to) });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}
