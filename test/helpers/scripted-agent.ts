// A scripted agent for rollout tests and benchmarks: a real WebSocket to a real app, speaking the
// protocol (hello, report, step-status). It answers each `step` with accepted → running →
// a post-step report (the "after" report, trigger post-step) → succeeded with the report's seq as
// evidence, or with `failed` when told to fail that host. It stands in for the agent's executor
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
}

export class ScriptedAgent {
  ws: WebSocket | undefined;
  seq = 0;
  readonly stepsReceived: StepPayload[] = [];
  /** Step ids executed (the real agent's journal: each at most once). */
  readonly executed = new Set<string>();
  private latest = new Map<string, StepStatusPayload>();

  constructor(readonly options: ScriptedAgentOptions) {}

  async connect(bootId = 'boot-1'): Promise<void> {
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
        kernelRelease: this.options.before.kernel.runningRelease,
        hostname: this.options.hostname,
        lastAckedSeq: this.seq,
      }),
    );
  }

  sendReport(report: ScanReport, trigger: 'startup' | 'post-step' = 'startup'): number {
    this.seq += 1;
    this.ws?.send(encodeMessage('report', { hostId: this.options.hostId, seq: this.seq, trigger, report }));
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
    if (this.options.fail) {
      this.status(step.stepId, 'failed', 'restart failed: exit 1');
      return;
    }
    const reportSeq = this.sendReport(this.options.after, 'post-step');
    this.status(step.stepId, 'succeeded', 'done', {
      evidence: {
        reportSeq,
        operations: step.operations.map((o) => ({ what: o.kind, ok: true, detail: '' })),
        healthChecks: step.healthChecks.map((c) => ({ what: c.kind, ok: true, detail: 'green' })),
      },
    });
  }
}
