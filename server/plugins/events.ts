// The event bus as a decorator (`app.events`), registered before everything that publishes.
import fp from 'fastify-plugin';
import { EventBus } from '../events/event-bus.js';

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus;
  }
}

export default fp(
  async function eventsPlugin(app) {
    const log = app.log.child({ module: 'events' });
    app.decorate('events', new EventBus((err, event) => log.error({ err, event }, 'event listener failed')));
  },
  { name: 'afterpatch-events' },
);
