// The database as a decorator: opened here (or handed in by a test that shares one database
// between apps) and closed in onClose only when this plugin opened it. Also starts the table
// maintenance for databases without autovacuum (db/table-maintenance.ts).
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config/server-config.js';
import { type Database, openDatabase } from '../db/open-database.js';
import { startTableMaintenance } from '../db/table-maintenance.js';

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
    const { config } = options;
    const opened = options.database
      ? undefined
      : await openDatabase({
          dataDir: config.dataDir,
          logger: app.log.child({ module: 'db' }),
          poolSize: config.dbPoolSize,
          ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
        });
    const db = (options.database ?? opened)!;
    app.decorate('db', db);
    const maintenance = await startTableMaintenance({
      db,
      intervalSeconds: config.dbMaintenanceIntervalSeconds,
      logger: app.log.child({ module: 'db-maintenance' }),
    });
    app.addHook('onClose', async () => {
      // The maintenance pass in progress, if any, finishes before the database closes.
      await maintenance.stop();
      await opened?.close();
    });
  },
  { name: 'afterpatch-database' },
);
