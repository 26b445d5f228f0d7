// The durable outbox: every report (or `unchanged` note) the agent produces is a file
// <state-dir>/outbox/<seq>.json until the server acknowledges that seq, so nothing is lost to
// an agent restart or a server outage. `seq` only ever grows, also across restarts: the highest
// seq handed out is kept in state.json and recovered from the file names if state.json is
// older. Writes go through temp files, so a crash leaves either a whole entry or temp debris,
// which the next start deletes. The outbox is bounded: beyond maxReports or maxBytes the
// oldest entries are dropped, counted and logged (a host that has been cut off for weeks sends
// its recent state, not its whole history). Entries do not carry the host id: it is added when
// the frame is sent, so scans can be kept before the first enrolment has succeeded.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanReport } from '../../shared/scan-report.js';
import type { AgentLogger } from './agent-logger.js';
import { TEMP_PREFIX, writeFileAtomic } from './write-file-atomic.js';

export type Trigger = 'startup' | 'interval' | 'package-change' | 'server-request' | 'post-step';

export type OutboxEntry =
  | { seq: number; type: 'report'; trigger: Trigger; fingerprint: string; report: ScanReport }
  | { seq: number; type: 'unchanged'; scannedAt: string };

/** What the outbox keeps in memory per entry: never the report itself. */
export interface OutboxIndexEntry {
  seq: number;
  type: 'report' | 'unchanged';
  bytes: number;
  fingerprint?: string;
}

interface OutboxState {
  lastSeq: number;
  lastAckedSeq: number;
  lastAckedFingerprint?: string;
  droppedTotal: number;
}

export interface OutboxOptions {
  dir: string;
  maxReports: number;
  maxBytes: number;
  logger: AgentLogger;
}

const ENTRY_NAME = /^([1-9]\d{0,15})\.json$/;
const STATE_FILE = 'state.json';

export class Outbox {
  private readonly index: OutboxIndexEntry[] = [];
  private state: OutboxState = { lastSeq: 0, lastAckedSeq: 0, droppedTotal: 0 };

  private constructor(private readonly options: OutboxOptions) {}

  /** Opens (creating) the outbox directory and recovers its entries and counters. */
  static open(options: OutboxOptions): Outbox {
    const outbox = new Outbox(options);
    outbox.recover();
    return outbox;
  }

  get lastSeq(): number {
    return this.state.lastSeq;
  }

  get lastAckedSeq(): number {
    return this.state.lastAckedSeq;
  }

  /** Entries dropped because of the bound since the state directory was created. */
  get droppedTotal(): number {
    return this.state.droppedTotal;
  }

  /** Pending entries, oldest first. */
  entries(): readonly OutboxIndexEntry[] {
    return this.index;
  }

  get size(): number {
    return this.index.length;
  }

  get bytes(): number {
    return this.index.reduce((sum, e) => sum + e.bytes, 0);
  }

  /**
   * The fingerprint of the report the server will hold once it has processed everything
   * pending: the newest pending report's, else the last acknowledged one's. A scan with this
   * fingerprint can be sent as `unchanged`.
   */
  expectedServerFingerprint(): string | undefined {
    for (let i = this.index.length - 1; i >= 0; i--) {
      const entry = this.index[i]!;
      if (entry.type === 'report') return entry.fingerprint;
    }
    return this.state.lastAckedFingerprint;
  }

  /** Stores a new entry under the next seq and returns that seq. */
  add(entry: { type: 'report'; trigger: Trigger; fingerprint: string; report: ScanReport }): number;
  add(entry: { type: 'unchanged'; scannedAt: string }): number;
  add(
    entry:
      | { type: 'report'; trigger: Trigger; fingerprint: string; report: ScanReport }
      | { type: 'unchanged'; scannedAt: string },
  ): number {
    const seq = this.state.lastSeq + 1;
    const text = JSON.stringify({ seq, ...entry });
    // The entry first, then the counter: after a crash between the two, recovery finds the
    // seq in the file name. The other order could hand out the same seq twice.
    writeFileAtomic(this.entryPath(seq), text, 0o600);
    this.index.push({
      seq,
      type: entry.type,
      bytes: Buffer.byteLength(text),
      ...(entry.type === 'report' ? { fingerprint: entry.fingerprint } : {}),
    });
    this.state.lastSeq = seq;
    this.enforceBounds();
    this.saveState();
    return seq;
  }

  /** Reads a pending entry back, or undefined if it is gone or damaged (then dropped). */
  read(seq: number): OutboxEntry | undefined {
    try {
      const value = JSON.parse(readFileSync(this.entryPath(seq), 'utf8')) as OutboxEntry;
      if (value.seq === seq && (value.type === 'report' || value.type === 'unchanged')) return value;
    } catch {
      // fall through: treated as damaged
    }
    this.options.logger.warn({ seq }, 'outbox entry unreadable, dropped');
    this.remove(seq);
    return undefined;
  }

  /** The server stored `seq`: it and everything older leave the outbox. */
  ack(seq: number): void {
    if (seq <= this.state.lastAckedSeq) return;
    if (seq > this.state.lastSeq) {
      // An ack for something never sent: a server restored from another host's backup, or a
      // bug. Believing it would make us skip seqs the server never saw, so it is ignored.
      this.options.logger.warn({ seq, lastSeq: this.state.lastSeq }, 'ack for an unknown seq ignored');
      return;
    }
    let fingerprint = this.state.lastAckedFingerprint;
    let count = 0;
    while (count < this.index.length && this.index[count]!.seq <= seq) {
      const entry = this.index[count]!;
      if (entry.type === 'report') fingerprint = entry.fingerprint;
      count++;
    }
    const acked = this.index.splice(0, count);
    this.state.lastAckedSeq = seq;
    if (fingerprint !== undefined) this.state.lastAckedFingerprint = fingerprint;
    try {
      this.saveState();
    } catch (err) {
      // The disk refused (full, read-only, the directory gone). Throwing would end the agent from
      // inside its socket handler; instead the ack holds in memory and the entries stay on disk,
      // so after a restart they are sent again, and the server, which stores by seq, skips them.
      this.options.logger.error({ err, seq }, 'could not record an acknowledgement on disk');
      return;
    }
    for (const entry of acked) rmSync(this.entryPath(entry.seq), { force: true });
  }

  private recover(): void {
    const { dir, logger } = this.options;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.state = this.loadState();
    let removedTemp = 0;
    for (const name of readdirSync(dir)) {
      if (name.startsWith(TEMP_PREFIX)) {
        // A write that never reached its rename: the entry it was becoming was never counted.
        rmSync(join(dir, name), { force: true });
        removedTemp++;
        continue;
      }
      const match = ENTRY_NAME.exec(name);
      if (!match) continue;
      const seq = Number(match[1]);
      if (seq <= this.state.lastAckedSeq) {
        // Acknowledged, but the agent stopped before deleting it.
        rmSync(join(dir, name), { force: true });
        continue;
      }
      const entry = this.indexEntry(seq);
      if (entry) this.index.push(entry);
      else rmSync(join(dir, name), { force: true });
    }
    this.index.sort((a, b) => a.seq - b.seq);
    const newest = this.index.at(-1)?.seq ?? 0;
    this.state.lastSeq = Math.max(this.state.lastSeq, this.state.lastAckedSeq, newest);
    if (removedTemp > 0) logger.warn({ removedTemp }, 'removed half-written outbox files');
    this.enforceBounds();
    this.saveState();
  }

  private indexEntry(seq: number): OutboxIndexEntry | undefined {
    const path = this.entryPath(seq);
    try {
      const bytes = statSync(path).size;
      if (bytes > this.options.maxBytes) throw new Error('larger than the outbox');
      const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<OutboxEntry> & {
        fingerprint?: unknown;
      };
      if (value.seq !== seq) throw new Error('seq does not match the file name');
      if (value.type === 'report' && typeof value.fingerprint === 'string') {
        return { seq, type: 'report', bytes, fingerprint: value.fingerprint };
      }
      if (value.type === 'unchanged') return { seq, type: 'unchanged', bytes };
      throw new Error('unknown entry type');
    } catch (err) {
      this.options.logger.warn({ seq, err }, 'damaged outbox entry dropped');
      return undefined;
    }
  }

  private enforceBounds(): void {
    const { maxReports, maxBytes, logger } = this.options;
    let total = this.bytes;
    let dropped = 0;
    // The newest entry always stays: it is the host's current state.
    while (this.index.length > 1 && (this.index.length > maxReports || total > maxBytes)) {
      const oldest = this.index.shift()!;
      total -= oldest.bytes;
      rmSync(this.entryPath(oldest.seq), { force: true });
      dropped++;
    }
    if (dropped > 0) {
      this.state.droppedTotal += dropped;
      logger.warn(
        { dropped, droppedTotal: this.state.droppedTotal, pending: this.index.length, maxReports, maxBytes },
        'outbox full: oldest reports dropped',
      );
    }
  }

  private loadState(): OutboxState {
    const path = join(this.options.dir, STATE_FILE);
    try {
      const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<OutboxState>;
      return {
        lastSeq: safeCount(v.lastSeq),
        lastAckedSeq: safeCount(v.lastAckedSeq),
        droppedTotal: safeCount(v.droppedTotal),
        ...(typeof v.lastAckedFingerprint === 'string'
          ? { lastAckedFingerprint: v.lastAckedFingerprint }
          : {}),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.logger.warn({ err }, 'outbox state unreadable; recovering seq from the entries');
      }
      return { lastSeq: 0, lastAckedSeq: 0, droppedTotal: 0 };
    }
  }

  private saveState(): void {
    writeFileAtomic(join(this.options.dir, STATE_FILE), JSON.stringify(this.state), 0o600);
  }

  private remove(seq: number): void {
    const at = this.index.findIndex((e) => e.seq === seq);
    if (at >= 0) this.index.splice(at, 1);
    rmSync(this.entryPath(seq), { force: true });
  }

  private entryPath(seq: number): string {
    return join(this.options.dir, `${seq}.json`);
  }
}

function safeCount(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
