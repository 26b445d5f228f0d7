// The agent's one WebSocket to the server, kept up for the daemon's lifetime: connect with a
// fresh JWT, say `hello`, send everything in the outbox in seq order, drop what the server
// acknowledges, run requested scans. When the connection is lost it comes back after a
// full-jitter exponential backoff (reset once a connection has stayed up for a while), so a
// fleet does not stampede a restarted server. The server pings every 30 s; no ping for the
// heartbeat timeout means the server or the path to it is gone (a half-open TCP connection
// never reports an error), and the socket is terminated and reopened. All timers are
// unref()'d; stop() closes with 1001 and waits for the close.
import {
  CLOSE_CODES,
  MAX_FRAME_BYTES,
  type ScanRequestPayload,
  type StepPayload,
  type StepStatusPayload,
} from '../../shared/agent-protocol.js';
import { decodeMessage, encodeMessage } from '../../shared/protocol-codec.js';
import { AFTERPATCH_VERSION } from '../../shared/version.js';
import { AgentError } from './agent-errors.js';
import type { AgentLogger } from './agent-logger.js';
import { backoffDelayMs } from './backoff.js';
import type { HostIdentity } from './host-identity.js';
import { WebSocket } from './load-ws.js';
import type { Outbox, OutboxEntry } from './outbox.js';
import type { TokenSource } from './token-source.js';

export interface AgentConnectionOptions {
  wsUrl: string;
  hostId: () => string;
  identity: HostIdentity;
  tokens: Pick<TokenSource, 'get' | 'invalidate'>;
  outbox: Outbox;
  logger: AgentLogger;
  reconnectBaseMs: number;
  reconnectCapMs: number;
  stableConnectionMs: number;
  heartbeatTimeoutMs: number;
  handshakeTimeoutMs: number;
  onScanRequest: (request: ScanRequestPayload) => void;
  /** A rollout step arrived (the executor decides; the connection only delivers). */
  onStep?: (step: StepPayload) => void;
  /** Called on every new connection after `hello`, before the outbox is sent again. */
  onConnected?: () => void;
  /** Called after each ack has been applied to the outbox. */
  onAck?: (seq: number) => void;
  /** Called when the server refuses the credential (the connection keeps retrying, rarely). */
  onCredentialRefused?: (err: AgentError) => void;
  random?: () => number;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

export class AgentConnection {
  private ws: WebSocket | undefined;
  private state: ConnectionState = 'idle';
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  /** The highest seq sent on the current connection. */
  private sentSeq = 0;
  private flushing = false;
  /**
   * Step statuses waiting for the socket. They go out after every pending outbox entry, so a
   * status naming a post-step report's seq never overtakes that report. Not durable: the step
   * journal re-sends them on the next connection.
   */
  private statusFrames: string[] = [];
  private upgradeStatus: number | undefined;
  /** Whether the current socket got as far as 'open'. */
  private opened = false;
  /** Set after an immediate reconnect for an expired token; cleared by the next ack. */
  private reconnectedForToken = false;
  private closed: Promise<void> | undefined;
  private readonly log: AgentLogger;

  constructor(private readonly options: AgentConnectionOptions) {
    this.log = options.logger.child({ module: 'connection' });
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  start(): void {
    if (this.state !== 'idle') return;
    void this.connect();
  }

  /** New outbox entries are waiting: send them now if connected. */
  notify(): void {
    if (this.state === 'open') void this.flush();
  }

  /** Queues a step status for this connection; dropped when not connected (the journal resends). */
  sendStepStatus(status: StepStatusPayload): void {
    if (this.state !== 'open') return;
    this.statusFrames.push(encodeMessage('step-status', status));
    void this.flush();
  }

  /** Closes with 1001 (going away) and waits until the socket is closed. */
  async stop(): Promise<void> {
    const previous = this.state;
    this.state = 'stopped';
    this.clearTimers();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (!ws || previous === 'waiting' || previous === 'idle') return;
    if (ws.readyState === WebSocket.OPEN) ws.close(CLOSE_CODES.goingAway, 'agent stopping');
    else ws.terminate();
    // A server that never answers the close handshake must not hold up the shutdown.
    const forced = setTimeout(() => ws.terminate(), 2000);
    forced.unref();
    // Bounded as well: a socket whose 'close' never comes (already torn down underneath) must not
    // keep the agent from exiting on SIGTERM.
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((resolve) => {
        giveUp = setTimeout(resolve, 5000);
        giveUp.unref();
      }),
    ]);
    clearTimeout(forced);
    clearTimeout(giveUp);
  }

  private async connect(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'connecting';
    let token: string;
    try {
      token = await this.options.tokens.get();
    } catch (err) {
      if (this.isStopped()) return;
      this.tokenFailed(err);
      return;
    }
    // stop() may have run while the token was being fetched.
    if (this.isStopped()) return;
    this.upgradeStatus = undefined;
    this.opened = false;
    this.sentSeq = 0;
    const ws = new WebSocket(this.options.wsUrl, {
      headers: { authorization: `Bearer ${token}` },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: this.options.handshakeTimeoutMs,
      followRedirects: false,
    });
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('open', this.onOpen);
    ws.on('message', this.onMessage);
    ws.on('ping', this.onPing);
    ws.on('close', this.onClose);
    ws.on('error', this.onError);
    ws.on('unexpected-response', this.onUnexpectedResponse);
  }

  private tokenFailed(err: unknown): void {
    if (err instanceof AgentError && err.code === 'AP_AGENT_CREDENTIAL_INVALID') {
      // Not transient: the host was revoked or re-enrolled elsewhere. Retrying fast would only
      // load the server; retry rarely, in case an operator restores the host.
      const delayMs = Math.floor(this.options.reconnectCapMs * (0.5 + this.random() / 2));
      this.log.error(
        { code: err.code, status: err.status, retryInMs: delayMs },
        'the server refused this host credential (host revoked?). Re-enrol with a new token: ' +
          'afterpatch agent --enroll-token TOKEN (after removing credentials.json)',
      );
      this.scheduleReconnect(delayMs);
      this.options.onCredentialRefused?.(err);
      return;
    }
    const delayMs = this.nextBackoffMs();
    this.log.warn(
      { err, code: (err as AgentError).code, retryInMs: delayMs, attempt: this.attempt },
      'cannot get an agent token',
    );
    this.scheduleReconnect(delayMs);
  }

  private readonly onUnexpectedResponse = (_req: unknown, res: { statusCode?: number }): void => {
    this.upgradeStatus = res.statusCode;
    // Aborts the handshake; 'error' and 'close' follow and schedule the retry.
    this.ws?.terminate();
  };

  private readonly onOpen = (): void => {
    if (this.state === 'stopped') return;
    this.state = 'open';
    this.opened = true;
    const { identity, outbox } = this.options;
    this.log.info({ url: this.options.wsUrl, pending: outbox.size }, 'connected');
    this.armHeartbeat();
    this.stableTimer = setTimeout(this.onStable, this.options.stableConnectionMs);
    this.stableTimer.unref();
    void this.sendFrame(
      encodeMessage('hello', {
        hostId: this.options.hostId(),
        agentVersion: AFTERPATCH_VERSION,
        bootId: identity.bootId,
        kernelRelease: identity.kernelRelease,
        hostname: identity.hostname,
        lastAckedSeq: outbox.lastAckedSeq,
      }),
    );
    this.statusFrames = [];
    this.options.onConnected?.();
    void this.flush();
  };

  private readonly onStable = (): void => {
    this.attempt = 0;
  };

  /** Sends pending entries in seq order, one at a time (each waits for the socket to take it). */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const ws = this.ws;
      for (;;) {
        if (!ws || this.state !== 'open' || ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
        const next = this.options.outbox.entries().find((e) => e.seq > this.sentSeq);
        if (!next) {
          const status = this.statusFrames.shift();
          if (status === undefined) return;
          await this.sendFrame(status);
          continue;
        }
        const entry = this.options.outbox.read(next.seq);
        this.sentSeq = next.seq;
        if (!entry) continue;
        const frame = this.frameFor(entry);
        if (Buffer.byteLength(frame) > MAX_FRAME_BYTES) {
          this.log.error({ seq: entry.seq }, 'report larger than the protocol allows; dropped');
          this.options.outbox.ack(entry.seq);
          continue;
        }
        await this.sendFrame(frame);
        this.log.debug({ seq: entry.seq, type: entry.type }, 'sent');
      }
    } finally {
      this.flushing = false;
    }
  }

  private frameFor(entry: OutboxEntry): string {
    const hostId = this.options.hostId();
    if (entry.type === 'unchanged') {
      return encodeMessage('unchanged', { hostId, seq: entry.seq, scannedAt: entry.scannedAt });
    }
    return encodeMessage('report', { hostId, seq: entry.seq, trigger: entry.trigger, report: entry.report });
  }

  private sendFrame(frame: string): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      // A failed send shows up as a close; the entry stays in the outbox and is sent again.
      ws.send(frame, () => resolve());
    });
  }

  private readonly onMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
    const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    const decoded = decodeMessage(isBinary ? raw : raw.toString('utf8'), 'server');
    if (!decoded.ok) {
      this.log.warn({ closeCode: decoded.closeCode, reason: decoded.reason }, 'invalid frame from server');
      this.ws?.close(decoded.closeCode, decoded.reason);
      return;
    }
    const { message } = decoded;
    switch (message.type) {
      case 'ack':
        this.reconnectedForToken = false;
        this.options.outbox.ack(message.payload.seq);
        this.log.debug({ seq: message.payload.seq, pending: this.options.outbox.size }, 'acknowledged');
        this.options.onAck?.(message.payload.seq);
        return;
      case 'scan-request':
        this.log.info(
          { requestId: message.payload.requestId, reason: message.payload.reason },
          'scan requested',
        );
        this.options.onScanRequest(message.payload);
        return;
      case 'step':
        this.log.info(
          { stepId: message.payload.stepId, rolloutId: message.payload.rolloutId },
          'rollout step received',
        );
        this.options.onStep?.(message.payload);
        return;
      case 'error':
        this.log.warn(
          { code: message.payload.code, reason: message.payload.message },
          'server reported an error',
        );
        return;
      default:
        return;
    }
  };

  private readonly onPing = (): void => {
    // ws answers the ping with a pong by itself; here the ping only proves the server alive.
    this.armHeartbeat();
  };

  private armHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(this.onHeartbeatTimeout, this.options.heartbeatTimeoutMs);
    this.heartbeatTimer.unref();
  }

  private readonly onHeartbeatTimeout = (): void => {
    this.log.warn({ timeoutMs: this.options.heartbeatTimeoutMs }, 'no ping from the server; reconnecting');
    this.ws?.terminate();
  };

  private readonly onError = (err: Error): void => {
    // 'close' always follows; it decides about the retry. Here only the cause is logged.
    this.log.debug({ err }, 'socket error');
  };

  private readonly onClose = (code: number, reasonBuffer: Buffer): void => {
    this.clearTimers();
    if (this.state === 'stopped') return;
    const reason = reasonBuffer.toString('utf8');
    const status = this.upgradeStatus;
    if (status === 401 || code === CLOSE_CODES.unauthorized) {
      // The token expired or the host was revoked: the next attempt asks for a new token,
      // and the token endpoint says which of the two it was.
      this.options.tokens.invalidate();
    }
    // The server closes an open connection with 4001 when its token expires: nothing is wrong,
    // come back at once with a fresh token (unacknowledged reports are still in the outbox). Only
    // once in a row: a server that keeps doing so (host revoked, clocks apart) gets the backoff.
    const tokenExpired = code === CLOSE_CODES.unauthorized && this.opened && !this.reconnectedForToken;
    this.reconnectedForToken = tokenExpired;
    const delayMs = tokenExpired ? 0 : this.nextBackoffMs();
    const fields = { code, reason, upgradeStatus: status, retryInMs: delayMs, attempt: this.attempt };
    if (tokenExpired) {
      this.log.info(
        fields,
        'the server closed the connection (token expired); reconnecting with a new token',
      );
      this.scheduleReconnect(delayMs);
      return;
    }
    if (code === CLOSE_CODES.replaced) {
      this.log.warn(fields, 'another connection for this host replaced this one (credentials copied?)');
    } else this.log.warn(fields, status ? 'server refused the connection' : 'disconnected');
    this.scheduleReconnect(delayMs);
  };

  private nextBackoffMs(): number {
    const delay = backoffDelayMs(this.attempt, {
      baseMs: this.options.reconnectBaseMs,
      capMs: this.options.reconnectCapMs,
      random: this.random,
    });
    this.attempt++;
    return delay;
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.state === 'stopped') return;
    this.state = 'waiting';
    this.ws = undefined;
    this.reconnectTimer = setTimeout(this.onReconnectTimer, delayMs);
    this.reconnectTimer.unref();
  }

  private readonly onReconnectTimer = (): void => {
    this.reconnectTimer = undefined;
    void this.connect();
  };

  private clearTimers(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.heartbeatTimer = undefined;
    this.stableTimer = undefined;
  }

  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private readonly random = (): number => (this.options.random ?? Math.random)();
}
