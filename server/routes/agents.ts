// The agent's two REST calls: enrol (enrollment token -> host id + credential) and token (host
// credential -> a 15-minute agent JWT for the WebSocket). Both are public: the body carries the
// secret. Secrets are compared through their hashes, in constant time for the credential.
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { enrollAgent } from '../agents/enroll-agent.js';
import { issueToken } from '../auth/jwt.js';
import { secretMatches } from '../auth/secrets.js';
import type { ServerConfig } from '../config/server-config.js';
import { apiError } from '../errors.js';
import { errors, Uuid } from './schemas.js';

const EnrollBody = Type.Object(
  {
    enrollmentToken: Type.String({ minLength: 1, maxLength: 256 }),
    hostname: Type.String({ minLength: 1, maxLength: 255 }),
    machineId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);
const EnrollResponse = Type.Object({ hostId: Uuid, credential: Type.String() });
const TokenBody = Type.Object(
  { hostId: Uuid, credential: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
const TokenResponse = Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });

export default async function agentRoutes(app: FastifyInstance, options: { config: ServerConfig }) {
  app.post<{ Body: Static<typeof EnrollBody> }>(
    '/enroll',
    {
      config: { minRole: 'public' },
      schema: {
        tags: ['agents'],
        security: [],
        body: EnrollBody,
        response: { 201: EnrollResponse, ...errors(400, 401, 503) },
      },
    },
    async function enroll(request, reply) {
      const result = await enrollAgent(app.db.prisma, { ...request.body, ip: request.ip });
      request.log.info({ hostId: result.hostId, reenrolled: result.reenrolled }, 'agent enrolled');
      return reply.code(201).send({ hostId: result.hostId, credential: result.credential });
    },
  );

  app.post<{ Body: Static<typeof TokenBody> }>(
    '/token',
    {
      config: { minRole: 'public' },
      schema: {
        tags: ['agents'],
        security: [],
        body: TokenBody,
        response: { 200: TokenResponse, ...errors(400, 401, 503) },
      },
    },
    async function agentToken(request) {
      const host = await app.db.prisma.host.findUnique({
        where: { id: request.body.hostId },
        select: { id: true, credentialHash: true, revokedAt: true },
      });
      if (!host || host.revokedAt || !secretMatches(request.body.credential, host.credentialHash)) {
        throw apiError('AP_AGENT_CREDENTIAL_INVALID');
      }
      const issued = issueToken(app.jwtSecret, 'agent', host.id, options.config.agentTokenTtlSeconds);
      return { token: issued.token, expiresAt: issued.expiresAt.toISOString() };
    },
  );
}
