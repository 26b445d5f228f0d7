// The rollout executor and the webhook notifier as decorators (`app.rollouts`), started when the
// app is ready and stopped before the agent gateway closes its connections (so no step is sent
// into a closing socket and the leader lock is released for another instance).
import fp from 'fastify-plugin';
import type { ServerConfig } from '../config/server-config.js';
import { createWebhookNotifier, type Notifier } from '../notify/webhook-notifier.js';
import { createLeaderLock } from '../rollouts/leader-lock.js';
import { RolloutExecutor } from '../rollouts/rollout-executor.js';

declare module 'fastify' {
  interface FastifyInstance {
    rollouts: { executor: RolloutExecutor; notifier: Notifier };
  }
}

export default fp<{ config: ServerConfig }>(
  async function rolloutsPlugin(app, options) {
    const log = app.log.child({ module: 'rollouts' });
    const notifier = createWebhookNotifier({
      prisma: app.db.prisma,
      log: app.log.child({ module: 'webhooks' }),
    });
    const executor = new RolloutExecutor({
      prisma: app.db.prisma,
      agents: app.agents,
      events: app.events,
      notifier,
      leader: createLeaderLock(app.db, log),
      log,
      tickMs: options.config.rolloutTickMs,
    });
    app.decorate('rollouts', { executor, notifier });
    app.addHook('onReady', async () => executor.start());
    app.addHook('preClose', async () => {
      await executor.stop();
      await notifier.close();
    });
  },
  {
    name: 'afterpatch-rollouts',
    dependencies: ['afterpatch-database', 'afterpatch-events', 'afterpatch-agent-gateway'],
  },
);
