// Runs rollouts: reacts at once to agent events (hello, step-status, stored report, disconnect)
// and to operator changes, plus a periodic tick for timeouts, windows, delays and approvals. Every
// decision is the pure decideDispatch/verifyStep on state freshly read from the database; every
// effect is a conditional transition (transitions.ts) committed BEFORE the agent is told, so a
// crash at any moment leaves either a pending step (dispatched later) or a dispatched one (re-sent
// on the agent's next hello or when this instance becomes leader; the agent de-duplicates by
// stepId). All work runs one job at a time in this process; the leader lock keeps other
// instances out of deciding and dispatching.
//
// With several server instances every one runs this executor, but only the lock holder decides.
// Steps reach agents connected anywhere (`deliver`: the cluster forwards them); whichever
// instance holds an agent's connection ingests its step-status and reports, verifies and settles
// (all from the database, guarded by conditional transitions) and re-sends its unsettled steps on
// hello. A non-leader that sees something change announces it to the other instances so the
// leader decides at once instead of at its next tick; the tick is also when non-leaders try to
// take the lock, which is how a dead leader is replaced.
import type { StepPayload, StepStatusPayload } from '../../shared/agent-protocol.js';
import type { RecordedStepEvidence } from '../../shared/api/rollouts.js';
import type { HostNeeds } from '../../shared/rollout-plan.js';
import type { ScanReport } from '../../shared/scan-report.js';
import type { AgentGateway } from '../agents/agent-gateway.js';
import { SYSTEM_ACTOR } from '../audit/record-audit.js';
import type { PrismaClient } from '../db/generated/client.js';
import type { EventBus } from '../events/event-bus.js';
import type { Notification, Notifier } from '../notify/webhook-notifier.js';
import { decideDispatch, type Hold } from './decide-dispatch.js';
import type { LeaderLock } from './leader-lock.js';
import { loadExecutorState } from './load-executor-state.js';
import { markDispatched, recordAgentStatus, settleStep, transitionRollout } from './transitions.js';
import { verifyStep } from './verify-step.js';

export interface ExecutorLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/** Where a step went (cluster-plugin.ts Delivery): this instance's connection, another instance, nowhere. */
export type StepDelivery = 'local' | 'forwarded' | 'offline';

export interface ExecutorOptions {
  prisma: PrismaClient;
  /** This instance's agent connections (re-sends after hello, which hosts are connected here). */
  agents: AgentGateway;
  /** Sends a step to the host wherever its agent is connected (app.cluster.deliverToHost). */
  deliver: (hostId: string, step: StepPayload) => Promise<StepDelivery>;
  /** Wakes the other instances' executors (app.cluster.announceRolloutsChanged); none with one instance. */
  announce?: () => Promise<void>;
  events: EventBus;
  notifier: Notifier;
  leader: LeaderLock;
  log: ExecutorLog;
  tickMs: number;
  now?: () => Date;
}

export class RolloutExecutor {
  /** Why each pending step of a running rollout waits, as of the last decision. */
  holds: Hold[] = [];
  private chain: Promise<void> = Promise.resolve();
  private kickQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Array<() => void> = [];
  private stopped = false;
  private wasLeader = false;
  private announcing: Promise<void> | undefined;
  private announceAgain = false;
  private readonly now: () => Date;
  /**
   * Hosts connected here whose agent said `succeeded` for a step not yet verified: only their
   * reports can be the evidence a step waits for. Without this set every report of a 10,000-host
   * fleet cost a query. Filled from the statuses this instance receives and, on hello, from the
   * database; a host leaves it when reverify finds nothing left to verify.
   */
  private readonly awaitingEvidence = new Set<string>();

  constructor(private readonly o: ExecutorOptions) {
    this.now = o.now ?? (() => new Date());
  }

  start(): void {
    const { events } = this.o;
    this.unsubscribe.push(
      events.on('agent.step-status', ({ hostId, status }) =>
        this.enqueue(() => this.onStepStatus(hostId, status)),
      ),
      // Checked in the job, not here: a step-status queued before this report must be recorded first.
      events.on('agent.report', ({ hostId }) =>
        this.enqueue(async () => {
          if (this.awaitingEvidence.has(hostId)) await this.reverify(hostId);
        }),
      ),
      events.on('agent.hello', ({ hostId }) => {
        this.enqueue(() => this.resendHere(hostId));
        this.kick();
        this.announce();
      }),
      events.on('agent.disconnected', ({ hostId }) => {
        // In the chain, after the jobs of this connection's last frames.
        this.enqueue(async () => {
          this.awaitingEvidence.delete(hostId);
        });
        this.kick();
        this.announce();
      }),
      events.on('rollout.changed', ({ reason }) => {
        if (reason !== 'executor') this.kick();
        // A settle on a non-leader (its agent's step-status) frees a slot only the leader fills.
        this.announce();
      }),
      events.on('cluster.rollouts-changed', () => this.kick()),
    );
    this.timer = setInterval(() => this.kick(), this.o.tickMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
    await this.chain;
    await this.announcing;
    await this.o.leader.release();
  }

  /** Whether this instance held the leader lock at its last attempt (it decides and dispatches). */
  get leading(): boolean {
    return this.o.leader.isLeader();
  }

  /** Resolves when every job queued so far is done (tests, benchmarks). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Schedules one decision round; rounds asked for while one is queued coalesce. */
  kick(): void {
    if (this.kickQueued || this.stopped) return;
    this.kickQueued = true;
    this.enqueue(async () => {
      this.kickQueued = false;
      await this.round();
    });
  }

  /**
   * Tells the other instances (so the leader) that something changed here. Only non-leaders do:
   * the leader reacts to its own events. Calls made while one is under way coalesce into one more.
   */
  private announce(): void {
    const { announce } = this.o;
    if (!announce || this.stopped || this.o.leader.isLeader()) return;
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = announce()
      .catch((err: unknown) => this.o.log.warn({ err }, 'could not wake the other server instances'))
      .finally(() => {
        this.announcing = undefined;
        if (this.announceAgain) {
          this.announceAgain = false;
          this.announce();
        }
      });
  }

  private enqueue(job: () => Promise<void>): void {
    if (this.stopped) return;
    this.chain = this.chain.then(job).catch((err: unknown) => {
      this.o.log.error({ err }, 'rollout executor job failed');
    });
  }

  private async round(): Promise<void> {
    const leader = await this.o.leader.acquire();
    if (!leader) {
      this.wasLeader = false;
      return;
    }
    if (!this.wasLeader) {
      this.wasLeader = true;
      // A new leader (first start, restart after a crash, takeover) re-sends every unsettled step:
      // the previous one may have died between marking a step dispatched and sending it.
      await this.resendAll();
    }
    const { prisma } = this.o;
    const state = await loadExecutorState(prisma, () => this.o.agents.connectedHostIds());
    const now = this.now();
    const decision = decideDispatch(state, now);
    this.holds = decision.holds;

    for (const id of decision.expireApproval) {
      if (
        await transitionRollout(prisma, {
          rolloutId: id,
          from: ['approved'],
          to: 'awaiting_approval',
          actor: SYSTEM_ACTOR,
          action: 'rollout.approval-expire',
          data: { approvalExpiresAt: null },
        })
      )
        await this.rolloutChanged(id);
    }
    for (const id of decision.start) {
      const started = await transitionRollout(prisma, {
        rolloutId: id,
        from: ['approved'],
        to: 'running',
        actor: SYSTEM_ACTOR,
        action: 'rollout.start',
        data: { startedAt: now },
      });
      if (started) await this.rolloutChanged(id, 'rollout.started', 'started');
    }
    for (const step of decision.timedOut) {
      await this.settle(step.id, 'failed', `no verified result within ${step.timeoutSec} s (timeout)`, {
        timeout: true,
      });
    }
    for (const step of decision.dispatch) await this.dispatch(step.id);
    for (const id of decision.complete) {
      const done = await transitionRollout(prisma, {
        rolloutId: id,
        from: ['running'],
        to: 'completed',
        actor: SYSTEM_ACTOR,
        action: 'rollout.complete',
        data: { finishedAt: now },
      });
      if (done) await this.rolloutChanged(id, 'rollout.finished', 'finished');
    }
  }

  private async dispatch(stepId: string): Promise<void> {
    const { prisma } = this.o;
    const step = await prisma.rolloutStep.findUniqueOrThrow({ where: { id: stepId } });
    const host = await prisma.host.findUnique({
      where: { id: step.hostId },
      select: { bootId: true, reportSeq: true, currentReport: { select: { report: true } } },
    });
    if (!host) return;
    const report = (host.currentReport?.report ?? null) as ScanReport | null;
    const expectedKernel = step.action === 'reboot' ? (report?.kernel.newestInstalled ?? null) : null;
    const ok = await markDispatched(prisma, {
      stepId,
      rolloutId: step.rolloutId,
      hostId: step.hostId,
      hostname: step.hostname,
      bootId: host.bootId,
      reportSeq: host.reportSeq,
      expectedKernel,
      now: this.now(),
    });
    if (!ok) return;
    // Committed first: if this send is lost (an instance died), the re-send on hello or by the next
    // leader, or the step's timeout, takes over.
    const delivery = await this.o.deliver(step.hostId, stepPayload(step));
    if (delivery === 'offline')
      this.o.log.info({ stepId, hostId: step.hostId }, 'step dispatched while its host is offline');
    this.stepChanged(step.rolloutId, stepId, step.hostId, step.hostname, 'dispatched');
  }

  /**
   * After a hello on THIS instance (leader or not): re-sends the host's unsettled steps over the new
   * connection, so a step whose delivery was lost reaches the agent wherever it reconnects.
   */
  private async resendHere(hostId: string): Promise<void> {
    const steps = await this.o.prisma.rolloutStep.findMany({ where: { hostId, state: 'dispatched' } });
    for (const step of steps) {
      if (step.agentState === 'succeeded') this.awaitingEvidence.add(hostId);
      this.o.agents.send(hostId, 'step', stepPayload(step));
    }
  }

  /** On becoming leader: re-sends every unsettled step to its host wherever it is connected. */
  private async resendAll(): Promise<void> {
    // Few: at most the hosts the groups' limits let out at once. Offline hosts get theirs on hello.
    const steps = await this.o.prisma.rolloutStep.findMany({ where: { state: 'dispatched' } });
    for (const step of steps) await this.o.deliver(step.hostId, stepPayload(step));
  }

  private async onStepStatus(hostId: string, status: StepStatusPayload): Promise<void> {
    const { prisma } = this.o;
    const step = await prisma.rolloutStep.findFirst({
      where: { id: isUuid(status.stepId) ? status.stepId : undefined, hostId },
      select: { id: true, rolloutId: true, hostname: true, state: true },
    });
    if (!step || !isUuid(status.stepId)) {
      this.o.log.warn({ hostId, stepId: status.stepId.slice(0, 64) }, 'step-status for an unknown step');
      return;
    }
    if (step.state !== 'dispatched') return; // settled already: a repeat after a reconnect
    await recordAgentStatus(prisma, step.id, {
      state: status.state,
      message: status.message,
      at: new Date(),
      evidence: status.evidence ?? {},
    });
    this.stepChanged(
      step.rolloutId,
      step.id,
      hostId,
      step.hostname,
      'dispatched',
      status.state,
      status.message,
    );
    await this.verify(step.id, status);
  }

  /** A stored report may be the evidence a succeeded step waits for. */
  private async reverify(hostId: string): Promise<void> {
    const steps = await this.o.prisma.rolloutStep.findMany({
      where: { hostId, state: 'dispatched', agentState: 'succeeded' },
    });
    if (steps.length === 0) this.awaitingEvidence.delete(hostId);
    for (const step of steps) {
      const evidence = (step.evidence as RecordedStepEvidence).agent;
      await this.verify(step.id, {
        stepId: step.id,
        state: 'succeeded',
        message: step.agentMessage ?? '',
        at: (step.agentAt ?? new Date()).toISOString(),
        ...(evidence ? { evidence } : {}),
      });
    }
  }

  private async verify(stepId: string, status: StepStatusPayload): Promise<void> {
    const { prisma } = this.o;
    const step = await prisma.rolloutStep.findUniqueOrThrow({ where: { id: stepId } });
    const host = await prisma.host.findUnique({
      where: { id: step.hostId },
      select: {
        bootId: true,
        kernelRelease: true,
        reportSeq: true,
        currentReport: { select: { report: true } },
      },
    });
    if (!host) return;
    const result = verifyStep(
      {
        action: step.action,
        needs: step.needs as HostNeeds,
        healthChecks: step.healthChecks as unknown[],
        bootIdAtDispatch: step.bootIdAtDispatch,
        expectedKernel: step.expectedKernel,
        reportSeqAtDispatch: step.reportSeqAtDispatch,
      },
      status,
      { ...host, report: (host.currentReport?.report ?? null) as ScanReport | null },
    );
    if (result.verdict === 'waiting') {
      if (status.state === 'succeeded') this.awaitingEvidence.add(step.hostId);
      return;
    }
    await this.settle(stepId, result.verdict, result.reason, {
      agent: status.evidence ?? {},
      agentState: status.state,
      agentMessage: status.message,
      checks: result.checks,
    });
  }

  private async settle(
    stepId: string,
    to: 'succeeded' | 'failed',
    reason: string,
    evidence: Omit<RecordedStepEvidence, 'verdict'>,
  ): Promise<void> {
    const { prisma } = this.o;
    const step = await prisma.rolloutStep.findUniqueOrThrow({
      where: { id: stepId },
      select: { rolloutId: true, hostId: true, hostname: true, evidence: true },
    });
    const merged: RecordedStepEvidence = {
      ...(step.evidence as RecordedStepEvidence),
      ...evidence,
      verdict: reason,
    };
    const result = await settleStep(prisma, {
      stepId,
      rolloutId: step.rolloutId,
      hostId: step.hostId,
      hostname: step.hostname,
      to,
      reason,
      evidence: merged,
      now: this.now(),
    });
    if (!result.settled) return;
    this.o.log.info({ stepId, hostId: step.hostId, to, reason }, 'rollout step settled');
    this.stepChanged(step.rolloutId, stepId, step.hostId, step.hostname, to, null, reason);
    if (to === 'failed') {
      await this.notify(step.rolloutId, 'rollout.step-failed', `step on ${step.hostname} failed: ${reason}`, {
        stepId,
        hostId: step.hostId,
      });
    }
    if (result.halted)
      await this.rolloutChanged(step.rolloutId, 'rollout.halted', 'halted: failure budget exceeded');
    else await this.rolloutChanged(step.rolloutId);
    // The slot this host held is free (or it failed): decide again now, not at the next tick.
    this.kick();
  }

  private async rolloutChanged(
    rolloutId: string,
    event?: Notification['event'],
    summary?: string,
  ): Promise<void> {
    const rollout = await this.o.prisma.rollout.findUnique({
      where: { id: rolloutId },
      select: { state: true, version: true, name: true, failures: true, haltReason: true },
    });
    if (!rollout) return;
    this.o.events.publish('rollout.changed', {
      rolloutId,
      state: rollout.state,
      version: rollout.version,
      reason: 'executor',
    });
    if (event && summary) {
      await this.notify(rolloutId, event, summary, {
        state: rollout.state,
        failures: rollout.failures,
        ...(rollout.haltReason ? { haltReason: rollout.haltReason } : {}),
      });
    }
  }

  private async notify(
    rolloutId: string,
    event: Notification['event'],
    summary: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    const rollout = await this.o.prisma.rollout.findUnique({
      where: { id: rolloutId },
      select: { name: true },
    });
    this.o.notifier.notify({
      event,
      rolloutId,
      rolloutName: rollout?.name ?? rolloutId,
      summary: `${rollout?.name ?? rolloutId}: ${summary}`,
      details,
      at: this.now().toISOString(),
    });
  }

  private stepChanged(
    rolloutId: string,
    stepId: string,
    hostId: string,
    hostname: string,
    state: string,
    agentState?: string | null,
    message?: string | null,
  ): void {
    this.o.events.publish('step.changed', {
      rolloutId,
      stepId,
      hostId,
      hostname,
      state,
      agentState,
      message,
    });
  }
}

export function stepPayload(step: {
  id: string;
  rolloutId: string;
  operations: unknown;
  hooks: boolean;
  healthChecks: unknown;
  holdSec: number;
  timeoutSec: number;
}): StepPayload {
  return {
    stepId: step.id,
    rolloutId: step.rolloutId,
    operations: step.operations as StepPayload['operations'],
    hooks: step.hooks,
    healthChecks: step.healthChecks as StepPayload['healthChecks'],
    holdSec: step.holdSec,
    timeoutSec: step.timeoutSec,
  };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
