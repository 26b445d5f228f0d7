// The agent WebSocket endpoint, GET /api/v1/agent/ws. `ws` runs without a server of its own: the
// HTTP server's 'upgrade' event comes here, the agent JWT is checked (and the host looked up)
// BEFORE the upgrade, and a refused client gets a plain HTTP 401/404/503 with the usual error
// body. One connection per host on this server: a new one replaces the old (4005). A heartbeat
// pings every connection once per interval (spread over the interval, heartbeat-wheel.ts) and
// terminates one that missed two pongs. On shutdown, connections are closed with 4013 (try again
// later) and their hosts marked offline before the database closes.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import { WebSocketServer } from 'ws';
import {
  CLOSE_CODES,
  MAX_FRAME_BYTES,
  type MessageType,
  type PayloadOf,
} from '../../shared/agent-protocol.js';
import { encodeMessage } from '../../shared/protocol-codec.js';
import { bearerToken, verifyTokenClaims } from '../auth/jwt.js';
import type { ServerConfig } from '../config/server-config.js';
import { isDbError, isRetriableDbError } from '../db/errors.js';
import { API_ERRORS, type ApiErrorCode } from '../errors.js';
import { AgentConnection } from './agent-connection.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';

export const AGENT_WS_PATH = '/api/v1/agent/ws';
const HELLO_TIMEOUT_MS = 10_000;
const SHUTDOWN_GRACE_MS = 2_000;
const ROTATION_SLACK_SECONDS = 5;

export interface AgentGateway {
  /** Host ids with an open connection on this server. */
  connectedHostIds(): string[];
  isConnected(hostId: string): boolean;
  /** Sends any server message to a host connected HERE; false when it is not (see app.cluster). */
  send<T extends MessageType>(hostId: string, type: T, payload: PayloadOf<T>): boolean;
  /** Sends an encoded server frame; false when the host is not connected here (see app.cluster). */
  sendFrame(hostId: string, frame: string): boolean;
  /** Closes the host's connection (credential revoked). */
  disconnect(hostId: string, code: number, reason: string): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    agents: AgentGateway;
  }
}

export default fp<{ config: ServerConfig }>(
  async function agentGatewayPlugin(app, options) {
    const log = app.log.child({ module: 'agent-gateway' });
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
    });
    const connections = new Map<string, AgentConnection>();
    const pendingWrites = new Set<Promise<unknown>>();
    let shuttingDown = false;

    function refuse(socket: Duplex, status: number, code: ApiErrorCode, message?: string): void {
      const body = JSON.stringify({ error: { code, message: message ?? API_ERRORS[code].message } });
      const reason = { 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n${status === 503 ? 'Retry-After: 5\r\n' : ''}\r\n${body}`,
      );
    }

    /** The host the request may speak for and when its token expires, or undefined. */
    async function authenticate(
      request: IncomingMessage,
    ): Promise<{ hostId: string; tokenExpiresAtMs: number | undefined } | undefined> {
      const token = bearerToken(request.headers.authorization);
      const claims = token ? verifyTokenClaims(app.jwtSecret, 'agent', token) : undefined;
      if (!claims) return undefined;
      const host = await app.db.prisma.host.findUnique({
        where: { id: claims.subject },
        select: { revokedAt: true, credentialRotatedAt: true },
      });
      if (!host || host.revokedAt) return undefined;
      // A token obtained with a credential that has since been rotated (re-enrolment) is refused.
      // The slack absorbs iat's second resolution and clock differences between server instances.
      const rotatedAtSeconds = host.credentialRotatedAt.getTime() / 1000;
      if (claims.issuedAtSeconds < rotatedAtSeconds - ROTATION_SLACK_SECONDS) return undefined;
      const expires = claims.expiresAtSeconds;
      return { hostId: claims.subject, tokenExpiresAtMs: expires === undefined ? undefined : expires * 1000 };
    }

    function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', (err) => log.debug({ err }, 'upgrade socket error'));
      const path = (request.url ?? '').split('?')[0];
      if (path !== AGENT_WS_PATH) {
        refuse(socket, 404, 'AP_NOT_FOUND', `no WebSocket endpoint at ${path}`);
        return;
      }
      if (shuttingDown) {
        refuse(socket, 503, 'AP_DB_UNAVAILABLE', 'the server is shutting down');
        return;
      }
      authenticate(request).then(
        (authenticated) => {
          if (!authenticated) {
            log.info({ ip: request.socket.remoteAddress }, 'agent upgrade refused: bad or missing token');
            return refuse(socket, 401, 'AP_UNAUTHENTICATED', 'a valid agent token is required');
          }
          if (shuttingDown || socket.destroyed)
            return refuse(socket, 503, 'AP_DB_UNAVAILABLE', 'shutting down');
          wss.handleUpgrade(request, socket, head, (ws) =>
            attach(ws, authenticated.hostId, authenticated.tokenExpiresAtMs),
          );
        },
        (err: unknown) => {
          const unavailable = isRetriableDbError(err) || isDbError(err, 'DB_UNAVAILABLE');
          log.warn({ err }, 'agent upgrade failed');
          app.metrics.dbErrors.labels('upgrade').inc();
          refuse(
            socket,
            503,
            'AP_DB_UNAVAILABLE',
            unavailable ? undefined : 'the server could not check the token',
          );
        },
      );
    }

    function attach(ws: import('ws').WebSocket, hostId: string, tokenExpiresAtMs: number | undefined): void {
      const previous = connections.get(hostId);
      const connection = new AgentConnection({
        socket: ws,
        hostId,
        instanceId: app.cluster.instanceId,
        tokenExpiresAtMs,
        prisma: app.db.prisma,
        metrics: app.metrics,
        logger: log,
        helloTimeoutMs: HELLO_TIMEOUT_MS,
        events: app.events,
      });
      connections.set(hostId, connection);
      wheel.add(connection);
      app.metrics.agentsConnected.set(connections.size);
      if (previous) previous.fail(CLOSE_CODES.replaced, 'replaced by a newer connection of the same host');
      ws.on('error', (err) => log.debug({ err, hostId }, 'agent socket error'));
      ws.on('close', (code) => {
        wheel.remove(connection);
        log.info({ hostId, code }, 'agent disconnected');
        if (connections.get(hostId) !== connection) return;
        connections.delete(hostId);
        app.metrics.agentsConnected.set(connections.size);
        markOffline(hostId, connection);
        app.events.publish('agent.disconnected', { hostId });
        app.events.publish('host.changed', { hostId, online: false });
      });
    }

    function markOffline(hostId: string, connection: AgentConnection): void {
      const write = connection
        .drained()
        .then(() => {
          // A newer connection may have said hello meanwhile: then the host is online.
          if (connections.has(hostId)) return;
          // Only while this instance holds the host: it may have reconnected to another one.
          return app.db.prisma.host.updateMany({
            where: { id: hostId, instanceId: app.cluster.instanceId },
            data: { online: false, instanceId: null },
          });
        })
        .catch((err: unknown) => log.warn({ err, hostId }, 'could not mark host offline'))
        .finally(() => pendingWrites.delete(write));
      pendingWrites.add(write);
    }

    const heartbeatMs = options.config.heartbeatIntervalSeconds * 1000;
    const wheel = new HeartbeatWheel<AgentConnection>(
      HeartbeatWheel.slotsFor(options.config.heartbeatIntervalSeconds),
    );
    const heartbeat = setInterval(function beat() {
      for (const connection of wheel.tick()) {
        if (connection.missedPongs >= 2) {
          log.info({ hostId: connection.hostId }, 'agent missed two pongs; terminating');
          connection.socket.terminate();
          continue;
        }
        connection.missedPongs += 1;
        connection.socket.ping();
      }
    }, heartbeatMs / wheel.slotCount);
    heartbeat.unref();

    app.server.on('upgrade', onUpgrade);

    app.decorate('agents', {
      connectedHostIds: () => [...connections.keys()],
      isConnected: (hostId: string) => connections.has(hostId),
      send<T extends MessageType>(hostId: string, type: T, payload: PayloadOf<T>) {
        return connections.get(hostId)?.send(encodeMessage(type, payload)) ?? false;
      },
      sendFrame(hostId: string, frame: string) {
        return connections.get(hostId)?.send(frame) ?? false;
      },
      disconnect(hostId: string, code: number, reason: string) {
        connections.get(hostId)?.fail(code, reason);
      },
    } satisfies AgentGateway);

    app.addHook('preClose', async function closeAgentConnections() {
      shuttingDown = true;
      clearInterval(heartbeat);
      app.server.off('upgrade', onUpgrade);
      const open = [...connections.values()];
      const closed = Promise.all(
        open.map((c) =>
          c.socket.readyState === c.socket.CLOSED
            ? undefined
            : new Promise((resolve) => c.socket.once('close', resolve)),
        ),
      );
      for (const connection of open)
        connection.fail(CLOSE_CODES.tryAgainLater, 'the server is shutting down');
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]);
      for (const connection of open) connection.socket.terminate();
      await closed;
      await Promise.all([...pendingWrites]);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Last: the instance row goes only after its hosts are marked offline.
      await app.cluster.leave();
    });
  },
  {
    name: 'afterpatch-agent-gateway',
    dependencies: [
      'afterpatch-database',
      'afterpatch-auth',
      'afterpatch-metrics',
      'afterpatch-events',
      'afterpatch-cluster',
    ],
  },
);
