// What `rollout follow` knows and prints, apart from the stream: the rollout's state and each
// step's, updated from the server's events and from re-fetches, and the text forms of it (the bar
// redrawn on a terminal, one line per event otherwise, JSON lines, the final summary). Pure.
import { duration } from '../../server/rollouts/planner/format-plan-summary.js';
import type { RolloutDetail } from './rollout-types.js';

export interface Progress {
  id: string;
  name: string;
  state: string;
  haltReason: string | null;
  startedAt: string | null;
  failures: number;
  failureBudget: number;
  /** Step id → hostname, state, and why it failed. */
  steps: Map<string, StepProgress>;
}

export interface StepProgress {
  hostname: string;
  state: string;
  failureReason?: string | undefined;
}

export interface Tally {
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  inFlight: number;
  pending: number;
  skipped: number;
}

export function progressOf(r: RolloutDetail): Progress {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    haltReason: r.haltReason,
    startedAt: r.startedAt,
    failures: r.failures,
    failureBudget: r.failureBudget,
    steps: new Map(
      r.steps.map((s) => [
        s.id,
        {
          hostname: s.hostname,
          state: s.state,
          failureReason: s.failureReason ?? s.agentMessage ?? undefined,
        },
      ]),
    ),
  };
}

/** How far along a step's state is: a step only ever moves forward (pending, dispatched, settled). */
const STEP_STAGE: Readonly<Record<string, number>> = {
  pending: 0,
  dispatched: 1,
  succeeded: 2,
  failed: 2,
  skipped: 2,
};

/**
 * Whether an event saying a step is now `next` tells something new. An event can arrive after a
 * fetch that already showed the step further along (the stream is opened before the fetch, so
 * the events of that moment come after it): taking it would move the step back.
 */
export function isStepAdvance(known: string | undefined, next: string): boolean {
  if (known === undefined) return true;
  return (STEP_STAGE[next] ?? 0) > (STEP_STAGE[known] ?? 0);
}

export function tally(p: Progress): Tally {
  const t: Tally = {
    total: p.steps.size,
    done: 0,
    succeeded: 0,
    failed: 0,
    inFlight: 0,
    pending: 0,
    skipped: 0,
  };
  for (const { state } of p.steps.values()) {
    if (state === 'succeeded') t.succeeded++;
    else if (state === 'failed') t.failed++;
    else if (state === 'dispatched') t.inFlight++;
    else if (state === 'skipped') t.skipped++;
    else t.pending++;
  }
  t.done = t.succeeded + t.failed + t.skipped;
  return t;
}

/**
 * Seconds left at the pace so far (time since the start per settled step); undefined before the
 * first step settles, when there is no pace to go by.
 */
export function etaSec(p: Progress, now: number): number | undefined {
  const t = tally(p);
  if (!p.startedAt || t.done === 0 || t.done >= t.total) return undefined;
  const elapsed = (now - Date.parse(p.startedAt)) / 1000;
  return (elapsed / t.done) * (t.total - t.done);
}

const BAR_WIDTH = 24;

/** `[#########---------------]  3/8 done, 1 in flight, 0 failed, ETA 4 min  running` */
export function barLine(p: Progress, now: number): string {
  const t = tally(p);
  const filled = t.total === 0 ? BAR_WIDTH : Math.round((t.done / t.total) * BAR_WIDTH);
  const eta = etaSec(p, now);
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${t.done}/${t.total} done, ` +
    `${t.inFlight} in flight, ${t.failed} failed${eta === undefined ? '' : `, ETA ${duration(eta)}`}  ${p.state}`
  );
}

/** One line for a log: `<time> web-3 succeeded  (5/8 done, 1 in flight, 0 failed)`. */
export function eventLine(p: Progress, what: string, now: number): string {
  const t = tally(p);
  const eta = etaSec(p, now);
  return (
    `${new Date(now).toISOString()} ${what}  (${t.done}/${t.total} done, ${t.inFlight} in flight, ` +
    `${t.failed} failed${eta === undefined ? '' : `, ETA ${duration(eta)}`})`
  );
}

export function jsonLine(p: Progress, event: Record<string, unknown>, now: number): string {
  return `${JSON.stringify({ at: new Date(now).toISOString(), ...event, rolloutState: p.state, ...tally(p) })}\n`;
}

/** The last words: how it ended and what a person should look at. */
export function finalSummary(p: Progress, now: number): string {
  const failedSteps = failed(p);
  const t = tally(p);
  const took = p.startedAt ? ` in ${duration((now - Date.parse(p.startedAt)) / 1000)}` : '';
  const head =
    p.state === 'completed'
      ? `Rollout ${p.name} completed${took}: ${t.succeeded} succeeded, ${t.failed} failed, ${t.skipped} skipped.`
      : `Rollout ${p.name} ${p.state}${p.haltReason ? ` (${p.haltReason})` : ''}: ${t.succeeded} succeeded, ` +
        `${t.failed} failed, ${t.skipped} skipped, ${t.pending + t.inFlight} not done.`;
  const failedLines =
    failedSteps.length > 0
      ? `\nFailed:${failedSteps.map((s) => `\n  ${s.hostname}: ${s.failureReason ?? 'failed'}`).join('')}`
      : '';
  const next =
    p.state === 'halted'
      ? `\nLook into the failures, then: afterpatch rollout resume ${p.id} --note "what was found" (or cancel)`
      : '';
  return `${head}${failedLines}${next}\n`;
}

export function failed(p: Progress): StepProgress[] {
  return [...p.steps.values()].filter((s) => s.state === 'failed');
}
