// Executes rollout steps on this host, at most once each, and reports every state change with
// evidence. The flow of one step:
//   accepted (policy allows it) → running: pre hooks, operations → verifying: post hooks, the
//   post-step scan (its seq is evidence), health checks held green → succeeded | failed.
// A reboot splits the flow across two boots: `rebooting` is journalled with the boot id BEFORE
// `systemctl reboot`; the next agent start (resume()) compares boot ids and verifies there. Steps
// run one after another, never in parallel. Every state is in the journal before it is sent, so
// a status lost with a connection is sent again on the next one.
import type { StepEvidence, StepPayload, StepStatusPayload } from '../../shared/agent-protocol.js';
import type { AgentLogger } from '../daemon/agent-logger.js';
import { buildOperationArgv } from './build-argv.js';
import type { ExecutorConfig, HostCommand } from './executor-config.js';
import { runHealthChecks } from './health-checks.js';
import { type CommandOutcome, runCommand } from './run-command.js';
import { FINAL_STATES, type JournalEntry, type StepJournal } from './step-journal.js';
import { checkStepPolicy } from './step-policy.js';

export interface StepExecutorOptions {
  config: ExecutorConfig;
  journal: StepJournal;
  /** The current boot id (re-read each time: the harness and the kernel change it on reboot). */
  readBootId: () => string;
  kernelRelease: string;
  /** Hands a status to the connection (which drops it when disconnected). */
  send: (status: StepStatusPayload) => void;
  /** Runs a scan with trigger 'post-step' and returns its outbox seq. */
  postStepScan: () => Promise<number | undefined>;
  logger: AgentLogger;
  now?: () => number;
  /** Settled statuses younger than this are re-sent on every new connection. Default 1 h. */
  resendSettledMs?: number;
}

const MESSAGE_MAX = 1024;

export class StepExecutor {
  private queue: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private readonly log: AgentLogger;

  constructor(private readonly options: StepExecutorOptions) {
    this.log = options.logger.child({ module: 'executor' });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** A `step` from the server: run it if new, else re-send its latest status. */
  handleStep(step: StepPayload): void {
    const known = this.options.journal.get(step.stepId);
    if (known) {
      this.log.info({ stepId: step.stepId, state: known.state }, 'step already known; status re-sent');
      this.options.send(statusOf(known));
      return;
    }
    const verdict = checkStepPolicy(step, this.options.config);
    const receivedAt = new Date(this.now()).toISOString();
    const entry: JournalEntry = {
      stepId: step.stepId,
      step,
      state: verdict.allowed ? 'accepted' : 'refused',
      message: verdict.allowed ? 'accepted' : verdict.reason,
      at: receivedAt,
      receivedAt,
      deadlineMs: this.now() + step.timeoutSec * 1000,
      bootIdBefore: this.options.readBootId(),
      evidence: { bootIdBefore: this.options.readBootId(), kernelRelease: this.options.kernelRelease },
    };
    this.record(entry);
    if (!verdict.allowed) {
      this.log.warn({ stepId: step.stepId, reason: verdict.reason }, 'step refused by local policy');
      return;
    }
    this.enqueue(() => this.execute(entry));
  }

  /**
   * At agent start: finish what a previous run left. A step journalled as `rebooting` is
   * verified if the boot id changed; any other unsettled step was cut off mid-way and fails
   * (running it again could repeat an operation that already happened).
   */
  resume(): void {
    for (const entry of this.options.journal.all()) {
      if (FINAL_STATES.has(entry.state)) continue;
      if (entry.state === 'rebooting') {
        this.resumeReboot(entry);
        continue;
      }
      this.settle(entry, 'failed', `the agent stopped while the step was ${entry.state}; not repeated`);
    }
  }

  /** Statuses to send on a new connection: every unsettled step, and recently settled ones. */
  statusesToResend(): StepStatusPayload[] {
    const window = this.options.resendSettledMs ?? 3_600_000;
    return this.options.journal
      .all()
      .filter((e) => !FINAL_STATES.has(e.state) || this.now() - Date.parse(e.at) <= window)
      .map(statusOf);
  }

  /**
   * Stops timers and health-check loops; resolves when the step in progress has ended (a
   * command already started runs to its own time limit). A step cut off here is failed by the
   * next start (resume()), never repeated.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.queue;
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: unknown) => {
      this.log.error({ err }, 'step execution failed unexpectedly');
    });
  }

  private async execute(entry: JournalEntry): Promise<void> {
    if (this.abort.signal.aborted) return;
    const { step } = entry;
    this.transition(entry, 'running', 'running');
    if (step.hooks) {
      const hooks = await this.runHooks(entry, 'pre', this.options.config.preHooks);
      if (!hooks) return;
    }
    const rebootRequested = step.operations.some((op) => op.kind === 'reboot');
    const operations: CommandOutcome[] = [];
    for (const operation of step.operations) {
      const line = buildOperationArgv(operation, this.options.config);
      if (rebootRequested && operation.kind !== 'reboot') {
        // The reboot restarts everything; restarting units first would only add downtime.
        operations.push({ what: line.what, ok: true, detail: 'covered by the reboot' });
        continue;
      }
      if (operation.kind === 'reboot') {
        entry.evidence = { ...entry.evidence, operations: [...operations] };
        // Journalled before the command: after the reboot the next start must know what it sees.
        this.transition(entry, 'rebooting', 'systemctl reboot issued; waiting for the next boot');
        const outcome = await runCommand({
          ...line,
          timeoutMs: this.remainingMs(entry, this.options.config.operationTimeoutSeconds),
        });
        operations.push(outcome);
        entry.evidence = { ...entry.evidence, operations: [...operations] };
        if (!outcome.ok) {
          this.settle(entry, 'failed', `reboot command failed: ${outcome.detail}`);
          return;
        }
        this.options.journal.put(entry);
        this.armRebootDeadline(entry);
        return;
      }
      if (entry.deadlineMs <= this.now()) {
        entry.evidence = { ...entry.evidence, operations };
        this.settle(entry, 'failed', `timeout before ${line.what}`);
        return;
      }
      const outcome = await runCommand({
        ...line,
        timeoutMs: this.remainingMs(entry, this.options.config.operationTimeoutSeconds),
      });
      operations.push(outcome);
      this.log.info({ stepId: step.stepId, what: outcome.what, ok: outcome.ok }, 'operation done');
      if (!outcome.ok) {
        entry.evidence = { ...entry.evidence, operations };
        // Post hooks (undrain) are NOT run: a host whose restart failed stays out of rotation.
        this.settle(entry, 'failed', `${outcome.what} failed: ${outcome.detail}`);
        return;
      }
    }
    entry.evidence = { ...entry.evidence, operations };
    await this.verify(entry);
  }

  private resumeReboot(entry: JournalEntry): void {
    const bootId = this.options.readBootId();
    if (bootId !== entry.bootIdBefore) {
      this.log.info({ stepId: entry.stepId, bootIdBefore: entry.bootIdBefore, bootId }, 'back after reboot');
      entry.evidence = { ...entry.evidence, bootIdAfter: bootId, kernelRelease: this.options.kernelRelease };
      this.enqueue(() => this.verify(entry));
      return;
    }
    // Same boot: the agent was restarted but the host was not (yet) rebooted.
    this.options.send(statusOf(entry));
    this.armRebootDeadline(entry);
  }

  private armRebootDeadline(entry: JournalEntry): void {
    const check = (): void => {
      const current = this.options.journal.get(entry.stepId);
      if (current?.state !== 'rebooting') return;
      if (this.options.readBootId() !== current.bootIdBefore) return;
      this.settle(current, 'failed', 'the host did not reboot before the step timed out');
    };
    const delay = Math.max(0, entry.deadlineMs - this.now());
    if (delay === 0) {
      check();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      check();
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async verify(entry: JournalEntry): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.transition(entry, 'verifying', 'verifying');
    if (entry.step.hooks) {
      const hooks = await this.runHooks(entry, 'post', this.options.config.postHooks);
      if (!hooks) return;
    }
    let reportSeq: number | undefined;
    try {
      reportSeq = await this.options.postStepScan();
    } catch (err) {
      this.log.error({ err, stepId: entry.stepId }, 'post-step scan failed');
    }
    if (reportSeq === undefined) {
      this.settle(entry, 'failed', 'the post-step scan produced no report');
      return;
    }
    entry.evidence = { ...entry.evidence, reportSeq };
    this.transition(
      entry,
      'verifying',
      `post-step scan queued as report ${reportSeq}; running health checks`,
    );
    const health = await runHealthChecks({
      checks: entry.step.healthChecks,
      holdSec: entry.step.holdSec,
      deadlineMs: entry.deadlineMs,
      config: this.options.config,
      signal: this.abort.signal,
      ...(this.options.now ? { now: this.options.now } : {}),
    });
    if (this.abort.signal.aborted) return;
    entry.evidence = { ...entry.evidence, healthChecks: health.outcomes.slice(0, 64) };
    if (!health.ok) {
      this.settle(entry, 'failed', health.message);
      return;
    }
    this.settle(entry, 'succeeded', health.message);
  }

  /** Runs hooks in order; on the first failure the step fails and false is returned. */
  private async runHooks(
    entry: JournalEntry,
    phase: 'pre' | 'post',
    hooks: readonly HostCommand[],
  ): Promise<boolean> {
    for (const hook of hooks) {
      const [file, ...args] = hook.argv;
      const outcome = await runCommand({
        file,
        args,
        what: `hook ${phase} ${hook.name}`,
        timeoutMs: this.remainingMs(entry, hook.timeoutSeconds),
      });
      entry.evidence = { ...entry.evidence, hooks: [...(entry.evidence.hooks ?? []), outcome].slice(-64) };
      this.options.journal.put(entry);
      if (!outcome.ok) {
        this.settle(entry, 'failed', `${outcome.what} failed: ${outcome.detail}`);
        return false;
      }
    }
    return true;
  }

  /** Time left for one command: its own limit, cut to what is left of the step. */
  private remainingMs(entry: JournalEntry, limitSeconds: number): number {
    return Math.max(1, Math.min(limitSeconds * 1000, entry.deadlineMs - this.now()));
  }

  private transition(entry: JournalEntry, state: JournalEntry['state'], message: string): void {
    entry.state = state;
    entry.message = message.slice(0, MESSAGE_MAX);
    entry.at = new Date(this.now()).toISOString();
    this.record(entry);
  }

  private settle(entry: JournalEntry, state: 'succeeded' | 'failed', message: string): void {
    this.log[state === 'succeeded' ? 'info' : 'warn']({ stepId: entry.stepId, message }, `step ${state}`);
    this.transition(entry, state, message);
  }

  /** Journal first, then the wire: what was sent is always what the journal holds. */
  private record(entry: JournalEntry): void {
    this.options.journal.put(entry);
    this.options.send(statusOf(entry));
  }
}

export function statusOf(entry: JournalEntry): StepStatusPayload {
  const evidence: StepEvidence = { ...entry.evidence };
  return { stepId: entry.stepId, state: entry.state, message: entry.message, at: entry.at, evidence };
}
