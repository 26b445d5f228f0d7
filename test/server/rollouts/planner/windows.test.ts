import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isInsideWindows,
  isValidTimeZone,
  nextWindowSpan,
  zonedToUtc,
} from '../../../../server/rollouts/planner/windows.js';
import type { MaintenanceWindow } from '../../../../shared/rollout-plan.js';

const at = (iso: string) => new Date(iso);
const span = (s: { start: Date; end: Date } | undefined) =>
  s && { start: s.start.toISOString(), end: s.end.toISOString() };

describe('zonedToUtc', () => {
  it('converts Paris wall times in winter and in summer', () => {
    assert.equal(
      new Date(zonedToUtc(2025, 1, 15, 2, 0, 'Europe/Paris')).toISOString(),
      '2025-01-15T01:00:00.000Z',
    );
    assert.equal(
      new Date(zonedToUtc(2025, 7, 15, 2, 0, 'Europe/Paris')).toISOString(),
      '2025-07-15T00:00:00.000Z',
    );
  });
  it('moves a wall time skipped by the spring change forward by the gap', () => {
    // 2025-03-30 02:30 does not exist in Paris (02:00 -> 03:00): it means 03:30 CEST.
    assert.equal(
      new Date(zonedToUtc(2025, 3, 30, 2, 30, 'Europe/Paris')).toISOString(),
      '2025-03-30T01:30:00.000Z',
    );
  });
  it('takes the earlier of a wall time repeated by the autumn change', () => {
    // 2025-10-26 02:30 happens twice in Paris: first at 00:30 UTC (CEST), then 01:30 UTC (CET).
    assert.equal(
      new Date(zonedToUtc(2025, 10, 26, 2, 30, 'Europe/Paris')).toISOString(),
      '2025-10-26T00:30:00.000Z',
    );
  });
});

describe('maintenance windows', () => {
  const saturdayNight: MaintenanceWindow = {
    days: ['sat'],
    start: '22:00',
    end: '04:00',
    timeZone: 'Europe/Paris',
  };

  it('crosses midnight when end <= start', () => {
    // Saturday 2025-01-11 22:00 CET = 21:00 UTC, until Sunday 04:00 CET = 03:00 UTC.
    assert.ok(isInsideWindows([saturdayNight], at('2025-01-12T02:59:00Z')));
    assert.ok(!isInsideWindows([saturdayNight], at('2025-01-12T03:00:00Z')));
    assert.ok(!isInsideWindows([saturdayNight], at('2025-01-11T20:59:00Z')));
    assert.deepEqual(span(nextWindowSpan([saturdayNight], at('2025-01-08T12:00:00Z'))), {
      start: '2025-01-11T21:00:00.000Z',
      end: '2025-01-12T03:00:00.000Z',
    });
  });

  it('keeps local hours across the spring change: the night is one hour shorter', () => {
    // Saturday 2025-03-29 22:00 CET = 21:00 UTC to Sunday 04:00 CEST = 02:00 UTC: 5 hours.
    assert.deepEqual(span(nextWindowSpan([saturdayNight], at('2025-03-27T00:00:00Z'))), {
      start: '2025-03-29T21:00:00.000Z',
      end: '2025-03-30T02:00:00.000Z',
    });
  });

  it('keeps local hours across the autumn change: the night is one hour longer', () => {
    // Saturday 2025-10-25 22:00 CEST = 20:00 UTC to Sunday 04:00 CET = 03:00 UTC: 7 hours.
    assert.deepEqual(span(nextWindowSpan([saturdayNight], at('2025-10-24T00:00:00Z'))), {
      start: '2025-10-25T20:00:00.000Z',
      end: '2025-10-26T03:00:00.000Z',
    });
  });

  it('reads the same clock times differently in UTC and in Paris', () => {
    const utc: MaintenanceWindow = { ...saturdayNight, timeZone: 'UTC' };
    assert.deepEqual(span(nextWindowSpan([utc], at('2025-07-01T00:00:00Z'))), {
      start: '2025-07-05T22:00:00.000Z',
      end: '2025-07-06T04:00:00.000Z',
    });
    assert.deepEqual(span(nextWindowSpan([saturdayNight], at('2025-07-01T00:00:00Z'))), {
      start: '2025-07-05T20:00:00.000Z',
      end: '2025-07-06T02:00:00.000Z',
    });
  });

  it('clips the span to `from` when inside, and skips spans too short for the step', () => {
    const from = at('2025-01-12T02:30:00Z');
    assert.deepEqual(span(nextWindowSpan([saturdayNight], from)), {
      start: '2025-01-12T02:30:00.000Z',
      end: '2025-01-12T03:00:00.000Z',
    });
    assert.equal(
      span(nextWindowSpan([saturdayNight], from, { minDurationSec: 3600 }))?.start,
      '2025-01-18T21:00:00.000Z',
    );
  });

  it('merges windows that touch, so a step can run across the seam', () => {
    const windows: MaintenanceWindow[] = [
      { days: ['mon'], start: '22:00', end: '00:00', timeZone: 'UTC' },
      { days: ['tue'], start: '00:00', end: '02:00', timeZone: 'UTC' },
    ];
    assert.deepEqual(
      span(nextWindowSpan(windows, at('2025-01-06T00:00:00Z'), { minDurationSec: 3 * 3600 })),
      {
        start: '2025-01-06T22:00:00.000Z',
        end: '2025-01-07T02:00:00.000Z',
      },
    );
  });

  it('treats start == end as a whole day, no windows as always open, and a step longer than any span as impossible', () => {
    const allDay: MaintenanceWindow = { days: ['wed'], start: '00:00', end: '00:00', timeZone: 'UTC' };
    assert.ok(isInsideWindows([allDay], at('2025-01-08T23:59:00Z')));
    assert.ok(isInsideWindows([], at('2025-01-08T23:59:00Z')));
    // 6 h nights, 7 h only on the autumn change night: 8 h never fits.
    assert.equal(
      nextWindowSpan([saturdayNight], at('2025-01-01T00:00:00Z'), { minDurationSec: 8 * 3600 }),
      undefined,
    );
  });

  it('knows which time zone names are valid', () => {
    assert.ok(isValidTimeZone('Europe/Paris'));
    assert.ok(!isValidTimeZone('Mars/Olympus_Mons'));
  });
});
