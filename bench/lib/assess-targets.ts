// The stale-host benchmark's targets, judged from its results: the whole `afterpatch scan
// --json` beats checkrestart and is at least 100x faster than needrestart on the stale host; a
// rescan inside a long-running process stays under 50 ms; the scanner stays under 60 MiB RSS.
// A target whose figure is missing (peer skipped or failed) is neither passed nor failed.
import { formatKib, formatMs } from './format-ms.js';
import type { CaseName, StaleHostResults, Tool, ToolResult } from './stale-host-results.js';

export interface TargetCheck {
  readonly target: string;
  readonly figure: string;
  /** null: could not be judged (a figure is missing). */
  readonly pass: boolean | null;
}

export const TARGETS = Object.freeze({
  needrestartSpeedup: 100,
  rescanMs: 50,
  peakRssKib: 60 * 1024,
});

export function assessTargets(results: StaleHostResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ours = toolResult(results, 'afterpatch', 'stale');
  for (const [peer, factor] of [
    ['checkrestart', 1],
    ['needrestart', TARGETS.needrestartSpeedup],
  ] as const) {
    const theirs = toolResult(results, peer, 'stale');
    const target =
      factor === 1
        ? `afterpatch scan --json faster than ${peer} (stale host)`
        : `afterpatch scan --json at least ${factor}x faster than ${peer} (stale host)`;
    const a = ours?.measurement?.wallMs.median;
    const b = theirs?.measurement?.wallMs.median;
    if (a === undefined || b === undefined) {
      checks.push({ target, figure: `${a === undefined ? 'afterpatch' : peer} not measured`, pass: null });
      continue;
    }
    // A fast afterpatch that did not find the holders has not beaten anything.
    const blind = ours?.verdict?.ok === false;
    const ratio = b / a;
    checks.push({
      target,
      figure: `${formatMs(a)} vs ${formatMs(b)}: ${ratio.toFixed(1)}x${blind ? ' (afterpatch missed holders)' : ''}`,
      pass: !blind && (factor === 1 ? ratio > 1 : ratio >= factor),
    });
  }
  for (const rescan of results.rescans) {
    const { min, max } = rescan.processesOnHost;
    const hosts = `${min === max ? min : `${min}-${max}`} processes`;
    checks.push({
      target: `in-process rescan under ${TARGETS.rescanMs} ms (${rescan.case} host, ${hosts})`,
      figure: `median ${formatMs(rescan.ms.median)} (min ${formatMs(rescan.ms.min)}, max ${formatMs(rescan.ms.max)})`,
      pass: rescan.ms.median < TARGETS.rescanMs && rescan.verdict.ok,
    });
  }
  const rss = results.peakRss.filter((r) => r.variant === undefined);
  if (rss.length > 0) {
    const worst = Math.max(...rss.map((r) => r.kib.max));
    const cases = rss.map((r) => `${r.case} median ${formatKib(r.kib.median)}`).join(', ');
    checks.push({
      target: `afterpatch scan peak RSS under ${formatKib(TARGETS.peakRssKib)}`,
      figure: `largest ${formatKib(worst)} (${cases})`,
      pass: worst < TARGETS.peakRssKib,
    });
  }
  return checks;
}

export function toolResult(
  results: StaleHostResults,
  tool: Tool,
  caseName: CaseName,
): ToolResult | undefined {
  return results.tools.find((t) => t.tool === tool && t.case === caseName && t.variant === undefined);
}
