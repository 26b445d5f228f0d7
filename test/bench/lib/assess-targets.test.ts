import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessTargets } from '../../../bench/lib/assess-targets.js';
import { formatStaleHostResults } from '../../../bench/lib/format-stale-host-results.js';
import type { StaleHostResults, Tool, ToolResult, Verdict } from '../../../bench/lib/stale-host-results.js';
import { summarize } from '../../../bench/lib/stats.js';

// Made-up figures: these tests check the pass/fail logic and the table, not any machine's speed.
const okVerdict: Verdict = {
  expectedHolders: 500,
  holdersFound: 500,
  largestHoldersFound: 500,
  others: [],
  ok: true,
};

function tool(name: Tool, medianMs: number, verdict: Verdict = okVerdict): ToolResult {
  const runs = [medianMs * 0.9, medianMs, medianMs * 1.1].map((wallMs) => ({
    wallMs,
    exitCode: 1,
    processesOnHost: 601,
    reported: 500,
    holdersFound: verdict.holdersFound,
    others: [],
  }));
  return {
    tool: name,
    case: 'stale',
    status: 'measured',
    measurement: {
      command: [name],
      warmupRuns: 1,
      runs,
      wallMs: summarize(runs.map((r) => r.wallMs)),
      processesOnHost: { min: 601, max: 601 },
    },
    verdict,
  };
}

function results(overrides: Partial<StaleHostResults> = {}): StaleHostResults {
  const sample = { ms: 30, processesSeen: 602, pidsWithFile: 500, stale: 500 };
  return {
    benchmark: 'scan-stale-host',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:05:00.000Z',
    host: {
      nproc: 2,
      cpuModel: 'Test CPU',
      memTotalMiB: 4096,
      kernelRelease: '6.18.0',
      kernelVersion: '#1 SMP',
      os: 'Debian GNU/Linux 12 (bookworm)',
      node: 'v20.0.0',
      afterpatch: '0.1.0',
      packages: { needrestart: '3.6', 'debian-goodies': '0.88.1' },
    },
    code: { commit: '0123456789abcdef', changedFiles: 2 },
    options: {
      holders: 500,
      runs: 3,
      needrestartRuns: 3,
      warmup: 1,
      rescans: 3,
      holderParent: 'init',
      parent: '/var/lib',
      skip: [],
      resultsDir: '/nowhere',
    },
    library: '/var/lib/afterpatch-bench-x/libstale.so',
    holderPids: 500,
    tools: [tool('afterpatch', 200), tool('checkrestart', 250), tool('needrestart', 40_000)],
    peakRss: [
      {
        case: 'stale',
        command: ['node'],
        method: 'gnu-time',
        samplesKib: [50_000, 51_000, 52_000],
        kib: summarize([50_000, 51_000, 52_000]),
        processesOnHost: { min: 601, max: 601 },
      },
    ],
    rescans: [
      {
        case: 'stale',
        command: ['node'],
        warmup: { ...sample, ms: 80 },
        samples: [sample, sample, sample],
        ms: summarize([28, 30, 32]),
        processesOnHost: { min: 602, max: 602 },
        verdict: okVerdict,
        memory: { rssKib: 60_000, hwmKib: 65_000, heapUsedKib: 10_000 },
      },
    ],
    census: [
      {
        when: 'before stale',
        census: { processes: 601, interpreters: { node: 2 }, loadAverage: [0.5, 0.25, 0] },
      },
    ],
    failures: [],
    ...overrides,
  };
}

const passes = (r: StaleHostResults) => assessTargets(r).map((c) => c.pass);

describe('assessTargets', () => {
  it('passes every target when all figures are under their limits', () => {
    assert.deepEqual(passes(results()), [true, true, true, true]);
  });

  it('fails the needrestart target below a 100x speed-up and the checkrestart one when slower', () => {
    const r = results({
      tools: [tool('afterpatch', 500), tool('checkrestart', 250), tool('needrestart', 40_000)],
    });
    const checks = assessTargets(r);
    assert.deepEqual(
      checks.map((c) => c.pass),
      [false, false, true, true],
    );
    assert.match(checks[1]!.figure, /500 ms vs 40\.0 s: 80\.0x/);
  });

  it('fails the speed targets when afterpatch missed holders, however fast it was', () => {
    const blind: Verdict = { ...okVerdict, holdersFound: 0, largestHoldersFound: 0, ok: false };
    const r = results({
      tools: [tool('afterpatch', 100, blind), tool('checkrestart', 250), tool('needrestart', 40_000)],
    });
    assert.deepEqual(passes(r).slice(0, 2), [false, false]);
  });

  it('cannot judge a target whose peer was not measured', () => {
    const skipped: ToolResult = { tool: 'needrestart', case: 'stale', status: 'skipped', reason: '--skip' };
    const r = results({ tools: [tool('afterpatch', 200), tool('checkrestart', 250), skipped] });
    assert.deepEqual(passes(r), [true, null, true, true]);
  });

  it('judges the plain scan, not the diagnostic variants', () => {
    const base = results();
    const diagnostic: ToolResult = { ...tool('afterpatch', 50_000), variant: '--no-scripts' };
    const fatDiagnostic = { ...base.peakRss[0]!, variant: '--no-scripts', kib: summarize([90_000]) };
    const r = results({ tools: [diagnostic, ...base.tools], peakRss: [fatDiagnostic, ...base.peakRss] });
    assert.deepEqual(passes(r), [true, true, true, true]);
  });

  it('fails the rescan and RSS targets above their limits', () => {
    const base = results();
    const slow = { ...base.rescans[0]!, ms: summarize([49, 55, 60]) };
    const fat = { ...base.peakRss[0]!, kib: summarize([60_000, 62_000, 70_000]) };
    assert.deepEqual(passes(results({ rescans: [slow], peakRss: [fat] })), [true, true, false, false]);
  });
});

describe('formatStaleHostResults', () => {
  it('says nothing about other interpreters when only the benchmark itself ran', () => {
    const census = [
      {
        when: 'before stale',
        census: { processes: 600, interpreters: {}, loadAverage: [0, 0, 0] as const },
      },
    ];
    assert.doesNotMatch(formatStaleHostResults(results({ census })), /\*\*Note:\*\*/);
  });

  it('prints the figures, what was found and the verdicts as Markdown tables', () => {
    const blind: Verdict = { ...okVerdict, holdersFound: 480, largestHoldersFound: 500, ok: false };
    const text = formatStaleHostResults(
      results({
        tools: [tool('afterpatch', 200), tool('checkrestart', 250, blind), tool('needrestart', 40_000)],
      }),
    );
    assert.match(
      text,
      /^\| afterpatch \| stale \| 200 ms \| 180 ms \| 220 ms \| 3 \| 500\/500 \| 0 \| 601 \|$/m,
    );
    assert.match(text, /^\| checkrestart \| stale \| 250 ms .*\| 480-500\/500 \*\*NOT OK\*\* \|/m);
    assert.match(text, /^\| needrestart \| stale \| 40\.0 s \|/m);
    assert.match(text, /^\*\*Note:\*\* up to 2 interpreter processes besides this benchmark/m);
    assert.match(text, /^Code: commit 0123456789ab with 2 changed files\.$/m);
    assert.match(text, /^- before stale: 601 processes; interpreters: 2 node; load 0\.50 0\.25 0\.00$/m);
    assert.match(text, /^\| afterpatch scan peak RSS under 60\.0 MiB \| largest 50\.8 MiB .*\| PASS \|$/m);
    assert.match(text, /^\| in-process rescan under 50 ms \(stale host, 602 processes\) \| median 30\.0 ms/m);
  });
});
