// The durable step journal: one file per step under <state-dir>/steps/, written atomically with
// mode 0600 at every state change, so a step is executed at most once whatever happens to the
// agent: a `step` whose id is in the journal is never run again, only its latest status is
// re-sent. The state is written BEFORE the work it announces (`running` before the first
// command, `rebooting` before `systemctl reboot`): after a crash the journal may claim work that
// never started, never hide work that did. The journal is bounded: settled entries beyond
// maxEntries or older than maxAgeDays are deleted (the server stops re-sending a step once it has
// its final status; an entry that old only protects against a very late duplicate).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StepEvidence, StepPayload, StepState } from '../../shared/agent-protocol.js';
import { compareNatural } from '../../shared/compare-natural.js';
import type { AgentLogger } from '../daemon/agent-logger.js';
import { TEMP_PREFIX, writeFileAtomic } from '../daemon/write-file-atomic.js';

export interface JournalEntry {
  stepId: string;
  step: StepPayload;
  state: StepState;
  message: string;
  /** When the latest status was produced (the status's `at`). */
  at: string;
  receivedAt: string;
  /** Epoch ms after which the step fails. */
  deadlineMs: number;
  bootIdBefore?: string;
  evidence: StepEvidence;
}

export const FINAL_STATES: ReadonlySet<StepState> = new Set(['refused', 'succeeded', 'failed']);

export interface StepJournalOptions {
  dir: string;
  maxEntries: number;
  maxAgeDays: number;
  logger: AgentLogger;
  now?: () => number;
}

const ENTRY_NAME = /^step-[0-9a-f]{40}\.json$/;

export class StepJournal {
  private readonly entries = new Map<string, JournalEntry>();

  private constructor(private readonly options: StepJournalOptions) {}

  static open(options: StepJournalOptions): StepJournal {
    const journal = new StepJournal(options);
    journal.recover();
    return journal;
  }

  get(stepId: string): JournalEntry | undefined {
    return this.entries.get(stepId);
  }

  all(): JournalEntry[] {
    return [...this.entries.values()].sort((a, b) => compareNatural(a.receivedAt, b.receivedAt));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stores the entry durably (replacing the step's previous one) before returning. */
  put(entry: JournalEntry): void {
    writeFileAtomic(this.pathFor(entry.stepId), JSON.stringify(entry), 0o600);
    this.entries.set(entry.stepId, entry);
    if (FINAL_STATES.has(entry.state)) this.prune();
  }

  private recover(): void {
    const { dir, logger } = this.options;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.startsWith(TEMP_PREFIX)) {
        // A write that never reached its rename: the entry keeps its previous state.
        rmSync(path, { force: true });
        continue;
      }
      if (!ENTRY_NAME.test(name)) continue;
      try {
        const entry = JSON.parse(readFileSync(path, 'utf8')) as JournalEntry;
        if (typeof entry.stepId !== 'string' || this.pathFor(entry.stepId) !== path || !entry.state) {
          throw new Error('entry does not match its file name');
        }
        this.entries.set(entry.stepId, entry);
      } catch (err) {
        // Kept, not deleted: a damaged entry still says "this step id was seen" to an operator.
        logger.error({ err, file: path }, 'step journal entry unreadable; ignored');
      }
    }
    this.prune();
  }

  /** Drops settled entries beyond the bounds, oldest first; unsettled ones always stay. */
  private prune(): void {
    const now = (this.options.now ?? Date.now)();
    const maxAgeMs = this.options.maxAgeDays * 86_400_000;
    const settled = this.all().filter((e) => FINAL_STATES.has(e.state));
    const unsettled = this.entries.size - settled.length;
    let excess = this.entries.size - this.options.maxEntries;
    for (const entry of settled) {
      const old = now - Date.parse(entry.at) > maxAgeMs;
      if (!old && excess <= 0) continue;
      rmSync(this.pathFor(entry.stepId), { force: true });
      this.entries.delete(entry.stepId);
      excess--;
    }
    if (unsettled > this.options.maxEntries) {
      this.options.logger.warn({ unsettled }, 'more unsettled steps than journal.maxEntries; all kept');
    }
  }

  /** Step ids are up to 64 arbitrary characters: the file name is a hash of the id. */
  private pathFor(stepId: string): string {
    return join(this.options.dir, `step-${createHash('sha1').update(stepId).digest('hex')}.json`);
  }
}
