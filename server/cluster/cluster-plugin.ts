// Several server instances behind a load balancer on one PostgreSQL database: this instance's
// identity and heartbeat (instance-registry.ts), a message bus to the others (LISTEN/NOTIFY on
// PostgreSQL, in process for PGlite), and deliverToHost(): a server→agent message for a host
// goes over the local connection when the host is connected here, else to the instance holding
// it (hosts.instance_id); disconnectHost() closes a connection wherever it is; the public events
// of each instance reach the live views of all (event-relay.ts). Registered before
// the agent gateway; the gateway calls leave() last on shutdown, after its hosts are marked
// offline.
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import type { MessageType, PayloadOf } from '../../shared/agent-protocol.js';
import { decodeMessage, encodeMessage } from '../../shared/protocol-codec.js';
import type { ServerConfig } from '../config/server-config.js';
import type { ClusterMessage } from './cluster-message.js';
import { EventRelay } from './event-relay.js';
import { createInProcessBus } from './in-process-bus.js';
import { InstanceRegistry } from './instance-registry.js';
import type { MessageBus } from './message-bus.js';
import { createPgMessageBus } from './pg-message-bus.js';

/** Where a message went: over this instance's connection, to another instance, or nowhere. */
export type Delivery = 'local' | 'forwarded' | 'offline';

/** Server→agent message types that may be delivered to a host (not the connection's own ack/error). */
export type HostMessageType = Extract<MessageType, 'scan-request' | 'step'>;

export interface Cluster {
  readonly instanceId: string;
  /**
   * Sends a server→agent message to the host wherever it is connected. 'forwarded' means handed
   * to the instance holding the host: delivery is at most once (message-bus.ts).
   */
  deliverToHost<T extends HostMessageType>(hostId: string, type: T, payload: PayloadOf<T>): Promise<Delivery>;
  /**
   * Closes the host's agent connection with `code` wherever it is: here, or on the instance
   * recorded as holding it (hosts.instance_id, also after the host was marked offline).
   */
  disconnectHost(hostId: string, code: number, reason: string): Promise<Delivery>;
  /**
   * Tells every other live instance that rollout state changed in the database (at most once,
   * like every bus message); each publishes 'cluster.rollouts-changed' on its event bus.
   */
  announceRolloutsChanged(): Promise<void>;
  /** Marks this instance's hosts offline, removes its row, stops listening. Called by the gateway. */
  leave(): Promise<void>;
  /** One heartbeat and reaping pass now (tests; the timer does it every instanceHeartbeatSeconds). */
  beat(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    cluster: Cluster;
  }
}

/** How long a public event may wait to be relayed with the next ones (a live view's delay). */
const EVENT_RELAY_FLUSH_MS = 100;

export default fp<{ config: ServerConfig }>(
  async function clusterPlugin(app, options) {
    const log = app.log.child({ module: 'cluster' });
    const instanceId = randomUUID();
    const { db } = app;
    const bus: MessageBus =
      db.kind === 'postgres' && db.connectionString
        ? createPgMessageBus({
            instanceId,
            connectionString: db.connectionString,
            prisma: db.prisma,
            logger: log,
          })
        : createInProcessBus(instanceId);
    const registry = new InstanceRegistry({
      instanceId,
      prisma: db.prisma,
      kind: db.kind,
      heartbeatSeconds: options.config.instanceHeartbeatSeconds,
      logger: log,
      // The gateway is registered after this plugin; by the first heartbeat it exists.
      connectedHostIds: () => app.agents?.connectedHostIds() ?? [],
    });

    // Only PostgreSQL can have other instances (a PGlite data directory is locked to one server).
    const relay =
      db.kind === 'postgres'
        ? new EventRelay({
            events: app.events,
            peers: async () =>
              (
                await db.prisma.serverInstance.findMany({
                  where: { id: { not: instanceId } },
                  select: { id: true },
                })
              ).map((row) => row.id),
            send: (peer, events) => bus.publish(peer, { kind: 'events', events }),
            flushMs: EVENT_RELAY_FLUSH_MS,
            // A new instance is known to the others after at most one heartbeat, as it is reaped.
            peerTtlMs: options.config.instanceHeartbeatSeconds * 1000,
            logger: log,
          })
        : undefined;

    function onMessage(message: ClusterMessage): void {
      if (message.kind === 'events') {
        relay?.receive(message.events);
        return;
      }
      if (message.kind === 'rollouts-changed') {
        app.events.publish('cluster.rollouts-changed', {});
        return;
      }
      if (message.kind === 'disconnect-host') {
        app.agents.disconnect(message.hostId, message.code, message.reason);
        return;
      }
      const decoded = decodeMessage(message.frame, 'server');
      if (!decoded.ok) {
        log.warn({ hostId: message.hostId, reason: decoded.reason }, 'invalid frame from another instance');
        return;
      }
      if (!app.agents.sendFrame(message.hostId, message.frame)) {
        log.info(
          { hostId: message.hostId, type: decoded.message.type },
          'forwarded message for a host no longer here',
        );
      }
    }

    await bus.listen(onMessage);
    await registry.start();
    log.info({ instanceId }, 'server instance registered');

    let leaving: Promise<void> | undefined;
    app.decorate('cluster', {
      instanceId,
      async deliverToHost<T extends HostMessageType>(hostId: string, type: T, payload: PayloadOf<T>) {
        const frame = encodeMessage(type, payload);
        if (app.agents.sendFrame(hostId, frame)) return 'local';
        const host = await db.prisma.host.findUnique({
          where: { id: hostId },
          select: { online: true, instanceId: true },
        });
        if (!host?.online || !host.instanceId || host.instanceId === instanceId) return 'offline';
        await bus.publish(host.instanceId, { kind: 'to-host', hostId, frame });
        return 'forwarded';
      },
      async disconnectHost(hostId: string, code: number, reason: string) {
        if (app.agents.isConnected(hostId)) {
          app.agents.disconnect(hostId, code, reason);
          return 'local';
        }
        const host = await db.prisma.host.findUnique({ where: { id: hostId }, select: { instanceId: true } });
        if (!host?.instanceId || host.instanceId === instanceId) return 'offline';
        await bus.publish(host.instanceId, {
          kind: 'disconnect-host',
          hostId,
          code,
          reason: reason.slice(0, 120),
        });
        return 'forwarded';
      },
      async announceRolloutsChanged() {
        const others = await db.prisma.serverInstance.findMany({
          where: { id: { not: instanceId } },
          select: { id: true },
        });
        for (const other of others) await bus.publish(other.id, { kind: 'rollouts-changed' });
      },
      leave() {
        leaving ??= (async () => {
          await relay?.stop();
          try {
            await registry.stop();
          } catch (err) {
            log.warn({ err }, 'could not deregister this instance (the others will reap it)');
          }
          await bus.close();
        })();
        return leaving;
      },
      beat: () => registry.beat(),
    } satisfies Cluster);
    // When the gateway never got to close (startup failure), still leave before the database closes.
    app.addHook('preClose', async () => {
      if (!app.hasDecorator('agents')) await app.cluster.leave();
    });
  },
  { name: 'afterpatch-cluster', dependencies: ['afterpatch-database', 'afterpatch-events'] },
);
