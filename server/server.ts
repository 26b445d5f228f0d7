// The server process: configuration, the logger, listening, and a graceful close on SIGTERM or
// SIGINT (agents are told to come back later with 4013, hosts marked offline, the database closed).
// Everything else is the app plugin (app.ts).
import type { FastifyInstance } from 'fastify';
import { createApp } from './app.js';
import type { ServerConfig } from './config/server-config.js';
import { createLogger } from './logger.js';

export interface RunningServer {
  app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 10_000;

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const app = await createApp({ config, logger, collectDefaultMetrics: true });
  const url = await app.listen({ port: config.port, host: config.host });
  app.log.info({ url, database: app.db.kind, dataDir: config.dataDir }, 'afterpatch server listening');
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}

/** Runs until SIGTERM/SIGINT; resolves with the exit code. */
export async function runServer(config: ServerConfig): Promise<number> {
  const server = await startServer(config);
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      server.app.log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        server.app.log.error('graceful close timed out; exiting');
        resolve(1);
      }, CLOSE_TIMEOUT_MS);
      timer.unref();
      server.close().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (err: unknown) => {
          server.app.log.error({ err }, 'error while closing');
          clearTimeout(timer);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
