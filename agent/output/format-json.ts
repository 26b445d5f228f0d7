// `afterpatch scan --json`: the report exactly as the server receives it (see
// docs/scan-report.md), so that scripts and the server read one format.
import type { ScanReport } from '../../shared/scan-report.js';

export interface JsonOptions {
  /** Indent with two spaces for people; compact (one line) for pipes and log shippers. */
  pretty: boolean;
}

/** The report as JSON, ending with a newline in both forms (one document per line when compact). */
export function formatJson(report: ScanReport, options: JsonOptions): string {
  return `${JSON.stringify(report, null, options.pretty ? 2 : undefined)}\n`;
}
