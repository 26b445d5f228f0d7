// Login (POST /api/v1/auth/login -> a user JWT), logout (ends every login session of the user),
// who am I, and changing one's own password.
// Failed and successful logins are audited; attempts are limited per client IP and username.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { recordAudit } from '../audit/record-audit.js';
import { issueToken } from '../auth/jwt.js';
import { createLoginRateLimiter } from '../auth/login-rate-limiter.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/password.js';
import type { ServerConfig } from '../config/server-config.js';
import { apiError } from '../errors.js';
import { actorOf, principalOf } from '../plugins/auth.js';
import { errors, RoleSchema } from './schemas.js';

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const LoginResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  user: Type.Object({ id: Type.String(), username: Type.String(), role: RoleSchema }),
});
const Me = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  via: Type.Union([Type.Literal('user'), Type.Literal('token')]),
});
const PasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ minLength: 12, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export default async function authRoutes(app: FastifyInstance, options: { config: ServerConfig }) {
  const { config } = options;
  const limiter = createLoginRateLimiter({
    max: config.loginRateLimitMax,
    windowMs: config.loginRateLimitWindowSeconds * 1000,
  });

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/login',
    {
      config: { minRole: 'public' },
      schema: {
        tags: ['auth'],
        security: [],
        body: LoginBody,
        response: { 200: LoginResponse, ...errors(400, 401, 429) },
      },
    },
    async function login(request) {
      const { username, password } = request.body;
      const wait = limiter.hit(request.ip, username);
      if (wait > 0) {
        throw apiError('AP_RATE_LIMITED', `too many login attempts; try again in ${wait} s`, {
          retryAfterSeconds: wait,
        });
      }
      const prisma = app.db.prisma;
      const user = await prisma.user.findUnique({
        where: { username },
        select: {
          id: true,
          username: true,
          role: true,
          passwordHash: true,
          disabledAt: true,
          sessionEpoch: true,
        },
      });
      // Hash even for an unknown user, so the answer's timing does not tell which names exist.
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !ok || user.disabledAt) {
        await recordAudit(
          prisma,
          { type: 'user', id: user?.id ?? null, name: username },
          {
            action: 'auth.login.failure',
            details: {
              ip: request.ip,
              reason: !user ? 'unknown-user' : user.disabledAt ? 'disabled' : 'wrong-password',
            },
          },
        );
        throw apiError('AP_LOGIN_FAILED');
      }
      limiter.reset(request.ip, username);
      await recordAudit(
        prisma,
        { type: 'user', id: user.id, name: user.username },
        { action: 'auth.login.success', details: { ip: request.ip } },
      );
      const issued = issueToken(
        app.jwtSecret,
        'user',
        user.id,
        config.userTokenTtlSeconds,
        user.sessionEpoch,
      );
      return {
        token: issued.token,
        expiresAt: issued.expiresAt.toISOString(),
        user: { id: user.id, username: user.username, role: user.role },
      };
    },
  );

  app.post(
    '/logout',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['auth'],
        description:
          "Ends every login session of the caller (this browser's and any other's): their tokens are refused from now on. API tokens are not touched (revoke them with DELETE /api/v1/api-tokens/{id}).",
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async function logout(request, reply) {
      const principal = principalOf(request);
      if (principal.kind !== 'user') {
        throw apiError(
          'AP_FORBIDDEN',
          'an API token does not log out; revoke it with DELETE /api/v1/api-tokens/{id}',
        );
      }
      const prisma = app.db.prisma;
      await prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: principal.userId }, data: { sessionEpoch: { increment: 1 } } });
        await recordAudit(tx, actorOf(principal), {
          action: 'auth.logout',
          targetType: 'user',
          targetId: principal.userId,
          details: { ip: request.ip },
        });
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/me',
    { config: { minRole: 'viewer' }, schema: { tags: ['auth'], response: { 200: Me, ...errors(401) } } },
    async function me(request) {
      const principal = principalOf(request);
      return {
        id: principal.userId,
        username: principal.username,
        role: principal.role,
        via: principal.kind,
      };
    },
  );

  app.post<{ Body: Static<typeof PasswordBody> }>(
    '/password',
    {
      config: { minRole: 'viewer' },
      schema: {
        tags: ['auth'],
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 429) },
      },
    },
    async function changePassword(request, reply) {
      const principal = principalOf(request);
      if (principal.kind !== 'user') throw apiError('AP_FORBIDDEN', 'log in with a password to change it');
      const wait = limiter.hit(request.ip, principal.username);
      if (wait > 0) throw apiError('AP_RATE_LIMITED', undefined, { retryAfterSeconds: wait });
      const prisma = app.db.prisma;
      const user = await prisma.user.findUniqueOrThrow({
        where: { id: principal.userId },
        select: { passwordHash: true },
      });
      if (!(await verifyPassword(request.body.currentPassword, user.passwordHash))) {
        throw apiError('AP_LOGIN_FAILED', 'the current password is wrong');
      }
      const passwordHash = await hashPassword(request.body.newPassword);
      await prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: principal.userId }, data: { passwordHash } });
        await recordAudit(tx, actorOf(principal), {
          action: 'user.password.change',
          targetType: 'user',
          targetId: principal.userId,
        });
      });
      return reply.code(204).send();
    },
  );
}
