// Prometheus metrics at /metrics, in a registry of this app's own (tests build many apps in one
// process). Other plugins record into `app.metrics`.
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  agentsConnected: Gauge;
  reportsIngested: Counter<'result'>;
  ingestDuration: Histogram;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  dbErrors: Counter<'where'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServerMetrics;
  }
}

export interface MetricsPluginOptions {
  /** Process metrics (CPU, memory, event loop): on in the real server, off in tests. */
  collectDefaults?: boolean;
}

export function createMetrics(collectDefaults: boolean): ServerMetrics {
  const registry = new Registry();
  if (collectDefaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    agentsConnected: new Gauge({
      name: 'afterpatch_agents_connected',
      help: 'Agent WebSocket connections open on this server',
      registers: [registry],
    }),
    reportsIngested: new Counter({
      name: 'afterpatch_reports_ingested_total',
      help: 'Agent reports handled, by result (stored, unchanged, duplicate)',
      labelNames: ['result'],
      registers: [registry],
    }),
    ingestDuration: new Histogram({
      name: 'afterpatch_report_ingest_duration_seconds',
      help: 'Time from receiving a report frame to its acknowledgement',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'afterpatch_http_request_duration_seconds',
      help: 'HTTP request durations by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    dbErrors: new Counter({
      name: 'afterpatch_db_errors_total',
      help: 'Database errors, by where they happened (http, ingest)',
      labelNames: ['where'],
      registers: [registry],
    }),
  };
}

export default fp<MetricsPluginOptions>(
  async function metricsPlugin(app, options) {
    const metrics = createMetrics(options.collectDefaults ?? false);
    app.decorate('metrics', metrics);
    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, not the URL, keeps label cardinality bounded.
      const route = request.routeOptions.url ?? 'unknown';
      metrics.httpRequestDuration
        .labels(request.method, route, String(reply.statusCode))
        .observe(reply.elapsedTime / 1000);
    });
    app.get(
      '/metrics',
      { config: { minRole: 'public' }, schema: { hide: true } },
      async function metricsRoute(_request, reply) {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  },
  { name: 'afterpatch-metrics' },
);
