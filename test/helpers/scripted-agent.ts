// A scripted agent for rollout tests and benchmarks: a real WebSocket to a real app, speaking the
// protocol (hello, report, step-status). It answers each `step` with accepted → running →
// a post-step report (the "after" report, trigger post-step) → succeeded with the report's seq as
// evidence, or with `failed` when told to fail that host. A reboot step closes the connection,
// reconnects as the host after its reboot (`rebootInto`: boot id and kernel in the new hello),
// then sends the post-step report and `succeeded`. It stands in for the agent's executor
// (systemctl, reboot are the true boundary); the server side under test is entirely real.
import WebSocket from 'ws';
import type { StepPayload, StepStatusPayload } from '../../shared/agent-protocol.js';
import { encodeMessage } from '../../shared/protocol-codec.js';
import type { ScanReport } from '../../shared/scan-report.js';
import { agentAuth } from './server-app.js';

export interface ScriptedAgentOptions {
  baseUrl: string;
  hostId: string;
  hostname: string;
  /** The report sent at connect (what the host needs). */
  before: ScanReport;
  /** The post-step report (the fix took). */
  after: ScanReport;
  /** Answer steps with `failed`. */
  fail?: boolean;
  /** Do not answer steps at all (to test re-sending on reconnect). */
  silent?: boolean;
  /**
   * What a reboot step comes back as: the hello's boot id and kernel, and the boot id the agent
   * claims in its evidence (default: the hello's). Default: a new boot id, the newest kernel.
   */
  rebootInto?: { bootId: string; kernelRelease: string; claimedBootId?: string };
  /** Milliseconds each step takes before its outcome (benchmarks: realistic durations). */
  stepMs?: number;
}

export class ScriptedAgent {
  ws: WebSocket | undefined;
  seq = 0;
  bootId = 'boot-1';
  kernelRelease: string;
  readonly stepsReceived: StepPayload[] = [];
  /** Step ids executed (the real agent's journal: each at most once). */
  readonly executed = new Set<string>();
  private latest = new Map<string, StepStatusPayload>();

  constructor(readonly options: ScriptedAgentOptions) {
    this.kernelRelease = options.before.kernel.runningRelease;
  }

  async connect(bootId = this.bootId): Promise<void> {
    this.bootId = bootId;
    const url = `${this.options.baseUrl.replace('http', 'ws')}/api/v1/agent/ws`;
    const ws = new WebSocket(url, { headers: { authorization: agentAuth(this.options.hostId) } });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data) => this.onMessage(JSON.parse(String(data))));
    ws.send(
      encodeMessage('hello', {
        hostId: this.options.hostId,
        agentVersion: 'scripted',
        bootId,
        kernelRelease: this.kernelRelease,
        hostname: this.options.hostname,
        lastAckedSeq: this.seq,
      }),
    );
  }

  sendReport(report: ScanReport, trigger: 'startup' | 'post-step' = 'startup'): number {
    this.seq += 1;
    // A real agent's report carries the boot it was made in (the server stores it as the host's).
    const stamped = { ...report, host: { ...report.host, bootId: this.bootId } };
    this.ws?.send(
      encodeMessage('report', { hostId: this.options.hostId, seq: this.seq, trigger, report: stamped }),
    );
    return this.seq;
  }

  close(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
    });
  }

  private status(
    stepId: string,
    state: StepStatusPayload['state'],
    message: string,
    extra: Partial<StepStatusPayload> = {},
  ) {
    const payload: StepStatusPayload = { stepId, state, message, at: new Date().toISOString(), ...extra };
    this.latest.set(stepId, payload);
    this.ws?.send(encodeMessage('step-status', payload));
  }

  private onMessage(frame: { type: string; payload: unknown }): void {
    if (frame.type !== 'step') return;
    const step = frame.payload as StepPayload;
    this.stepsReceived.push(step);
    if (this.options.silent) return;
    const previous = this.latest.get(step.stepId);
    if (previous) {
      // De-duplicated by stepId: never executed twice, the latest status is sent again.
      this.ws?.send(encodeMessage('step-status', previous));
      return;
    }
    this.executed.add(step.stepId);
    this.status(step.stepId, 'accepted', 'accepted');
    this.status(step.stepId, 'running', 'running');
    const finish = () => {
      if (this.options.fail) {
        this.status(step.stepId, 'failed', 'restart failed: exit 1');
        return;
      }
      if (step.operations.some((o) => o.kind === 'reboot')) {
        void this.reboot(step).catch(() => {});
        return;
      }
      this.succeed(step, {});
    };
    if (this.options.stepMs) setTimeout(finish, this.options.stepMs);
    else finish();
  }

  private succeed(step: StepPayload, extra: NonNullable<StepStatusPayload['evidence']>): void {
    const reportSeq = this.sendReport(this.options.after, 'post-step');
    this.status(step.stepId, 'succeeded', 'done', {
      evidence: {
        ...extra,
        reportSeq,
        operations: step.operations.map((o) => ({ what: o.kind, ok: true, detail: '' })),
        healthChecks: step.healthChecks.map((c) => ({ what: c.kind, ok: true, detail: 'green' })),
      },
    });
  }

  /** The host goes down (the connection closes) and comes back as `rebootInto` says. */
  private async reboot(step: StepPayload): Promise<void> {
    const before = this.bootId;
    const into = this.options.rebootInto ?? {
      bootId: `${before}-next`,
      kernelRelease: this.options.before.kernel.newestInstalled ?? this.kernelRelease,
    };
    await this.close();
    this.kernelRelease = into.kernelRelease;
    await this.connect(into.bootId);
    this.succeed(step, {
      bootIdBefore: before,
      bootIdAfter: into.claimedBootId ?? into.bootId,
      kernelRelease: into.kernelRelease,
    });
  }
}
