// GET /api/v1/events: Server-Sent Events for the web UI: rollout, step and host changes as JSON
// (`event: <name>`, `data: <json>`), a comment heartbeat every 15 s so proxies keep the stream
// open. Every change of the fleet, whichever server instance made it. Authenticated like the REST API (viewer); EventSource cannot set headers, so the auth
// plugin also accepts `?access_token=` for this route (stripped from the URL before logging).
import type { FastifyInstance } from 'fastify';
import { PUBLIC_EVENT_NAMES } from '../events/public-events.js';
import { errors } from './schemas.js';

const HEARTBEAT_MS = 15_000;
/** A client that does not read is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export default async function eventRoutes(app: FastifyInstance) {
  const open = new Set<() => void>();
  // Streams never end by themselves: close them, or app.close() would wait for them forever.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });
  app.get(
    '',
    {
      config: { minRole: 'viewer', allowQueryToken: true },
      schema: {
        tags: ['events'],
        description:
          'text/event-stream of rollout.changed, step.changed, host.changed; token in Authorization or ?access_token=',
        response: { ...errors(401, 403) },
      },
    },
    async function streamEvents(request, reply) {
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': afterpatch events\nretry: 3000\n\n');
      let id = 0;
      const send = (event: string, data: unknown) => {
        if (raw.writableLength > MAX_BUFFERED_BYTES) {
          raw.destroy();
          return;
        }
        id += 1;
        raw.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      // Remote too: the changes made on the other server instances, relayed (cluster/event-relay.ts).
      const offs = PUBLIC_EVENT_NAMES.map((name) =>
        app.events.on(name, (payload) => send(name, payload), { remoteToo: true }),
      );
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const close = () => {
        clearInterval(heartbeat);
        for (const off of offs) off();
        open.delete(end);
      };
      const end = () => {
        close();
        raw.end();
      };
      open.add(end);
      request.raw.once('close', close);
    },
  );
}
