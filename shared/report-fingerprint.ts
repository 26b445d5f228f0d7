// What "the same report" means, for the agent (send `unchanged` instead of a new report) and
// the server (add a history row only when something changed): one definition on both sides.
// Timing and counting fields change on every scan of a busy host (short-lived processes come
// and go) and say nothing about what must be restarted, so they are left out; everything that
// can change an operator's decision is in.
import { createHash } from 'node:crypto';
import type { ScanReport } from './scan-report.js';

/** A hex SHA-256 of the report's meaningful content; equal reports give equal fingerprints. */
export function reportFingerprint(report: ScanReport): string {
  const { scan, ...meaningful } = report;
  // Only where the scan looked is meaningful, not when, how long or how many it saw.
  const content = { ...meaningful, scan: { procRoot: scan.procRoot, root: scan.root } };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * JSON with object keys sorted, so the fingerprint does not depend on the order a producer
 * (or a database round trip) happened to put keys in. Array order is kept: the scanner sorts
 * its lists, and reordering one is a change worth noticing. `undefined` members are dropped
 * as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}
