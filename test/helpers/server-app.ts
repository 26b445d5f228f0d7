// Builds the server app for tests on a backend's shared database: one database per test file,
// fresh rows per test (unique names), apps closed after the test. Users and their login tokens are
// made directly, without going through the login route (and its rate limit).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import jwt from 'jsonwebtoken';
import { createApp } from '../../server/app.js';
import { issueToken } from '../../server/auth/jwt.js';
import { hashPassword } from '../../server/auth/password.js';
import { hashSecret, newSecret, SECRET_PREFIX } from '../../server/auth/secrets.js';
import { loadServerConfig, type ServerConfig } from '../../server/config/server-config.js';
import type { Role } from '../../server/db/generated/enums.js';
import type { Database } from '../../server/db/open-database.js';
import type { TestBackend } from './databases.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'afterpatch-server-'));
  return Object.freeze({
    ...loadServerConfig({ env: {}, flags: { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent' } }),
    jwtSecret: TEST_JWT_SECRET,
    ...overrides,
  });
}

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  config: ServerConfig;
}

/** An app on the backend's shared database (not closed with the app), closed after `t`. */
export async function buildApp(
  t: TestContext,
  backend: TestBackend,
  options: { config?: Partial<ServerConfig>; database?: Database } & Partial<
    Omit<Parameters<typeof createApp>[0], 'config'>
  > = {},
): Promise<TestApp> {
  const { config: overrides, database, ...rest } = options;
  const db = database ?? (await backend.shared());
  const config = testConfig(overrides);
  const app = await createApp({ config, database: db, bootstrapAdmin: false, ...rest });
  t.after(async () => {
    await app.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  });
  return { app, db, config };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  role: Role;
  /** `Bearer …` header value with a login JWT. */
  auth: string;
}

// Hashing with scrypt takes ~50 ms; tests share one password.
const PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

export async function createUser(db: Database, role: Role, jwtSecret = TEST_JWT_SECRET): Promise<TestUser> {
  passwordHash ??= hashPassword(PASSWORD);
  const username = uniqueName(role);
  const user = await db.prisma.user.create({
    data: { username, passwordHash: await passwordHash, role },
    select: { id: true },
  });
  const { token } = issueToken(jwtSecret, 'user', user.id, 3600);
  return { id: user.id, username, password: PASSWORD, role, auth: `Bearer ${token}` };
}

/** An enrollment token secret, valid for an hour unless told otherwise. */
export async function createEnrollmentToken(
  db: Database,
  createdById: string,
  options: { expiresAt?: Date; maxUses?: number; labels?: Record<string, string>; revoked?: boolean } = {},
): Promise<string> {
  const secret = newSecret(SECRET_PREFIX.enrollmentToken);
  await db.prisma.enrollmentToken.create({
    data: {
      name: uniqueName('enroll'),
      tokenHash: hashSecret(secret),
      createdById,
      expiresAt: options.expiresAt ?? new Date(Date.now() + 3600_000),
      maxUses: options.maxUses ?? null,
      labels: options.labels ?? {},
      revokedAt: options.revoked ? new Date() : null,
    },
  });
  return secret;
}

/** A host enrolled directly in the database, with its credential. */
export async function createHost(
  db: Database,
  options: { hostname?: string; labels?: Record<string, string> } = {},
): Promise<{ id: string; hostname: string; credential: string }> {
  const credential = newSecret(SECRET_PREFIX.hostCredential);
  const hostname = options.hostname ?? uniqueName('host');
  const host = await db.prisma.host.create({
    data: { hostname, credentialHash: hashSecret(credential), labels: options.labels ?? {} },
    select: { id: true },
  });
  return { id: host.id, hostname, credential };
}

/** `Bearer <agent JWT>`; `issuedOffsetSeconds` < 0 makes one issued in the past. */
export function agentAuth(
  hostId: string,
  ttlSeconds = 900,
  secret = TEST_JWT_SECRET,
  issuedOffsetSeconds = 0,
): string {
  if (issuedOffsetSeconds === 0) return `Bearer ${issueToken(secret, 'agent', hostId, ttlSeconds).token}`;
  const iat = Math.floor(Date.now() / 1000) + issuedOffsetSeconds;
  const token = jwt.sign({ typ: 'agent', iat, exp: iat + ttlSeconds }, secret, {
    subject: hostId,
    issuer: 'afterpatch',
  });
  return `Bearer ${token}`;
}
