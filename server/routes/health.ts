// GET /healthz: liveness and readiness in one. 200 when the process runs and the database answers
// within a second, 503 otherwise (a load balancer takes the instance out; an orchestrator may
// restart it after repeated failures).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
});

const DB_PING_TIMEOUT_MS = 1000;

export default async function healthRoutes(app: FastifyInstance) {
  app.get(
    '/healthz',
    {
      config: { minRole: 'public' },
      schema: { tags: ['health'], security: [], response: { 200: Health, 503: Health } },
    },
    async function healthz(request, reply) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          app.db.prisma.$queryRaw`SELECT 1`,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('database ping timed out')), DB_PING_TIMEOUT_MS);
          }),
        ]);
        return { status: 'ok', database: 'ok' };
      } catch (err) {
        request.log.warn({ err }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
      } finally {
        clearTimeout(timer);
      }
    },
  );
}
