// Random secrets handed out once (API tokens, enrollment tokens, host credentials) and the hash
// kept instead of them. The secrets carry 32 random bytes, so a plain SHA-256 is enough (no
// password stretching needed) and allows lookup by hash; a prefix tells their kind apart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = Object.freeze({
  apiToken: 'apt_',
  enrollmentToken: 'ape_',
  hostCredential: 'apc_',
});

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time equality of a secret and a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
