// Limits login attempts per (client IP, username) in a fixed window, in memory. Per-key rather
// than per-IP so that one office behind a NAT does not lock everyone out, and per-IP as well so
// that one attacker cannot lock a user out from everywhere. Bounded: at most `maxKeys` keys are
// remembered, expired ones are swept first, then the oldest.

export interface LoginRateLimiterOptions {
  max: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export interface LoginRateLimiter {
  /** Counts an attempt; returns the seconds to wait when it is over the limit, else 0. */
  hit(ip: string, username: string): number;
  /** Forgets the key after a successful login. */
  reset(ip: string, username: string): void;
}

export function createLoginRateLimiter(options: LoginRateLimiterOptions): LoginRateLimiter {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { start: number; count: number }>();
  const keyOf = (ip: string, username: string) => `${ip}\u0000${username.toLowerCase()}`;

  function sweep(at: number): void {
    for (const [key, entry] of windows) if (at - entry.start >= options.windowMs) windows.delete(key);
    // Map iteration is insertion order: the first keys are the oldest windows.
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    hit(ip, username) {
      const at = now();
      const key = keyOf(ip, username);
      let entry = windows.get(key);
      if (!entry || at - entry.start >= options.windowMs) {
        windows.delete(key);
        if (windows.size >= maxKeys) sweep(at);
        entry = { start: at, count: 0 };
        windows.set(key, entry);
      }
      entry.count += 1;
      if (entry.count <= options.max) return 0;
      return Math.max(1, Math.ceil((entry.start + options.windowMs - at) / 1000));
    },
    reset(ip, username) {
      windows.delete(keyOf(ip, username));
    },
  };
}
