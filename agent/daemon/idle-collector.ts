// After a scan the agent goes back to waiting (an hour by default) while still holding the
// scan's garbage: V8 hands that memory back only once its memory reducer sees the process idle,
// ~25 s later (measured: 66 -> 53 MiB RSS, bench/agent-idle.ts). With --expose-gc among the
// agent's Node flags (agent-node-flags.ts) the daemon runs one full collection shortly after
// each scan instead, once the report has been handed to the connection: about 10 ms of CPU per
// scan. Without the flag (the agent started by hand with plain node) this does nothing.
export type CollectGarbage = () => void;

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly collect: CollectGarbage | undefined = (globalThis as { gc?: CollectGarbage }).gc,
  ) {}

  /** Collects `delayMs` from now; calls made meanwhile push it back (one collection per burst). */
  schedule(): void {
    if (!this.collect) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.collect?.();
    }, this.delayMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
