// Reconnect delays: exponential backoff with FULL jitter (a uniform delay between 0 and the
// exponential ceiling). When a server restarts, 10,000 agents lose their connection in the same
// second; full jitter spreads their returns evenly over the window instead of in waves, which
// "equal jitter" or a fixed delay would keep synchronised.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** A uniform random number in [0, 1); injectable so tests can check the bounds. */
  random?: () => number;
}

/** The ceiling for `attempt` (0-based): min(cap, base * 2^attempt). */
export function backoffCeilingMs(attempt: number, options: BackoffOptions): number {
  // 2^attempt overflows nothing up to 1023, but the cap is reached far sooner; clamp anyway.
  const exponent = Math.min(Math.max(attempt, 0), 50);
  return Math.min(options.capMs, options.baseMs * 2 ** exponent);
}

/** The delay before reconnect attempt `attempt`: uniform in [0, ceiling]. */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  return Math.floor(random() * backoffCeilingMs(attempt, options));
}
