// The health checks a step asks for, run until they all pass and then held green for holdSec.
// Choice (documented in docs/agent.md): a check that turns red DURING the hold fails the step at
// once instead of re-waiting. A service that flaps right after its restart is exactly what a
// rolling restart must stop on; re-waiting could hide it until the next host is taken down.
// A `command` check only names a command: its argv comes from this host's config.
import type { HealthCheck } from '../../shared/agent-protocol.js';
import type { ExecutorConfig } from './executor-config.js';
import { type CommandOutcome, runCommand, tail } from './run-command.js';

export interface HealthRunOptions {
  checks: readonly HealthCheck[];
  holdSec: number;
  /** Epoch ms: the step's deadline. */
  deadlineMs: number;
  config: ExecutorConfig;
  /** Stops the loop (the agent is stopping). */
  signal?: AbortSignal;
  now?: () => number;
}

export interface HealthRunResult {
  ok: boolean;
  message: string;
  /** The last outcome of every check. */
  outcomes: CommandOutcome[];
}

export async function runHealthChecks(options: HealthRunOptions): Promise<HealthRunResult> {
  const { checks, config, deadlineMs } = options;
  const now = options.now ?? Date.now;
  if (checks.length === 0) return { ok: true, message: 'no health checks', outcomes: [] };
  const unknown = checks.find((c) => c.kind === 'command' && !config.healthCommands.has(c.name));
  if (unknown && unknown.kind === 'command') {
    const outcome = { what: `command ${unknown.name}`, ok: false, detail: 'not configured on this host' };
    return {
      ok: false,
      message: `health check command '${unknown.name}' is not configured on this host (executor.healthCommands)`,
      outcomes: [outcome],
    };
  }
  const intervalMs = config.healthCheckIntervalSeconds * 1000;
  let greenSince: number | undefined;
  let outcomes: CommandOutcome[] = [];
  for (;;) {
    if (options.signal?.aborted) return { ok: false, message: 'the agent is stopping', outcomes };
    outcomes = await Promise.all(checks.map((check) => runOne(check, config, deadlineMs - now())));
    const red = outcomes.find((o) => !o.ok);
    if (red && greenSince !== undefined) {
      return { ok: false, message: `health check turned red during the hold: ${red.what}`, outcomes };
    }
    if (!red) {
      greenSince ??= now();
      if (now() - greenSince >= options.holdSec * 1000) {
        return { ok: true, message: `health checks green for ${options.holdSec} s`, outcomes };
      }
    }
    if (now() + intervalMs > deadlineMs) {
      const what = red ? `still failing: ${red.what}` : 'the hold did not complete';
      return { ok: false, message: `timeout waiting for the health checks (${what})`, outcomes };
    }
    await sleep(intervalMs, options.signal);
  }
}

function runOne(check: HealthCheck, config: ExecutorConfig, remainingMs: number): Promise<CommandOutcome> {
  const limitMs = Math.max(1, Math.min(config.healthCheckTimeoutSeconds * 1000, remainingMs));
  if (check.kind === 'http') return checkHttp(check.url, check.expectStatus, limitMs);
  const command = config.healthCommands.get(check.name)!;
  const [file, ...args] = command.argv;
  return runCommand({
    file,
    args,
    what: `command ${check.name}`,
    timeoutMs: Math.min(command.timeoutSeconds * 1000, remainingMs),
  });
}

/** GET url; ok when the status is `expectStatus`, or any 2xx without one. Redirects are not followed. */
export async function checkHttp(
  url: string,
  expectStatus: number | undefined,
  timeoutMs: number,
): Promise<CommandOutcome> {
  const what = `http ${url}`;
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // Only the status matters; the body is released without being read.
    await response.body?.cancel().catch(() => {});
    const ok =
      expectStatus !== undefined
        ? response.status === expectStatus
        : response.status >= 200 && response.status < 300;
    const expected = expectStatus !== undefined ? String(expectStatus) : '2xx';
    return { what, ok, detail: `status ${response.status} (expected ${expected})` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { what, ok: false, detail: tail(`request failed: ${why}`) };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
