// Decides when the agent scans: on an interval, when asked (package change, server request),
// never two scans at once. A request that arrives during a scan is remembered (only one, the
// most important trigger wins) and runs right after, because the running scan may already have
// read the files that have changed since. The interval timer counts from the end of the last
// scan and is unref()'d: it never keeps the process alive on its own.
import type { AgentLogger } from './agent-logger.js';
import type { Trigger } from './outbox.js';

export interface ScanSchedulerOptions {
  intervalMs: number;
  runScan: (trigger: Trigger) => Promise<void>;
  logger: AgentLogger;
}

/** Higher wins when requests are coalesced: the server's reason is the most informative. */
const PRIORITY: Record<Trigger, number> = {
  interval: 0,
  'package-change': 1,
  startup: 2,
  'server-request': 3,
  /** A rollout step waits for it: its seq is the step's evidence. */
  'post-step': 4,
};

export class ScanScheduler {
  private running: Promise<void> | undefined;
  private pending: Trigger | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ScanSchedulerOptions) {}

  /** Starts the interval; the first scheduled scan comes one interval from now. */
  start(): void {
    this.armInterval();
  }

  /** Asks for a scan; returns once the scan that will cover this request has finished. */
  request(trigger: Trigger): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      if (this.pending === undefined || PRIORITY[trigger] > PRIORITY[this.pending]) this.pending = trigger;
      // Resolves after the current scan and the follow-up it leads to.
      return this.running.then(() => this.running ?? undefined);
    }
    this.running = this.loop(trigger);
    return this.running;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Stops scheduling; waits for a scan in progress to finish writing its report. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = undefined;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private async loop(first: Trigger): Promise<void> {
    let trigger: Trigger | undefined = first;
    if (this.timer) clearTimeout(this.timer);
    while (trigger !== undefined && !this.stopped) {
      const started = Date.now();
      try {
        await this.options.runScan(trigger);
      } catch (err) {
        this.options.logger.error({ err, trigger }, 'scan failed');
      }
      this.options.logger.debug({ trigger, ms: Date.now() - started }, 'scan finished');
      trigger = this.pending;
      this.pending = undefined;
    }
    this.running = undefined;
    this.armInterval();
  }

  private armInterval(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.onInterval, this.options.intervalMs);
    this.timer.unref();
  }

  private readonly onInterval = (): void => {
    void this.request('interval');
  };
}
