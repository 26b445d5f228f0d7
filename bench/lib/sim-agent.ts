// One simulated agent of the fleet simulator: the real protocol (shared codec, hello, report /
// unchanged frames with seq, acks), the real token call and the real reconnect backoff
// (agent/daemon/backoff.ts, full jitter, the agent's default base/cap, reset after a stable
// minute), and an in-memory outbox: a report stays until the server acknowledges it, and
// everything unacknowledged is sent again after a reconnect, as the real agent does.
import WebSocket from 'ws';
import { AGENT_DEFAULTS } from '../../agent/daemon/agent-options.js';
import { backoffDelayMs } from '../../agent/daemon/backoff.js';
import { type AgentToken, requestAgentToken } from '../../agent/daemon/server-api.js';
import { CLOSE_CODES, MAX_FRAME_BYTES } from '../../shared/agent-protocol.js';
import { decodeMessage, encodeMessage } from '../../shared/protocol-codec.js';
import { changedProfile, type Profile, reportFrame, unchangedFrame } from './sim-reports.js';

export interface SimHooks {
  /** An ack arrived `latencyMs` after the frame was sent. */
  onAck(agent: SimAgent, seq: number, latencyMs: number): void;
  onOpen(agent: SimAgent): void;
  /** A connection that had opened closed. */
  onClose(agent: SimAgent, code: number): void;
}

interface Entry {
  seq: number;
  kind: 'report' | 'unchanged';
  profile: Profile;
  trigger: 'startup' | 'interval' | 'package-change';
  sentAtMs?: number;
}

const TOKEN_MARGIN_MS = 90_000;

export class SimAgent {
  ws: WebSocket | undefined;
  open = false;
  stopped = false;
  attempt = 0;
  /** The highest seq produced; every one must end up acknowledged. */
  producedSeq = 0;
  ackedSeq = 0;
  private outbox: Entry[] = [];
  private token: AgentToken | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private lastProfile: Profile | undefined;

  constructor(
    readonly index: number,
    readonly hostId: string,
    readonly hostname: string,
    private readonly credential: string,
    private profile: Profile,
    private readonly serverUrl: () => string,
    private readonly hooks: SimHooks,
  ) {}

  get pending(): number {
    return this.outbox.length;
  }

  /** A scan: a full report when the findings changed (or none was sent yet), else `unchanged`. */
  produce(trigger: Entry['trigger'], change = false): void {
    if (change) this.profile = changedProfile(this.profile);
    const kind = this.lastProfile === this.profile ? 'unchanged' : 'report';
    this.lastProfile = this.profile;
    const entry: Entry = { seq: ++this.producedSeq, kind, profile: this.profile, trigger };
    this.outbox.push(entry);
    if (this.open) this.send(entry);
  }

  async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.token || this.token.expiresAtMs - Date.now() < TOKEN_MARGIN_MS) {
        this.token = await requestAgentToken({
          serverUrl: this.serverUrl(),
          hostId: this.hostId,
          credential: this.credential,
          timeoutMs: 30_000,
        });
      }
    } catch {
      this.scheduleReconnect(this.nextBackoff());
      return;
    }
    if (this.stopped) return;
    const ws = new WebSocket(`${this.serverUrl().replace(/^http/, 'ws')}/api/v1/agent/ws`, {
      headers: { authorization: `Bearer ${this.token.token}` },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 30_000,
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.open = true;
      this.stableTimer = setTimeout(() => {
        this.attempt = 0;
      }, AGENT_DEFAULTS.stableConnectionSeconds * 1000);
      this.hooks.onOpen(this);
      ws.send(
        encodeMessage('hello', {
          hostId: this.hostId,
          agentVersion: 'fleet-sim',
          bootId: 'sim-boot',
          kernelRelease: '6.1.0-21-amd64',
          hostname: this.hostname,
          lastAckedSeq: this.ackedSeq,
        }),
      );
      for (const entry of this.outbox) this.send(entry);
    });
    ws.on('message', (data) => this.onMessage(data as Buffer));
    ws.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 401) this.token = undefined;
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('close', (code) => {
      const wasOpen = this.open;
      this.open = false;
      this.ws = undefined;
      if (this.stableTimer) clearTimeout(this.stableTimer);
      if (wasOpen) this.hooks.onClose(this, code);
      if (this.stopped) return;
      if (code === CLOSE_CODES.unauthorized) this.token = undefined;
      // As the real agent: an expired token on an open connection is fetched anew at once.
      this.scheduleReconnect(code === CLOSE_CODES.unauthorized && wasOpen ? 0 : this.nextBackoff());
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.ws?.terminate();
  }

  private send(entry: Entry): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    entry.sentAtMs = performance.now();
    ws.send(
      entry.kind === 'report'
        ? reportFrame(this.hostId, this.hostname, entry.seq, entry.profile, entry.trigger)
        : unchangedFrame(this.hostId, entry.seq),
    );
  }

  private onMessage(data: Buffer): void {
    const decoded = decodeMessage(data, 'server');
    if (!decoded.ok || decoded.message.type !== 'ack') return;
    const { seq } = decoded.message.payload;
    const now = performance.now();
    while (this.outbox.length > 0 && this.outbox[0]!.seq <= seq) {
      const entry = this.outbox.shift()!;
      if (entry.seq === seq && entry.sentAtMs !== undefined)
        this.hooks.onAck(this, seq, now - entry.sentAtMs);
    }
    if (seq > this.ackedSeq) this.ackedSeq = seq;
  }

  private nextBackoff(): number {
    return backoffDelayMs(this.attempt++, {
      baseMs: AGENT_DEFAULTS.reconnectBaseSeconds * 1000,
      capMs: AGENT_DEFAULTS.reconnectCapSeconds * 1000,
    });
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.stopped) return;
    this.reconnectTimer = setTimeout(() => void this.connect(), delayMs);
  }
}
