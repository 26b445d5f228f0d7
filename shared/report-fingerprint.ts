// What "the same report" means, for the agent (send `unchanged` instead of a new report) and
// the server (add a history row only when something changed): ONE definition for both sides.
// Left out: the scan block (start time, duration, counts of processes seen: they change on every
// scan of a busy host), the tool version, unreadable processes and warnings (both flap from scan
// to scan without the host changing). Kept: everything that can change an operator's decision.
// Lists whose order carries no meaning are sorted, object keys are sorted, so equal findings
// always hash the same however they were produced or stored.
import { createHash } from 'node:crypto';
import type { ScanReport } from './scan-report.js';

/** A hex SHA-256 of the report's meaningful content; equal findings give equal fingerprints. */
export function reportFingerprint(report: ScanReport): string {
  const meaningful = {
    status: report.status,
    host: report.host,
    kernel: report.kernel,
    reboot: report.reboot,
    processes: [...report.processes].sort((a, b) => a.pid - b.pid),
    actions: report.actions,
    packages: [...report.packages].sort((a, b) => compare(a.name, b.name)),
  };
  return createHash('sha256').update(canonicalJson(meaningful)).digest('hex');
}

/**
 * JSON with object keys sorted at every depth, so the fingerprint does not depend on the order
 * a producer (or a database round trip) put keys in. `undefined` members are dropped as
 * JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => compare(a, b));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
