// `afterpatch agent` as a long-running service: wires the scanner, the outbox, the scan
// scheduler, the package-database watcher and the server connection together, and takes them
// apart again in stop(). Scans start at once, even before the first enrolment has succeeded
// (the outbox keeps them); the connection starts once the host has a credential.
import { CLOSE_CODES } from '../../shared/agent-protocol.js';
import { decodeMessage, encodeMessage } from '../../shared/protocol-codec.js';
import { reportFingerprint } from '../../shared/report-fingerprint.js';
import type { ScanReport } from '../../shared/scan-report.js';
import { readBootId } from '../executor/boot-id.js';
import { buildExecutorConfig, type ExecutorConfig } from '../executor/executor-config.js';
import { StepExecutor } from '../executor/step-executor.js';
import { StepJournal } from '../executor/step-journal.js';
import { AgentConnection } from './agent-connection.js';
import { AgentError } from './agent-errors.js';
import type { AgentLogger } from './agent-logger.js';
import type { AgentOptions } from './agent-options.js';
import { backoffDelayMs } from './backoff.js';
import { type AgentCredentials, prepareStateDir } from './credentials-store.js';
import { assertEnrollable, ensureEnrolled } from './ensure-enrolled.js';
import type { HostIdentity } from './host-identity.js';
import { IdleCollector } from './idle-collector.js';
import { Outbox, type Trigger } from './outbox.js';
import { PackageWatcher, type WatchTarget } from './package-watcher.js';
import { RESCAN_REQUEST_FILE, rescanWatchTarget } from './rescan-request.js';
import { ScanScheduler } from './scan-scheduler.js';
import { TokenSource } from './token-source.js';

/** Several hook runs in a row (apt runs Post-Invoke once per dpkg call) make one scan. */
const RESCAN_DEBOUNCE_MS = 500;
/** After a scan, time for its report to be sent before the garbage is collected. */
const COLLECT_AFTER_SCAN_MS = 2000;

export interface AgentDaemonDeps {
  /** One scan of the host (scanHost with the daemon's ScanMemory, in production). */
  scan: () => Promise<ScanReport>;
  logger: AgentLogger;
  identity: HostIdentity;
  /** Default: the dpkg and rpm databases. */
  packageWatchTargets?: readonly WatchTarget[];
  /** What rollout steps may do on this host (the config file's `executor` section). */
  executor?: ExecutorConfig;
  random?: () => number;
}

export interface AgentDaemon {
  readonly outbox: Outbox;
  /** Resolves with the process exit code: 0 after stop(), 1 after a fatal error. */
  readonly done: Promise<number>;
  /** Runs a scan (coalesced with one in progress) and queues its result. */
  scanNow(trigger: Trigger): Promise<void>;
  /** The server connection, once the host is enrolled. */
  connection(): AgentConnection | undefined;
  readonly steps: StepExecutor;
  /** Finishes the scan in progress, closes the socket with 1001, stops every timer. */
  stop(): Promise<void>;
}

/** Validates, stores and queues one scan result; returns the seq and whether it was `unchanged`. */
export function queueScanResult(
  outbox: Outbox,
  report: ScanReport,
  trigger: Trigger,
  logger: AgentLogger,
): { seq: number; unchanged: boolean } | undefined {
  const fingerprint = reportFingerprint(report);
  // Startup and server-requested scans always send the whole report: the server may have lost
  // or never had the previous one. Only routine scans collapse to `unchanged`.
  const mayCollapse = trigger === 'interval' || trigger === 'package-change';
  if (mayCollapse && fingerprint === outbox.expectedServerFingerprint()) {
    const seq = outbox.add({ type: 'unchanged', scannedAt: report.scan.startedAt });
    return { seq, unchanged: true };
  }
  // The server validates every frame with the same codec and closes the connection on an
  // invalid one; a report it would refuse must never enter the outbox, or it would be resent
  // (and refused) forever.
  const check = decodeMessage(
    encodeMessage('report', { hostId: 'validation', seq: outbox.lastSeq + 1, trigger, report }),
    'agent',
  );
  if (!check.ok) {
    logger.error(
      { reason: check.reason, closeCode: check.closeCode },
      'scan report fails the protocol; not sent',
    );
    return undefined;
  }
  const seq = outbox.add({ type: 'report', trigger, fingerprint, report });
  return { seq, unchanged: false };
}

/**
 * The start of every agent run, daemon or --once: the state directory, the enrolment check (an
 * insecure credentials file or a missing enrolment token stops the agent before anything runs)
 * and the outbox.
 */
export function openAgentState(options: AgentOptions, logger: AgentDaemonDeps['logger']): Outbox {
  prepareStateDir(options.stateDir);
  assertEnrollable(options.stateDir, options.serverUrl, options.enrollToken);
  return Outbox.open({
    dir: `${options.stateDir}/outbox`,
    maxReports: options.outboxMaxReports,
    maxBytes: options.outboxMaxBytes,
    logger: logger.child({ module: 'outbox' }),
  });
}

/** Enrols with the server unless the state directory already holds this host's credential. */
export function enrolIfNeeded(options: AgentOptions, deps: AgentDaemonDeps) {
  return ensureEnrolled({
    stateDir: options.stateDir,
    serverUrl: options.serverUrl,
    enrollToken: options.enrollToken,
    identity: deps.identity,
    timeoutMs: options.requestTimeoutSeconds * 1000,
    logger: deps.logger,
  });
}

/** The connection's timers, from the options (which name them in seconds). */
export function connectionTimings(options: AgentOptions) {
  return {
    reconnectBaseMs: options.reconnectBaseSeconds * 1000,
    reconnectCapMs: options.reconnectCapSeconds * 1000,
    stableConnectionMs: options.stableConnectionSeconds * 1000,
    heartbeatTimeoutMs: options.heartbeatTimeoutSeconds * 1000,
    handshakeTimeoutMs: options.requestTimeoutSeconds * 1000,
  };
}

export async function startAgentDaemon(options: AgentOptions, deps: AgentDaemonDeps): Promise<AgentDaemon> {
  const { logger } = deps;
  const outbox = openAgentState(options, logger);

  let connection: AgentConnection | undefined;
  let credentials: AgentCredentials | undefined;
  let stopping = false;
  let enrolTimer: NodeJS.Timeout | undefined;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  // The seq of the latest post-step scan, read by the executor once its request has finished.
  let postStepSeq: number | undefined;
  const collector = new IdleCollector(COLLECT_AFTER_SCAN_MS);
  const runScan = async (trigger: Trigger): Promise<void> => {
    const started = Date.now();
    const report = await deps.scan();
    const queued = queueScanResult(outbox, report, trigger, logger);
    if (!queued) return;
    if (trigger === 'post-step') postStepSeq = queued.seq;
    logger.info(
      {
        trigger,
        seq: queued.seq,
        unchanged: queued.unchanged,
        status: report.status,
        staleProcesses: report.processes.length,
        ms: Date.now() - started,
        pending: outbox.size,
      },
      'scan queued',
    );
    connection?.notify();
    collector.schedule();
  };
  const scheduler = new ScanScheduler({
    intervalMs: options.scanIntervalSeconds * 1000,
    runScan,
    logger: logger.child({ module: 'scheduler' }),
  });
  const watcher = new PackageWatcher({
    ...(deps.packageWatchTargets ? { targets: deps.packageWatchTargets } : {}),
    debounceMs: options.packageChangeDebounceSeconds * 1000,
    pollMs: options.packagePollSeconds * 1000,
    onChange: () => void scheduler.request('package-change'),
    logger: logger.child({ module: 'package-watcher' }),
  });

  // `afterpatch rescan` (the package-manager hooks) touches a file in the state directory. A
  // short debounce: the hook runs once the transaction is over, so the scan should follow at once.
  const rescanWatcher = new PackageWatcher({
    targets: [rescanWatchTarget(options.stateDir)],
    debounceMs: RESCAN_DEBOUNCE_MS,
    pollMs: options.packagePollSeconds * 1000,
    onChange: () => void scheduler.request('package-change'),
    logger: logger.child({ module: 'rescan-watcher' }),
    changeMessage: `rescan requested (${RESCAN_REQUEST_FILE})`,
  });

  const executorConfig = deps.executor ?? buildExecutorConfig();
  const steps = new StepExecutor({
    config: executorConfig,
    journal: StepJournal.open({
      dir: `${options.stateDir}/steps`,
      maxEntries: executorConfig.journalMaxEntries,
      maxAgeDays: executorConfig.journalMaxAgeDays,
      logger: logger.child({ module: 'step-journal' }),
    }),
    readBootId: () => readBootId(options.bootIdFile),
    kernelRelease: deps.identity.kernelRelease,
    send: (status) => connection?.sendStepStatus(status),
    postStepScan: async () => {
      postStepSeq = undefined;
      await scheduler.request('post-step');
      return postStepSeq;
    },
    logger,
  });

  const connect = (stored: AgentCredentials): void => {
    credentials = stored;
    const tokens = new TokenSource({
      credentials: () => credentials!,
      timeoutMs: options.requestTimeoutSeconds * 1000,
    });
    connection = new AgentConnection({
      wsUrl: options.wsUrl,
      hostId: () => credentials!.hostId,
      identity: deps.identity,
      tokens,
      outbox,
      logger,
      ...connectionTimings(options),
      onScanRequest: () => void scheduler.request('server-request'),
      onStep: (step) => steps.handleStep(step),
      onConnected: () => {
        for (const status of steps.statusesToResend()) connection?.sendStepStatus(status);
      },
      ...(deps.random ? { random: deps.random } : {}),
    });
    connection.start();
  };

  let enrolAttempt = 0;
  const enrol = async (): Promise<void> => {
    if (stopping) return;
    try {
      const stored = await enrolIfNeeded(options, deps);
      if (!stopping) connect(stored);
    } catch (err) {
      if (err instanceof AgentError && err.code === 'AP_AGENT_SERVER_UNREACHABLE') {
        const delayMs = backoffDelayMs(enrolAttempt++, {
          baseMs: options.reconnectBaseSeconds * 1000,
          capMs: options.reconnectCapSeconds * 1000,
          ...(deps.random ? { random: deps.random } : {}),
        });
        logger.warn({ err, retryInMs: delayMs }, 'enrolment failed; retrying');
        enrolTimer = setTimeout(() => void enrol(), delayMs);
        enrolTimer.unref();
        return;
      }
      logger.error({ err, code: (err as AgentError).code }, 'cannot enrol; stopping');
      void stop().then(() => finish(1));
    }
  };

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (enrolTimer) clearTimeout(enrolTimer);
    collector.stop();
    watcher.stop();
    rescanWatcher.stop();
    // Not awaited to the end: a hook or restart in progress must not hold up SIGTERM. A step
    // cut off here is failed (never repeated) by the next start.
    const executing = steps.stop();
    await scheduler.stop();
    await connection?.stop();
    void executing;
    logger.info({ pending: outbox.size, closeCode: CLOSE_CODES.goingAway }, 'agent stopped');
  };

  watcher.start();
  rescanWatcher.start();
  logger.info(
    {
      server: options.serverUrl,
      stateDir: options.stateDir,
      scanIntervalSeconds: options.scanIntervalSeconds,
      watch: watcher.mode,
      watchedDirs: watcher.watchedDirs,
      rescanWatch: rescanWatcher.mode,
      pending: outbox.size,
      lastSeq: outbox.lastSeq,
    },
    'agent started',
  );
  scheduler.start();
  void scheduler.request('startup');
  steps.resume();
  void enrol();

  return {
    outbox,
    done,
    scanNow: (trigger) => scheduler.request(trigger),
    connection: () => connection,
    steps,
    stop: async () => {
      await stop();
      finish(0);
    },
  };
}
