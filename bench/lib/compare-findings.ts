// Compares the PIDs a tool reported with the holders the benchmark planted, so that each
// timing is paired with what the tool actually found.

export interface FindingsComparison {
  /** Holders the tool reported. */
  readonly holdersFound: number;
  /** Holders it did not report. */
  readonly holdersMissed: number;
  /** PIDs it reported that are not holders (other stale processes on the host, or false alarms). */
  readonly others: readonly number[];
}

export function compareFindings(
  reported: readonly number[],
  holders: ReadonlySet<number>,
): FindingsComparison {
  const seen = new Set(reported);
  let holdersFound = 0;
  for (const pid of holders) if (seen.has(pid)) holdersFound++;
  const others = [...seen].filter((pid) => !holders.has(pid)).sort((a, b) => a - b);
  return { holdersFound, holdersMissed: holders.size - holdersFound, others };
}
