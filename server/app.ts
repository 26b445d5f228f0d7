// The afterpatch server as a Fastify plugin: everything but process concerns (those are in
// server.ts). Tests build it with createApp() and talk to it with app.inject() or on port 0.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import agentGateway from './agents/agent-gateway.js';
import { ensureFirstAdmin } from './auth/ensure-first-admin.js';
import { stripAccessToken } from './auth/query-token.js';
import type { ServerConfig } from './config/server-config.js';
import type { Database } from './db/open-database.js';
import authPlugin from './plugins/auth.js';
import databasePlugin from './plugins/database.js';
import docsPlugin from './plugins/docs.js';
import errorHandler from './plugins/error-handler.js';
import eventsPlugin from './plugins/events.js';
import metricsPlugin from './plugins/metrics.js';
import rolloutsPlugin from './plugins/rollouts.js';
import uiPlugin from './plugins/ui.js';
import agentRoutes from './routes/agents.js';
import apiTokenRoutes from './routes/api-tokens.js';
import auditRoutes from './routes/audit.js';
import authRoutes from './routes/auth.js';
import enrollmentTokenRoutes from './routes/enrollment-tokens.js';
import eventRoutes from './routes/events.js';
import fleetRoutes from './routes/fleet.js';
import groupRoutes from './routes/groups.js';
import healthRoutes from './routes/health.js';
import hostRoutes from './routes/hosts.js';
import rolloutRoutes from './routes/rollouts.js';
import userRoutes from './routes/users.js';
import webhookRoutes from './routes/webhooks.js';

export interface AppOptions {
  config: ServerConfig;
  /** An open database to use (and not close); default: open one from the config. */
  database?: Database;
  /** Process metrics in /metrics (the real server); off by default. */
  collectDefaultMetrics?: boolean;
  /** The built web UI's directory (default: dist/ui found next to the code). */
  uiDir?: string;
  /** Create the first admin when there is no user (default true). */
  bootstrapAdmin?: boolean;
}

export async function afterpatchApp(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { config } = options;
  // JSON only: a text body would otherwise reach the schema as a string.
  app.removeContentTypeParser('text/plain');
  await app.register(metricsPlugin, { collectDefaults: options.collectDefaultMetrics ?? false });
  await app.register(errorHandler);
  await app.register(databasePlugin, { config, ...(options.database ? { database: options.database } : {}) });
  await app.register(authPlugin, { config });
  await app.register(docsPlugin);
  await app.register(eventsPlugin);
  await app.register(agentGateway, { config });
  await app.register(rolloutsPlugin, { config });

  await app.register(healthRoutes);
  await app.register(authRoutes, { prefix: '/api/v1/auth', config });
  await app.register(userRoutes, { prefix: '/api/v1/users' });
  await app.register(apiTokenRoutes, { prefix: '/api/v1/api-tokens' });
  await app.register(enrollmentTokenRoutes, { prefix: '/api/v1/enrollment-tokens' });
  await app.register(agentRoutes, { prefix: '/api/v1/agents', config });
  await app.register(hostRoutes, { prefix: '/api/v1/hosts' });
  await app.register(fleetRoutes, { prefix: '/api/v1/fleet' });
  await app.register(auditRoutes, { prefix: '/api/v1/audit' });
  await app.register(groupRoutes, { prefix: '/api/v1/groups' });
  await app.register(rolloutRoutes, { prefix: '/api/v1/rollouts', config });
  await app.register(webhookRoutes, { prefix: '/api/v1/webhooks' });
  await app.register(eventRoutes, { prefix: '/api/v1/events' });
  await app.register(uiPlugin, options.uiDir ? { uiDir: options.uiDir } : {});

  if (options.bootstrapAdmin ?? true) {
    await ensureFirstAdmin({
      prisma: app.db.prisma,
      dataDir: config.dataDir,
      logger: app.log.child({ module: 'bootstrap' }),
      ...(config.adminPassword ? { password: config.adminPassword } : {}),
    });
  }
}

/** Fastify's own options that follow from the configuration. */
export function fastifyOptions(config: ServerConfig): FastifyServerOptions {
  return {
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // A fresh id per request, echoed in logs.
    requestIdHeader: false,
    // ?access_token= (SSE) leaves the URL before routing and logging.
    rewriteUrl: stripAccessToken,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    routerOptions: { maxParamLength: 1024, ignoreTrailingSlash: true },
    // Opening the database is a plugin: a first PGlite start (initdb in WebAssembly) takes 15 s on
    // a busy 2-core machine, and migrations on a large PostgreSQL database take longer still.
    // Fastify's 10 s default would kill a healthy start; a wedged one is still bounded.
    pluginTimeout: 10 * 60_000,
  };
}

/** A ready-to-use app (not listening). */
export async function createApp(
  options: AppOptions & { logger?: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'] },
): Promise<FastifyInstance> {
  const { logger, ...appOptions } = options;
  const isInstance =
    typeof logger === 'object' && logger !== null && 'child' in logger && typeof logger.child === 'function';
  const app = Fastify({
    ...fastifyOptions(options.config),
    ...(isInstance
      ? { loggerInstance: logger as FastifyServerOptions['loggerInstance'] }
      : { logger: (logger as FastifyServerOptions['logger']) ?? false }),
  });
  // fp: the app's decorators (db, agents, metrics) are visible on the returned instance.
  await app.register(fp(afterpatchApp, { name: 'afterpatch-app' }), appOptions);
  await app.ready();
  return app;
}
