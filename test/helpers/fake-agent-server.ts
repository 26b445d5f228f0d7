// TEST DOUBLE of the afterpatch server's agent endpoints, NOT the real server (server/ is
// built separately). It implements the agent <-> server contract minimally, in memory, so the
// agent daemon can be tested end to end: enrolment, tokens (opaque random strings here, where
// the real server issues HS256 JWTs), the WebSocket with authentication during the upgrade,
// hello/report/unchanged/ack/scan-request, idempotent resends, revocation and restarts.
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  CLOSE_CODES,
  MAX_FRAME_BYTES,
  type ReportPayload,
  type StepPayload,
  type StepStatusPayload,
} from '../../shared/agent-protocol.js';
import { decodeMessage, encodeMessage } from '../../shared/protocol-codec.js';

export interface FakeHost {
  hostId: string;
  machineId: string | undefined;
  credential: string;
  revoked: boolean;
  reportSeq: number;
  /** Stored reports in the order they were stored. */
  reports: ReportPayload[];
  /** seqs of stored `unchanged` frames. */
  unchanged: number[];
  hellos: Array<{ lastAckedSeq: number; bootId: string }>;
  /** Every step-status frame received, in order. */
  stepStatuses: StepStatusPayload[];
  /** Steps sent and not settled yet: re-sent after every hello, like the real server does. */
  openSteps: Map<string, StepPayload>;
}

export interface FakeServerOptions {
  /** Fixed port (to come back on the same port after close()); default 0. */
  port?: number;
  enrollmentTokens?: string[];
  /** Interval of WebSocket pings; 0 for none. */
  pingIntervalMs?: number;
  tokenLifetimeMs?: number;
}

export class FakeAgentServer extends EventEmitter {
  readonly hosts = new Map<string, FakeHost>();
  readonly enrollmentTokens: Set<string>;
  readonly tokens = new Map<string, { hostId: string; expiresAtMs: number }>();
  readonly counts = { enroll: 0, token: 0, tokenRefused: 0, upgrades: 0, upgradeRefused: 0 };
  readonly sockets = new Map<string, WebSocket>();
  /** Close codes of agent connections, as the server saw them. */
  readonly closeCodes: number[] = [];
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly rawSockets = new Set<Socket>();
  private pingTimer: NodeJS.Timeout | undefined;
  port = 0;

  constructor(private readonly options: FakeServerOptions = {}) {
    super();
    this.enrollmentTokens = new Set(options.enrollmentTokens ?? ['enroll-ok']);
    this.port = options.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    const http = createServer((req, res) => void this.onRequest(req, res));
    http.on('connection', (socket) => {
      this.rawSockets.add(socket);
      socket.on('close', () => this.rawSockets.delete(socket));
    });
    http.on('upgrade', (req, socket, head) => this.onUpgrade(wss, req, socket as Socket, head));
    await new Promise<void>((resolve) => http.listen(this.port, '127.0.0.1', resolve));
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
    this.wss = wss;
    if (this.options.pingIntervalMs) {
      this.pingTimer = setInterval(() => {
        for (const ws of wss.clients) ws.ping();
      }, this.options.pingIntervalMs);
      this.pingTimer.unref();
    }
  }

  /** Simulates the server going down: every connection cut, the port closed. State is kept. */
  async close(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    for (const socket of this.rawSockets) socket.destroy();
    // close() alone waits for every connection to end: an enrolment or token request, or an
    // upgrade still being handled when the test ends, would hold the test file open for good.
    const closing = new Promise<void>((resolve) =>
      this.http ? this.http.close(() => resolve()) : resolve(),
    );
    this.http?.closeAllConnections();
    await closing;
    this.wss?.close();
    this.http = undefined;
  }

  revoke(hostId: string): void {
    const host = this.hosts.get(hostId)!;
    host.revoked = true;
    this.sockets.get(hostId)?.close(CLOSE_CODES.unauthorized, 'host revoked');
  }

  requestScan(hostId: string, requestId = 'req-1'): void {
    this.sockets.get(hostId)?.send(encodeMessage('scan-request', { requestId, reason: 'operator asked' }));
  }

  /** Sends a rollout step now (if connected) and again after every hello until it is settled. */
  sendStep(hostId: string, step: StepPayload): void {
    this.hosts.get(hostId)!.openSteps.set(step.stepId, step);
    this.sockets.get(hostId)?.send(encodeMessage('step', step));
  }

  /** The latest status received for a step. */
  latestStepStatus(hostId: string, stepId: string): StepStatusPayload | undefined {
    return this.hosts
      .get(hostId)
      ?.stepStatuses.filter((s) => s.stepId === stepId)
      .at(-1);
  }

  /** The only host (most tests enrol one). */
  onlyHost(): FakeHost {
    const [host] = this.hosts.values();
    if (!host) throw new Error('no host enrolled');
    return host;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    if (req.method === 'POST' && req.url === '/api/v1/agents/enroll') {
      this.counts.enroll++;
      const { enrollmentToken, hostname, machineId } = body as Record<string, string | undefined>;
      if (!enrollmentToken || !this.enrollmentTokens.has(enrollmentToken) || !hostname) {
        return reply(res, 401, error('AP_ENROLLMENT_TOKEN_INVALID', 'enrollment token invalid'));
      }
      const existing = [...this.hosts.values()].find((h) => machineId && h.machineId === machineId);
      const credential = `apc_${randomBytes(32).toString('base64url')}`;
      if (existing) {
        existing.credential = credential;
        existing.revoked = false;
        return reply(res, 201, { hostId: existing.hostId, credential });
      }
      const host: FakeHost = {
        hostId: randomUUID(),
        machineId,
        credential,
        revoked: false,
        reportSeq: 0,
        reports: [],
        unchanged: [],
        hellos: [],
        stepStatuses: [],
        openSteps: new Map(),
      };
      this.hosts.set(host.hostId, host);
      return reply(res, 201, { hostId: host.hostId, credential });
    }
    if (req.method === 'POST' && req.url === '/api/v1/agents/token') {
      this.counts.token++;
      const { hostId, credential } = body as Record<string, string | undefined>;
      const host = hostId ? this.hosts.get(hostId) : undefined;
      if (!host || host.revoked || host.credential !== credential) {
        this.counts.tokenRefused++;
        return reply(res, 401, error('AP_AGENT_CREDENTIAL_INVALID', 'credential invalid'));
      }
      const token = randomBytes(24).toString('base64url');
      const expiresAtMs = Date.now() + (this.options.tokenLifetimeMs ?? 15 * 60_000);
      this.tokens.set(token, { hostId: host.hostId, expiresAtMs });
      return reply(res, 200, { token, expiresAt: new Date(expiresAtMs).toISOString() });
    }
    reply(res, 404, error('AP_NOT_FOUND', 'not found'));
  }

  private onUpgrade(wss: WebSocketServer, req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.counts.upgrades++;
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = token ? this.tokens.get(token) : undefined;
    const host = grant ? this.hosts.get(grant.hostId) : undefined;
    if (req.url !== '/api/v1/agent/ws' || !grant || !host || host.revoked || grant.expiresAtMs < Date.now()) {
      this.counts.upgradeRefused++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, host));
  }

  private onConnection(ws: WebSocket, host: FakeHost): void {
    this.sockets.get(host.hostId)?.close(CLOSE_CODES.replaced, 'replaced');
    this.sockets.set(host.hostId, ws);
    let greeted = false;
    ws.on('close', (code: number) => {
      this.closeCodes.push(code);
      if (this.sockets.get(host.hostId) === ws) this.sockets.delete(host.hostId);
    });
    ws.on('message', (data: Buffer) => {
      const decoded = decodeMessage(data, 'agent');
      if (!decoded.ok) {
        ws.send(encodeMessage('error', { code: decoded.closeCode, message: decoded.reason }));
        ws.close(decoded.closeCode, decoded.reason);
        return;
      }
      const { message } = decoded;
      if (message.type === 'hello') {
        if (message.payload.hostId !== host.hostId)
          return ws.close(CLOSE_CODES.hostMismatch, 'not your host');
        greeted = true;
        host.hellos.push({ lastAckedSeq: message.payload.lastAckedSeq, bootId: message.payload.bootId });
        this.emit('hello', host);
        for (const step of host.openSteps.values()) ws.send(encodeMessage('step', step));
        return;
      }
      if (message.type === 'step-status') {
        if (!greeted) return ws.close(CLOSE_CODES.protocolError, 'hello first');
        host.stepStatuses.push(message.payload);
        const final = ['succeeded', 'failed', 'refused'].includes(message.payload.state);
        if (final) host.openSteps.delete(message.payload.stepId);
        this.emit('step-status', host, message.payload);
        return;
      }
      if (message.type !== 'report' && message.type !== 'unchanged') return;
      if (!greeted) return ws.close(CLOSE_CODES.protocolError, 'hello first');
      if (message.payload.hostId !== host.hostId) return ws.close(CLOSE_CODES.hostMismatch, 'not your host');
      const { seq } = message.payload;
      if (seq > host.reportSeq) {
        if (message.type === 'report') host.reports.push(message.payload);
        else host.unchanged.push(seq);
        host.reportSeq = seq;
      }
      ws.send(encodeMessage('ack', { seq }));
      this.emit('stored', host, seq);
    });
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        resolve({});
      }
    });
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function error(code: string, message: string) {
  return { error: { code, message } };
}

/** Polls `predicate` every 10 ms until it is true; fails after timeoutMs. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
