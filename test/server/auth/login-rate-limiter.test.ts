import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLoginRateLimiter } from '../../../server/auth/login-rate-limiter.js';

test('allows max attempts per window, then says how long to wait', () => {
  let now = 1_000_000;
  const limiter = createLoginRateLimiter({ max: 3, windowMs: 60_000, now: () => now });
  assert.deepEqual(
    [1, 2, 3].map(() => limiter.hit('10.0.0.1', 'alice')),
    [0, 0, 0],
  );
  now += 15_000;
  assert.equal(limiter.hit('10.0.0.1', 'alice'), 45);
  // Other usernames from the same address, and the same user elsewhere, are not affected.
  assert.equal(limiter.hit('10.0.0.1', 'bob'), 0);
  assert.equal(limiter.hit('10.0.0.2', 'alice'), 0);
  // Usernames are compared without case.
  assert.ok(limiter.hit('10.0.0.1', 'ALICE') > 0);
  now += 45_000;
  assert.equal(limiter.hit('10.0.0.1', 'alice'), 0);
});

test('reset forgets a key after a successful login', () => {
  const limiter = createLoginRateLimiter({ max: 1, windowMs: 60_000 });
  limiter.hit('ip', 'u');
  assert.ok(limiter.hit('ip', 'u') > 0);
  limiter.reset('ip', 'u');
  assert.equal(limiter.hit('ip', 'u'), 0);
});

test('remembers at most maxKeys keys', () => {
  const limiter = createLoginRateLimiter({ max: 1, windowMs: 60_000, maxKeys: 10 });
  limiter.hit('ip', 'first');
  for (let i = 0; i < 20; i++) limiter.hit('ip', `user${i}`);
  // The oldest key was evicted: its count starts again.
  assert.equal(limiter.hit('ip', 'first'), 0);
});
