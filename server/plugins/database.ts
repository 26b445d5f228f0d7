// The database as a decorator: opened here (or handed in by a test that shares one database
// between apps) and closed in onClose only when this plugin opened it.
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config/server-config.js';
import { type Database, openDatabase } from '../db/open-database.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

export interface DatabasePluginOptions {
  config: ServerConfig;
  /** An already open database; the app will not close it. */
  database?: Database;
}

export default fp<DatabasePluginOptions>(
  async function databasePlugin(app, options) {
    let db = options.database;
    if (!db) {
      const { config } = options;
      db = await openDatabase({
        dataDir: config.dataDir,
        logger: app.log.child({ module: 'db' }),
        poolSize: config.dbPoolSize,
        ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      });
      const opened = db;
      app.addHook('onClose', async () => {
        await opened.close();
      });
    }
    app.decorate('db', db);
  },
  { name: 'afterpatch-database' },
);
