// `rollout follow`: a rollout's progress, live, from the server's Server-Sent Events
// (GET /api/v1/events). The stream is opened BEFORE the rollout is fetched, so nothing that
// happens in between is missed; after a reconnect the rollout is fetched again, because the
// server does not replay events (its ids count per connection; Last-Event-ID is sent anyway so a
// server that replays could). A stream silent for longer than three heartbeats is taken as dead.
// Ends when the rollout completes (0), halts or is cancelled (1), or on SIGINT/SIGTERM (130).
import type { ApiClient } from '../api/api-client.js';
import { ApiError, ServerUnreachableError } from '../api/api-errors.js';
import { SseParser } from '../api/sse-parser.js';
import {
  barLine,
  eventLine,
  failed,
  finalSummary,
  isStepAdvance,
  jsonLine,
  type Progress,
  progressOf,
} from './follow-progress.js';
import { FINAL_STATES, type RolloutDetail } from './rollout-types.js';

export interface FollowOptions {
  json: boolean;
  /** Redraw one bar line in place (stdout is a terminal and not --json). */
  tty: boolean;
  /** Nothing at all from the stream for this long: reconnect (the server's heartbeat is 15 s). */
  silenceMs?: number;
  /** Consecutive failed connection attempts before giving up (exit 69). */
  maxAttempts?: number;
}

export const EXIT_INTERRUPTED = 130;
const DEFAULT_RETRY_MS = 3000;
const REDRAW_MS = 1000;

export async function followRollout(client: ApiClient, id: string, options: FollowOptions): Promise<number> {
  const out = new Output(options);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let progress: Progress | undefined;
  let lastEventId: string | undefined;
  let retryMs = DEFAULT_RETRY_MS;
  let failedAttempts = 0;
  const maxAttempts = options.maxAttempts ?? 10;
  const redraw = options.tty ? setInterval(() => progress && out.bar(progress), REDRAW_MS) : undefined;
  try {
    for (;;) {
      if (stop.signal.aborted) return interrupted(out, progress);
      const connection = new AbortController();
      const abortConnection = (): void => connection.abort();
      stop.signal.addEventListener('abort', abortConnection, { once: true });
      try {
        let response: Response;
        try {
          response = await client.stream(
            '/events',
            lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
            connection.signal,
          );
        } catch (err) {
          if (stop.signal.aborted) return interrupted(out, progress);
          if (!retryable(err) || ++failedAttempts >= maxAttempts) throw err;
          out.note(`event stream: ${(err as Error).message}; retrying in ${retryMs / 1000} s`);
          await sleep(retryMs, stop.signal);
          continue;
        }
        failedAttempts = 0;
        // Subscribed now: whatever changes from here on arrives as an event.
        const fresh = await fetchRollout(client, id);
        progress = reconcile(progress, fresh, out);
        if (FINAL_STATES.has(progress.state)) return finish(out, progress);
        const parser = new SseParser();
        const ended = await readStream(response, connection, options.silenceMs ?? 45_000, async (text) => {
          const chunk = parser.push(text);
          if (chunk.retryMs !== undefined) retryMs = chunk.retryMs;
          for (const event of chunk.events) {
            lastEventId = event.id ?? lastEventId;
            const data = parseJson(event.data) as { rolloutId?: string } | undefined;
            if (data?.rolloutId !== id || !progress) continue;
            if (event.event === 'step.changed') {
              progress = stepChanged(progress, data as StepChanged, out);
            } else if (event.event === 'rollout.changed') {
              // The event has the state only: the counts, failures and halt reason come with a fetch.
              progress = reconcile(progress, await fetchRollout(client, id), out);
            }
            if (FINAL_STATES.has(progress.state)) return true;
          }
          return false;
        });
        if (ended && progress && FINAL_STATES.has(progress.state)) return finish(out, progress);
        if (stop.signal.aborted) return interrupted(out, progress);
        out.note(`event stream closed; reconnecting in ${retryMs / 1000} s`);
        await sleep(retryMs, stop.signal);
      } finally {
        stop.signal.removeEventListener('abort', abortConnection);
        connection.abort();
      }
    }
  } finally {
    if (redraw) clearInterval(redraw);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

interface StepChanged {
  stepId: string;
  hostname: string;
  state: string;
  message?: string | null;
}

function stepChanged(p: Progress, e: StepChanged, out: Output): Progress {
  const known = p.steps.get(e.stepId);
  if (!isStepAdvance(known?.state, e.state)) return p;
  p.steps.set(e.stepId, { hostname: e.hostname, state: e.state, failureReason: e.message ?? undefined });
  out.step(p, e.hostname, e.state, e.message ?? undefined);
  return p;
}

/** Takes a fresh fetch in: prints what changed since what we knew (everything, the first time). */
function reconcile(previous: Progress | undefined, detail: RolloutDetail, out: Output): Progress {
  const next = progressOf(detail);
  if (!previous) {
    out.started(next);
    return next;
  }
  for (const step of detail.steps) {
    if (previous.steps.get(step.id)?.state !== step.state) {
      out.step(next, step.hostname, step.state, step.failureReason ?? step.agentMessage ?? undefined);
    }
  }
  if (previous.state !== next.state) out.rollout(next);
  else out.bar(next);
  return next;
}

function finish(out: Output, p: Progress): number {
  out.summary(p);
  return p.state === 'completed' ? 0 : 1;
}

function interrupted(out: Output, p: Progress | undefined): number {
  out.note('stopped following; the rollout goes on without you');
  if (p) out.bar(p);
  out.endBar();
  return EXIT_INTERRUPTED;
}

async function fetchRollout(client: ApiClient, id: string): Promise<RolloutDetail> {
  return client.get<RolloutDetail>(`/rollouts/${encodeURIComponent(id)}`);
}

/** Network trouble and 5xx are worth another try; 401/403/404 are not. */
function retryable(err: unknown): boolean {
  return err instanceof ServerUnreachableError || (err instanceof ApiError && err.status >= 500);
}

/**
 * Feeds the body's text to `onText` until it returns true (done: true), the stream ends or stays
 * silent too long, or the connection is aborted (done: false).
 */
async function readStream(
  response: Response,
  connection: AbortController,
  silenceMs: number,
  onText: (text: string) => Promise<boolean>,
): Promise<boolean> {
  if (!response.body) return false;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let watchdog = setTimeout(() => connection.abort(), silenceMs);
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        return false;
      }
      if (chunk.done) return false;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => connection.abort(), silenceMs);
      if (await onText(decoder.decode(chunk.value, { stream: true }))) return true;
    }
  } finally {
    clearTimeout(watchdog);
    reader.cancel().catch(() => {});
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** The three ways of printing: a bar redrawn in place, plain lines, JSON lines. */
class Output {
  private barShown = false;
  constructor(private readonly options: FollowOptions) {}

  started(p: Progress): void {
    if (this.options.json)
      process.stdout.write(jsonLine(p, { type: 'rollout', id: p.id, name: p.name }, Date.now()));
    else this.line(p, `rollout ${p.name} (${p.id}) is ${p.state}`);
  }

  step(p: Progress, hostname: string, state: string, message: string | undefined): void {
    const now = Date.now();
    if (this.options.json) {
      process.stdout.write(
        jsonLine(p, { type: 'step', host: hostname, state, ...(message ? { message } : {}) }, now),
      );
    } else if (this.options.tty && state !== 'failed') {
      // On a terminal the bar says it all; only failures get a line of their own.
      this.bar(p);
    } else {
      this.line(p, `${hostname} ${state}${state === 'failed' && message ? `: ${message}` : ''}`);
    }
  }

  rollout(p: Progress): void {
    if (this.options.json) process.stdout.write(jsonLine(p, { type: 'rollout', state: p.state }, Date.now()));
    else this.line(p, `rollout ${p.state}${p.haltReason ? ` (${p.haltReason})` : ''}`);
  }

  note(text: string): void {
    this.clearBar();
    process.stderr.write(`afterpatch: ${text}\n`);
  }

  summary(p: Progress): void {
    if (this.options.json) {
      process.stdout.write(
        jsonLine(
          p,
          {
            type: 'summary',
            state: p.state,
            haltReason: p.haltReason,
            failedHosts: failed(p).map((s) => s.hostname),
          },
          Date.now(),
        ),
      );
      return;
    }
    if (this.options.tty) this.bar(p);
    this.endBar();
    process.stdout.write(finalSummary(p, Date.now()));
  }

  bar(p: Progress): void {
    if (!this.options.tty || this.options.json) return;
    process.stdout.write(`\r\x1b[2K${barLine(p, Date.now())}`);
    this.barShown = true;
  }

  endBar(): void {
    if (this.barShown) process.stdout.write('\n');
    this.barShown = false;
  }

  private line(p: Progress, what: string): void {
    if (this.options.tty) {
      this.clearBar();
      process.stdout.write(`${new Date().toISOString()} ${what}\n`);
      this.bar(p);
    } else {
      process.stdout.write(`${eventLine(p, what, Date.now())}\n`);
    }
  }

  private clearBar(): void {
    if (this.barShown) process.stdout.write('\r\x1b[2K');
    this.barShown = false;
  }
}
