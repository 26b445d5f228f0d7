// The shape of bench/results/scan-stale-host-<date>.json: everything one run of the stale-host
// benchmark measured, with the machine it ran on. Types only.

import type { CodeVersion } from './code-version.js';
import type { HolderParent } from './holder-fleet.js';
import type { HostCensus } from './host-census.js';
import type { HostInfo } from './host-info.js';
import type { CommandMeasurement } from './measure-command.js';
import type { PeakRssMethod } from './peak-rss.js';
import type { RescanSample } from './rescan-worker.js';
import type { Summary } from './stats.js';

export type Tool = 'afterpatch' | 'checkrestart' | 'needrestart';
export type CaseName = 'stale' | 'clean';
/** What --skip accepts: a peer, or afterpatch's diagnostic variants. */
export type Skippable = 'checkrestart' | 'needrestart' | 'diagnostics';

/** Whether a tool found what was planted: every holder in the stale case, none in the clean one. */
export interface Verdict {
  readonly expectedHolders: number;
  /** The smallest number of holders found by any run (the worst run decides). */
  readonly holdersFound: number | null;
  readonly largestHoldersFound: number | null;
  /** Reported PIDs that are not holders (from the last run that lists PIDs). */
  readonly others: readonly number[];
  readonly ok: boolean;
  readonly note?: string;
}

export interface ToolResult {
  readonly tool: Tool;
  /** Extra flags of a diagnostic run (e.g. "--no-scripts"); absent for the measured command. */
  readonly variant?: string;
  readonly case: CaseName;
  readonly status: 'measured' | 'skipped' | 'failed';
  /** Why it was skipped or how it failed. */
  readonly reason?: string;
  readonly measurement?: CommandMeasurement;
  /** checkrestart only: one untimed `checkrestart -v` run, the only output that lists its PIDs. */
  readonly pidCheck?: {
    readonly command: readonly string[];
    readonly wallMs: number;
    readonly reported: number | null;
    readonly holdersFound: number;
    readonly others: readonly number[];
  };
  readonly verdict?: Verdict;
}

export interface PeakRssResult {
  readonly case: CaseName;
  /** Extra flags of a diagnostic run; absent for plain `scan --json`. */
  readonly variant?: string;
  readonly command: readonly string[];
  readonly method: PeakRssMethod;
  readonly samplesKib: readonly number[];
  readonly kib: Summary;
  readonly processesOnHost: { readonly min: number; readonly max: number };
}

export interface RescanResult {
  readonly case: CaseName;
  /** 'agent flags': under AGENT_NODE_FLAGS (no JIT), as the agent runs; 'with JIT': plain node. */
  readonly variant?: string;
  readonly command: readonly string[];
  readonly warmup: RescanSample;
  readonly samples: readonly RescanSample[];
  readonly ms: Summary;
  /** processesSeen of the timed scans. */
  readonly processesOnHost: { readonly min: number; readonly max: number };
  readonly verdict: Verdict;
  readonly memory: { readonly rssKib: number; readonly hwmKib: number; readonly heapUsedKib: number };
}

export interface StaleHostOptions {
  readonly holders: number;
  readonly runs: number;
  readonly needrestartRuns: number;
  readonly warmup: number;
  readonly rescans: number;
  /** init: holders re-parented to PID 1 (like services); bench: children of the benchmark. */
  readonly holderParent: HolderParent;
  readonly parent: string;
  readonly skip: readonly Skippable[];
  readonly resultsDir: string;
}

export interface StaleHostResults {
  readonly benchmark: 'scan-stale-host';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly host: HostInfo;
  readonly code: CodeVersion;
  readonly options: StaleHostOptions;
  /** The library every holder maps, replaced by rename between the clean and the stale case. */
  readonly library: string;
  readonly holderPids: number;
  readonly tools: readonly ToolResult[];
  readonly peakRss: readonly PeakRssResult[];
  readonly rescans: readonly RescanResult[];
  /** The host before each case and after the last: processes, interpreters, load. */
  readonly census: readonly { readonly when: string; readonly census: HostCensus }[];
  /** Measurements that could not be made, with the error. */
  readonly failures: readonly string[];
}
