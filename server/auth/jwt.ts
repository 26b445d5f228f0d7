// The two kinds of JWT the server issues, both HS256 with the one server secret: user tokens
// (typ 'user', from a login) and agent tokens (typ 'agent', from a host credential). The `typ`
// claim keeps one from being used where the other is expected.
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export type TokenKind = 'user' | 'agent';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

// jsonwebtoken turns a string secret into a key on every call, first by trying (and failing) to
// parse it as a public key: an exception per request and per agent token. The server has one
// secret, so its KeyObject is made once.
let cachedKey: { secret: string; key: KeyObject } | undefined;
function keyOf(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret)) };
  return cachedKey.key;
}

export function issueToken(
  secret: string,
  kind: TokenKind,
  subject: string,
  ttlSeconds: number,
  /** For a user token: the user's session epoch (users.session_epoch) at login. */
  sessionEpoch = 0,
): IssuedToken {
  const now = Math.floor(Date.now() / 1000);
  const token = jwt.sign({ typ: kind, ...(sessionEpoch > 0 ? { sep: sessionEpoch } : {}) }, keyOf(secret), {
    algorithm: 'HS256',
    subject,
    expiresIn: ttlSeconds,
    issuer: 'afterpatch',
  });
  return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
}

export interface TokenClaims {
  subject: string;
  issuedAtSeconds: number;
  expiresAtSeconds: number | undefined;
  /** The session epoch it was issued in (0 when it carries none). */
  sessionEpoch: number;
}

/** The claims of a valid, unexpired token of `kind`; undefined otherwise. */
export function verifyTokenClaims(secret: string, kind: TokenKind, token: string): TokenClaims | undefined {
  try {
    const claims = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'], issuer: 'afterpatch' });
    if (typeof claims !== 'object' || claims.typ !== kind || typeof claims.sub !== 'string') return undefined;
    return {
      subject: claims.sub,
      issuedAtSeconds: typeof claims.iat === 'number' ? claims.iat : 0,
      expiresAtSeconds: typeof claims.exp === 'number' ? claims.exp : undefined,
      sessionEpoch: Number.isSafeInteger(claims.sep) ? (claims.sep as number) : 0,
    };
  } catch {
    return undefined;
  }
}

/** The subject of a valid, unexpired token of `kind`; undefined for anything else. */
export function verifyToken(secret: string, kind: TokenKind, token: string): string | undefined {
  return verifyTokenClaims(secret, kind, token)?.subject;
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S{1,8192})\s*$/i.exec(header);
  return match?.[1];
}
