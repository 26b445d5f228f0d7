// One agent's WebSocket, after authentication: the hello handshake, then report / unchanged
// frames and rollout step-status frames (published on the event bus for the executor), each
// handled in order (a promise chain; the socket is paused while a frame is stored,
// so a fast agent is slowed by TCP instead of filling memory). Every frame is decoded by the
// shared codec; an invalid one is answered with `error {code, message}` and the connection is
// closed with that code. An ack is sent only after the database transaction committed.
import type { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../shared/agent-protocol.js';
import { decodeMessage, encodeMessage } from '../../shared/protocol-codec.js';
import { isRetriableDbError } from '../db/errors.js';
import type { PrismaClient } from '../db/generated/client.js';
import type { EventBus } from '../events/event-bus.js';
import type { ServerMetrics } from '../plugins/metrics.js';
import { HostGoneError, type IngestResult, ingestReport, ingestUnchanged } from './ingest-report.js';

export interface ConnectionLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface AgentConnectionOptions {
  socket: WebSocket;
  hostId: string;
  prisma: PrismaClient;
  metrics: ServerMetrics;
  logger: ConnectionLogger;
  /** How long the agent has to send hello. */
  helloTimeoutMs: number;
  /** Where hello, step-status and stored reports are published (the rollout executor listens). */
  events?: EventBus;
}

/** Close code for an unexpected server failure (RFC 6455 "internal error"). */
export const INTERNAL_ERROR_CLOSE = 1011;

export class AgentConnection {
  readonly hostId: string;
  readonly socket: WebSocket;
  /** Pings sent without a pong since; the heartbeat terminates the peer at 2. */
  missedPongs = 0;
  private greeted = false;
  private closing = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly helloTimer: NodeJS.Timeout;

  constructor(private readonly options: AgentConnectionOptions) {
    this.hostId = options.hostId;
    this.socket = options.socket;
    this.socket.on('message', (data, isBinary) => this.enqueue(data as Buffer, isBinary));
    this.socket.on('pong', () => {
      this.missedPongs = 0;
    });
    this.helloTimer = setTimeout(() => {
      if (!this.greeted) this.fail(CLOSE_CODES.protocolError, 'no hello received in time');
    }, options.helloTimeoutMs).unref();
    this.socket.once('close', () => clearTimeout(this.helloTimer));
  }

  /** Sends a frame if the socket is open; false otherwise. */
  send(frame: string): boolean {
    if (this.closing || this.socket.readyState !== this.socket.OPEN) return false;
    this.socket.send(frame);
    return true;
  }

  /** Sends `error {code, message}` and closes with `code`. */
  fail(code: number, message: string): void {
    if (this.closing) return;
    this.send(encodeMessage('error', { code, message: message.slice(0, 256) }));
    this.close(code, message);
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    // WebSocket close reasons are limited to 123 bytes.
    this.socket.close(code, Buffer.from(reason).subarray(0, 120).toString());
  }

  /** Resolves when every frame received so far has been handled. */
  drained(): Promise<void> {
    return this.chain;
  }

  private enqueue(data: Buffer, isBinary: boolean): void {
    this.socket.pause();
    this.chain = this.chain
      .then(() => this.handle(data, isBinary))
      .catch((err: unknown) => {
        this.options.logger.error({ err, hostId: this.hostId }, 'agent frame handling failed');
        this.fail(INTERNAL_ERROR_CLOSE, 'internal error');
      })
      .finally(() => {
        // Resumed even when closing: the close handshake needs the peer's close frame read.
        this.socket.resume();
      });
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closing) return;
    if (isBinary) return this.fail(CLOSE_CODES.protocolError, 'binary frames are not part of the protocol');
    const decoded = decodeMessage(data, 'agent');
    if (!decoded.ok) {
      this.options.logger.warn(
        { hostId: this.hostId, code: decoded.closeCode, reason: decoded.reason },
        'invalid agent frame',
      );
      return this.fail(decoded.closeCode, decoded.reason);
    }
    const { message } = decoded;
    if (message.type === 'step-status') {
      if (!this.greeted)
        return this.fail(CLOSE_CODES.protocolError, "expected 'hello' first, got 'step-status'");
      // Step statuses carry no hostId: the authenticated connection says whose they are.
      this.options.events?.publish('agent.step-status', { hostId: this.hostId, status: message.payload });
      return;
    }
    if (message.type !== 'hello' && message.type !== 'report' && message.type !== 'unchanged') {
      // decodeMessage lets only agent message types through; this narrows the type.
      return this.fail(CLOSE_CODES.protocolError, 'unexpected message');
    }
    if (message.payload.hostId !== this.hostId) {
      this.options.logger.warn(
        { hostId: this.hostId, claimed: message.payload.hostId.slice(0, 64) },
        'agent spoke for another host',
      );
      return this.fail(CLOSE_CODES.hostMismatch, 'hostId does not match the authenticated host');
    }
    if (!this.greeted && message.type !== 'hello') {
      return this.fail(CLOSE_CODES.protocolError, `expected 'hello' first, got '${message.type}'`);
    }
    try {
      switch (message.type) {
        case 'hello': {
          if (this.greeted) return this.fail(CLOSE_CODES.protocolError, "'hello' was already sent");
          const p = message.payload;
          await this.options.prisma.host.update({
            where: { id: this.hostId },
            data: {
              online: true,
              lastSeenAt: new Date(),
              agentVersion: p.agentVersion,
              bootId: p.bootId,
              kernelRelease: p.kernelRelease,
              hostname: p.hostname,
            },
          });
          this.greeted = true;
          clearTimeout(this.helloTimer);
          this.options.logger.info({ hostId: this.hostId, agentVersion: p.agentVersion }, 'agent connected');
          this.options.events?.publish('host.changed', { hostId: this.hostId, online: true });
          this.options.events?.publish('agent.hello', {
            hostId: this.hostId,
            bootId: p.bootId,
            kernelRelease: p.kernelRelease,
          });
          return;
        }
        // Awaited here, inside the try: a failed store must reach handleStorageError.
        case 'report':
          await this.acknowledge(message.payload.seq, () =>
            ingestReport(this.options.prisma, this.hostId, message.payload),
          );
          return;
        case 'unchanged':
          await this.acknowledge(message.payload.seq, () =>
            ingestUnchanged(this.options.prisma, this.hostId, message.payload),
          );
          return;
      }
    } catch (err) {
      this.handleStorageError(err);
    }
  }

  private async acknowledge(seq: number, store: () => Promise<IngestResult>): Promise<void> {
    const started = process.hrtime.bigint();
    const result = await store();
    this.options.metrics.reportsIngested.labels(result).inc();
    this.options.metrics.ingestDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.options.logger.debug({ hostId: this.hostId, seq, result }, 'report handled');
    this.send(encodeMessage('ack', { seq }));
    if (result === 'stored') {
      this.options.events?.publish('host.changed', { hostId: this.hostId, status: 'reported' });
    }
    if (result !== 'duplicate')
      this.options.events?.publish('agent.report', { hostId: this.hostId, seq, result });
  }

  private handleStorageError(err: unknown): void {
    if (err instanceof HostGoneError) {
      this.fail(CLOSE_CODES.unauthorized, 'the host was revoked');
      return;
    }
    this.options.metrics.dbErrors.labels('ingest').inc();
    // No ack either way: the agent keeps the report in its outbox and sends it again after
    // reconnecting with backoff. An outage is expected; anything else is a bug worth an error line.
    if (isRetriableDbError(err)) {
      this.options.logger.warn({ err, hostId: this.hostId }, 'database unavailable; report not acknowledged');
    } else {
      this.options.logger.error(
        { err, hostId: this.hostId },
        'storing an agent frame failed; not acknowledged',
      );
    }
    this.fail(CLOSE_CODES.tryAgainLater, 'the server cannot store reports now; retry later');
  }
}
