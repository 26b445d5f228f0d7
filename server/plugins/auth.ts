// Authentication and role checks for every HTTP route. Each route declares `config.minRole`
// ('public' or a role); a route without one is refused at startup, so none is open by mistake.
// Credentials are `Authorization: Bearer <login JWT>` or `Bearer apt_…` (an API token). The user
// is read from the database on each request, so a disabled user, a lowered role or a logout
// (users.session_epoch) takes effect at once. Agent JWTs are not accepted here (only on the agent WebSocket).
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor } from '../audit/record-audit.js';
import { ensureJwtSecret } from '../auth/ensure-jwt-secret.js';
import { bearerToken, verifyTokenClaims } from '../auth/jwt.js';
import { queryToken } from '../auth/query-token.js';
import { roleAtLeast } from '../auth/roles.js';
import { hashSecret, SECRET_PREFIX } from '../auth/secrets.js';
import type { ServerConfig } from '../config/server-config.js';
import type { Role } from '../db/generated/enums.js';
import { apiError } from '../errors.js';

export interface Principal {
  kind: 'user' | 'token';
  userId: string;
  username: string;
  role: Role;
  /** The API token's id when kind is 'token'. */
  tokenId?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    jwtSecret: string;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The least role a caller needs, or 'public' for no authentication. */
    minRole?: Role | 'public';
    /** Also accept the token as `?access_token=` (SSE: EventSource cannot set headers). */
    allowQueryToken?: boolean;
  }
}

/** The audit actor for a request's principal. */
export function actorOf(principal: Principal): Actor {
  return principal.kind === 'token'
    ? { type: 'token', id: principal.tokenId ?? null, name: principal.username }
    : { type: 'user', id: principal.userId, name: principal.username };
}

/** The principal of an authenticated route (the hook guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw apiError('AP_UNAUTHENTICATED');
  return request.principal;
}

// lastUsedAt of API tokens is written at most this often per token.
const LAST_USED_RESOLUTION_MS = 60_000;

export default fp<{ config: ServerConfig }>(
  async function authPlugin(app, options) {
    app.decorate('jwtSecret', await ensureJwtSecret(app.db.prisma, options.config.jwtSecret));
    app.decorateRequest('principal', null);

    app.addHook('onRoute', (route) => {
      const minRole = (route.config as { minRole?: unknown } | undefined)?.minRole;
      if (minRole === undefined && !route.url.startsWith('/docs')) {
        throw new Error(`route ${route.method} ${route.url} declares no config.minRole`);
      }
    });

    app.addHook('onRequest', async function authenticate(request) {
      // /docs comes from @fastify/swagger-ui, which cannot take our route config: public.
      const minRole =
        request.routeOptions.config.minRole ?? (request.url.startsWith('/docs') ? 'public' : undefined);
      if (minRole === 'public') return;
      if (minRole === undefined) {
        // The 404 handler: answer 404 to everyone rather than revealing nothing differently.
        if (request.is404) return;
        throw apiError('AP_FORBIDDEN');
      }
      const principal = await authenticatePrincipal(request);
      if (!principal) throw apiError('AP_UNAUTHENTICATED');
      if (!roleAtLeast(principal.role, minRole)) {
        throw apiError('AP_FORBIDDEN', `this needs the ${minRole} role; you are ${principal.role}`);
      }
      request.principal = principal;
    });

    async function authenticatePrincipal(request: FastifyRequest): Promise<Principal | undefined> {
      const token =
        bearerToken(request.headers.authorization) ??
        (request.routeOptions.config.allowQueryToken ? queryToken(request.raw) : undefined);
      if (!token) return undefined;
      const prisma = app.db.prisma;
      if (token.startsWith(SECRET_PREFIX.apiToken)) {
        const row = await prisma.apiToken.findUnique({
          where: { tokenHash: hashSecret(token) },
          select: {
            id: true,
            expiresAt: true,
            revokedAt: true,
            lastUsedAt: true,
            user: { select: { id: true, username: true, role: true, disabledAt: true } },
          },
        });
        const now = Date.now();
        if (!row || row.revokedAt || row.user.disabledAt) return undefined;
        if (row.expiresAt && row.expiresAt.getTime() <= now) return undefined;
        if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
          // Not awaited into the request's fate: a failed bookkeeping write must not fail a read.
          prisma.apiToken
            .update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } })
            .catch((err: unknown) => request.log.warn({ err }, 'could not record API token use'));
        }
        return {
          kind: 'token',
          userId: row.user.id,
          username: row.user.username,
          role: row.user.role,
          tokenId: row.id,
        };
      }
      const claims = verifyTokenClaims(app.jwtSecret, 'user', token);
      if (!claims) return undefined;
      const user = await prisma.user.findUnique({
        where: { id: claims.subject },
        select: { id: true, username: true, role: true, disabledAt: true, sessionEpoch: true },
      });
      // A token from before the user's last logout is over, however long it had to run.
      if (!user || user.disabledAt || claims.sessionEpoch !== user.sessionEpoch) return undefined;
      return { kind: 'user', userId: user.id, username: user.username, role: user.role };
    }
  },
  { name: 'afterpatch-auth', dependencies: ['afterpatch-database'] },
);
